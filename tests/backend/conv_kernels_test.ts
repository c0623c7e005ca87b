import assert from "node:assert/strict";
import { assertClose } from "../assert_close.ts";
import { convKernels } from "../../src/backend/cpu/conv.ts";
import type { CpuInput } from "../../src/backend/cpu/kernel.ts";
import type { ConvParams, Padding4, Pair } from "../../src/core/primitives.ts";
import { convShape } from "../../src/core/conv_shapes.ts";
import { prod, rng } from "../test_rng.ts";

const randn = (r: () => number, shape: readonly number[]) =>
  Float64Array.from({ length: prod(shape) }, r);
const f64 = (storage: Float64Array, shape: readonly number[]): CpuInput => ({
  storage,
  shape,
  dtype: "float64",
});
const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  assert.equal(a.length, b.length);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};

interface Config {
  name: string;
  x: [number, number, number, number];
  w: [number, number, number, number];
  stride?: Pair;
  padding?: Padding4;
  dilation?: Pair;
  groups?: number;
}

const params = (c: Config): ConvParams => ({
  stride: c.stride ?? [1, 1],
  padding: c.padding ?? [0, 0, 0, 0],
  dilation: c.dilation ?? [1, 1],
  groups: c.groups ?? 1,
});

const CONFIGS: Config[] = [
  { name: "3x3 plain", x: [2, 3, 7, 6], w: [4, 3, 3, 3] },
  {
    name: "stride 2, symmetric pad",
    x: [2, 3, 8, 7],
    w: [5, 3, 3, 3],
    stride: [2, 2],
    padding: [1, 1, 1, 1],
  },
  {
    name: "asymmetric pad, stride [1,2]",
    x: [2, 2, 6, 7],
    w: [3, 2, 3, 3],
    stride: [1, 2],
    padding: [0, 2, 1, 0],
  },
  { name: "dilation 2", x: [2, 3, 9, 8], w: [2, 3, 3, 3], padding: [2, 2, 2, 2], dilation: [2, 2] },
  { name: "groups 2", x: [2, 4, 6, 6], w: [6, 2, 3, 3], padding: [1, 1, 1, 1], groups: 2 },
  {
    name: "depthwise x2, stride 2",
    x: [2, 3, 6, 5],
    w: [6, 1, 3, 3],
    stride: [2, 2],
    padding: [1, 1, 1, 1],
    groups: 3,
  },
  { name: "1x1", x: [2, 5, 4, 5], w: [3, 5, 1, 1] },
  {
    name: "2x3 kernel, mixed",
    x: [2, 3, 7, 8],
    w: [4, 3, 2, 3],
    stride: [2, 1],
    padding: [1, 0, 1, 2],
    dilation: [1, 2],
  },
  { name: "stride 2, last row unused", x: [2, 2, 6, 6], w: [3, 2, 3, 3], stride: [2, 2] },
];

/** Direct definition: y[n,o,oy,ox] = Σ_{c,i,j} x[n, g*cg + c, oy*sh - pt + i*dh, ...] w[o,c,i,j]. */
function naiveConv(
  x: Float64Array,
  xs: readonly number[],
  w: Float64Array,
  ws: readonly number[],
  p: ConvParams,
) {
  const [n, c, h, wd] = xs;
  const [o, cg, kh, kw] = ws;
  const [, , oh, ow] = convShape("test", xs, ws, p);
  const og = o / p.groups;
  const y = new Float64Array(n * o * oh * ow);
  for (let b = 0; b < n; b++) {
    for (let oc = 0; oc < o; oc++) {
      const g = Math.floor(oc / og);
      for (let oy = 0; oy < oh; oy++) {
        for (let ox = 0; ox < ow; ox++) {
          let s = 0;
          for (let ci = 0; ci < cg; ci++) {
            for (let i = 0; i < kh; i++) {
              for (let j = 0; j < kw; j++) {
                const iy = oy * p.stride[0] - p.padding[0] + i * p.dilation[0];
                const ix = ox * p.stride[1] - p.padding[2] + j * p.dilation[1];
                if (iy < 0 || iy >= h || ix < 0 || ix >= wd) continue;
                s += x[((b * c + g * cg + ci) * h + iy) * wd + ix] *
                  w[((oc * cg + ci) * kh + i) * kw + j];
              }
            }
          }
          y[((b * o + oc) * oh + oy) * ow + ox] = s;
        }
      }
    }
  }
  return y;
}

Deno.test("conv2d: hand-computed 3x3 input, 2x2 kernel of ones", () => {
  // x = [[1,2,3],[4,5,6],[7,8,9]]; each output sums a 2x2 block:
  // [[1+2+4+5, 2+3+5+6], [4+5+7+8, 5+6+8+9]] = [[12, 16], [24, 28]].
  const p = params({ name: "", x: [1, 1, 3, 3], w: [1, 1, 2, 2] });
  const x = f64(Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]), [1, 1, 3, 3]);
  const w = f64(new Float64Array(4).fill(1), [1, 1, 2, 2]);
  const y = convKernels.conv2d([x, w], p, { shape: [1, 1, 2, 2], dtype: "float64" });
  assert.deepEqual(Array.from(y), [12, 16, 24, 28]);
});

Deno.test("conv2d: matches the naive direct convolution (float64)", () => {
  const r = rng(1);
  for (const cfg of CONFIGS) {
    const p = params(cfg);
    const x = randn(r, cfg.x);
    const w = randn(r, cfg.w);
    const xCopy = x.slice(), wCopy = w.slice();
    const shape = convShape("test", cfg.x, cfg.w, p);
    const y = convKernels.conv2d([f64(x, cfg.x), f64(w, cfg.w)], p, { shape, dtype: "float64" });
    assert.ok(y instanceof Float64Array, cfg.name);
    assertClose(y, naiveConv(x, cfg.x, w, cfg.w, p), { rtol: 1e-12, atol: 1e-12, msg: cfg.name });
    assert.deepEqual(x, xCopy, `${cfg.name}: input mutated`);
    assert.deepEqual(w, wCopy, `${cfg.name}: filter mutated`);
  }
});

Deno.test("conv2d gradients: <conv(x,w), g> = <x, backInput(g,w)> = <w, backFilter(x,g)>", () => {
  const r = rng(2);
  for (const cfg of CONFIGS) {
    const p = params(cfg);
    const shape = convShape("test", cfg.x, cfg.w, p);
    const x = randn(r, cfg.x), w = randn(r, cfg.w), g = randn(r, shape);
    const y = convKernels.conv2d([f64(x, cfg.x), f64(w, cfg.w)], p, { shape, dtype: "float64" });
    const dx = convKernels.conv2dBackwardInput(
      [f64(g, shape), f64(w, cfg.w)],
      { ...p, inputShape: cfg.x },
      { shape: cfg.x, dtype: "float64" },
    );
    const dw = convKernels.conv2dBackwardFilter(
      [f64(x, cfg.x), f64(g, shape)],
      { ...p, filterShape: cfg.w },
      { shape: cfg.w, dtype: "float64" },
    );
    assert.equal(dx.length, prod(cfg.x), cfg.name);
    assert.equal(dw.length, prod(cfg.w), cfg.name);
    const lhs = dot(y, g);
    assertClose(dot(x, dx), lhs, { rtol: 1e-12, atol: 1e-12, msg: `${cfg.name}: input` });
    assertClose(dot(w, dw), lhs, { rtol: 1e-12, atol: 1e-12, msg: `${cfg.name}: filter` });
  }
});

Deno.test("conv2dBackwardInput: rows no window reaches get zero gradient", () => {
  // H = W = 6, kernel 3, stride 2, no padding: windows cover rows (and columns) 0-2 and 2-4, so
  // row 5 and column 5 are never read.
  const cfg = CONFIGS.find((c) => c.name === "stride 2, last row unused")!;
  const p = params(cfg);
  const shape = convShape("test", cfg.x, cfg.w, p);
  const r = rng(3);
  const dx = convKernels.conv2dBackwardInput(
    [f64(randn(r, shape), shape), f64(randn(r, cfg.w), cfg.w)],
    { ...p, inputShape: cfg.x },
    { shape: cfg.x, dtype: "float64" },
  );
  const [n, c, h, w] = cfg.x;
  for (let plane = 0; plane < n * c; plane++) {
    for (let k = 0; k < w; k++) assert.equal(dx[(plane * h + h - 1) * w + k], 0);
    for (let k = 0; k < h; k++) assert.equal(dx[(plane * h + k) * w + w - 1], 0);
    assert.ok(dx.subarray(plane * h * w, plane * h * w + w).some((v) => v !== 0));
  }
});

Deno.test("conv2d kernels: float32 agrees with float64", () => {
  const r = rng(4);
  const to32 = (a: Float64Array, shape: readonly number[]): CpuInput => ({
    storage: Float32Array.from(a),
    shape,
    dtype: "float32",
  });
  for (const cfg of CONFIGS) {
    const p = params(cfg);
    const shape = convShape("test", cfg.x, cfg.w, p);
    // Round the data to float32 first so both paths see the same numbers.
    const x = Float64Array.from(Float32Array.from(randn(r, cfg.x)));
    const w = Float64Array.from(Float32Array.from(randn(r, cfg.w)));
    const g = Float64Array.from(Float32Array.from(randn(r, shape)));
    const run = (dtype: "float32" | "float64") => {
      const mk = dtype === "float32" ? to32 : f64;
      return [
        convKernels.conv2d([mk(x, cfg.x), mk(w, cfg.w)], p, { shape, dtype }),
        convKernels.conv2dBackwardInput(
          [mk(g, shape), mk(w, cfg.w)],
          { ...p, inputShape: cfg.x },
          { shape: cfg.x, dtype },
        ),
        convKernels.conv2dBackwardFilter(
          [mk(x, cfg.x), mk(g, shape)],
          { ...p, filterShape: cfg.w },
          { shape: cfg.w, dtype },
        ),
      ];
    };
    const single = run("float32");
    const double = run("float64");
    for (let i = 0; i < 3; i++) {
      assert.ok(single[i] instanceof Float32Array, cfg.name);
      assertClose(single[i], double[i], { rtol: 1e-5, atol: 1e-6, msg: `${cfg.name} #${i}` });
    }
  }
});

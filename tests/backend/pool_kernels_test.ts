import assert from "node:assert/strict";
import { assertClose } from "../assert_close.ts";
import { poolKernels } from "../../src/backend/cpu/pool.ts";
import type { CpuInput } from "../../src/backend/cpu/kernel.ts";
import type { Padding4, Pair, PoolParams } from "../../src/core/primitives.ts";
import { poolShape } from "../../src/core/conv_shapes.ts";
import { mulberry32 as rng, prod } from "../test_rng.ts";

const f64 = (storage: Float64Array, shape: readonly number[]): CpuInput => ({
  storage,
  shape,
  dtype: "float64",
});

interface Config {
  name: string;
  x: [number, number, number, number];
  kernel: Pair;
  stride: Pair;
  padding?: Padding4;
}

const CONFIGS: Config[] = [
  { name: "2x2 stride 2", x: [2, 3, 6, 6], kernel: [2, 2], stride: [2, 2] },
  {
    name: "3x3 stride 2 pad 1",
    x: [2, 2, 7, 6],
    kernel: [3, 3],
    stride: [2, 2],
    padding: [1, 1, 1, 1],
  },
  {
    name: "3x2 stride [1,2] asym pad",
    x: [1, 3, 5, 7],
    kernel: [3, 2],
    stride: [1, 2],
    padding: [1, 0, 0, 1],
  },
  {
    name: "2x3 stride [3,1] pad",
    x: [2, 2, 8, 5],
    kernel: [2, 3],
    stride: [3, 1],
    padding: [0, 1, 1, 1],
  },
  {
    name: "3x3 stride 1 pad 1",
    x: [1, 2, 4, 5],
    kernel: [3, 3],
    stride: [1, 1],
    padding: [1, 1, 1, 1],
  },
];

const params = (c: Config, countIncludePad = true): PoolParams => ({
  kernel: c.kernel,
  stride: c.stride,
  padding: c.padding ?? [0, 0, 0, 0],
  countIncludePad,
});

/** Calls `f(plane, oy, ox, cells)` for every window; `cells` are in-bounds plane indices in row-major order. */
function forEachWindow(
  xs: readonly number[],
  p: PoolParams,
  f: (plane: number, o: number, cells: number[]) => void,
) {
  const [n, c, h, w] = xs;
  const [, , oh, ow] = poolShape("test", xs, p);
  for (let plane = 0; plane < n * c; plane++) {
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        const cells: number[] = [];
        for (let i = 0; i < p.kernel[0]; i++) {
          for (let j = 0; j < p.kernel[1]; j++) {
            const iy = oy * p.stride[0] - p.padding[0] + i;
            const ix = ox * p.stride[1] - p.padding[2] + j;
            if (iy >= 0 && iy < h && ix >= 0 && ix < w) cells.push(iy * w + ix);
          }
        }
        f(plane, (plane * oh + oy) * ow + ox, cells);
      }
    }
  }
}

/** Naive max pooling: the value and the first index of the max (NaN wins) per window. */
function naiveMax(x: ArrayLike<number>, xs: readonly number[], p: PoolParams) {
  const size = prod(poolShape("test", xs, p));
  const values = new Float64Array(size);
  const indices = new Int32Array(size);
  const planeSize = xs[2] * xs[3];
  forEachWindow(xs, p, (plane, o, cells) => {
    const vals = cells.map((k) => x[plane * planeSize + k]);
    const nan = vals.findIndex(Number.isNaN);
    const best = nan >= 0 ? NaN : Math.max(...vals);
    values[o] = best;
    indices[o] = cells[nan >= 0 ? nan : vals.indexOf(best)];
  });
  return { values, indices };
}

function naiveAvg(x: Float64Array, xs: readonly number[], p: PoolParams) {
  const y = new Float64Array(prod(poolShape("test", xs, p)));
  const planeSize = xs[2] * xs[3];
  forEachWindow(xs, p, (plane, o, cells) => {
    const sum = cells.reduce((s, k) => s + x[plane * planeSize + k], 0);
    y[o] = sum / (p.countIncludePad ? p.kernel[0] * p.kernel[1] : cells.length);
  });
  return y;
}

function runMax(x: Float64Array, xs: readonly number[], p: PoolParams) {
  const shape = poolShape("test", xs, p);
  return {
    values: poolKernels.maxPool2d([f64(x, xs)], p, { shape, dtype: "float64" }),
    indices: poolKernels.maxPool2dArgmax([f64(x, xs)], p, { shape, dtype: "int32" }),
  };
}

Deno.test("maxPool2d and argmax: match the naive reference", () => {
  const r = rng(1);
  for (const cfg of CONFIGS) {
    const p = params(cfg);
    // Negative data, so a padded zero would wrongly win if padding were not -Infinity.
    const x = Float64Array.from({ length: prod(cfg.x) }, () => -1 - r());
    const { values, indices } = runMax(x, cfg.x, p);
    const ref = naiveMax(x, cfg.x, p);
    assert.ok(indices instanceof Int32Array, cfg.name);
    assert.deepEqual(values, ref.values, cfg.name);
    assert.deepEqual(indices, ref.indices, cfg.name);
  }
});

Deno.test("maxPool2dArgmax: indices point at the output values, ties pick the first", () => {
  const r = rng(2);
  for (const cfg of CONFIGS) {
    const p = params(cfg);
    // Values in {0, 1, 2}: most windows have ties for the maximum.
    const x = Float64Array.from({ length: prod(cfg.x) }, () => Math.floor(3 * r()));
    const { values, indices } = runMax(x, cfg.x, p);
    const [, , oh, ow] = poolShape("test", cfg.x, p);
    const planeSize = cfg.x[2] * cfg.x[3];
    for (let o = 0; o < values.length; o++) {
      const plane = Math.floor(o / (oh * ow));
      assert.equal(x[plane * planeSize + indices[o]], values[o]);
    }
    assert.deepEqual(indices, naiveMax(x, cfg.x, p).indices, cfg.name);
  }
  // A constant plane: every window's max is its first in-bounds cell.
  const p = params(CONFIGS[1]);
  const xs = [1, 1, 5, 5];
  const { indices } = runMax(new Float64Array(25).fill(7), xs, p);
  // Windows start at rows/cols -1, 1, 3: first in-bounds cells are 0, 1, 3 on each axis.
  assert.deepEqual(Array.from(indices), [0, 1, 3, 5, 6, 8, 15, 16, 18]);
});

Deno.test("maxPool2d: NaN propagates, -Infinity windows still index a real cell", () => {
  const cfg = CONFIGS[1]; // 3x3 stride 2 pad 1 on 7x6
  const p = params(cfg);
  const x = Float64Array.from({ length: prod(cfg.x) }, (_, i) => i % 11);
  x[2 * 6 + 3] = NaN; // plane 0, row 2, col 3
  x[42 + 0] = -Infinity; // plane 1 top-left corner, to mix with NaN-free windows
  const { values, indices } = runMax(x, cfg.x, p);
  const ref = naiveMax(x, cfg.x, p);
  assertClose(values, ref.values, { rtol: 0, atol: 0 });
  assert.deepEqual(indices, ref.indices);
  // Windows at output rows 1-2 (input rows 1-3, 3-5) and cols 1-2 (input cols 1-3, 3-5):
  // row 2 lies in output row 1 only; col 3 in output cols 1 and 2.
  const [, , , ow] = poolShape("test", cfg.x, p);
  assert.ok(Number.isNaN(values[1 * ow + 1]) && Number.isNaN(values[1 * ow + 2]));
  assert.equal(values.filter(Number.isNaN).length, 2);
  assert.equal(indices[1 * ow + 1], 2 * 6 + 3);

  const all = runMax(new Float64Array(25).fill(-Infinity), [1, 1, 5, 5], p);
  assert.ok(all.values.every((v) => v === -Infinity));
  assert.ok(all.indices.every((k) => k >= 0 && k < 25));
});

Deno.test("maxPool2d: int32 input keeps its dtype", () => {
  const xs = [1, 1, 2, 4];
  const p: PoolParams = {
    kernel: [2, 2],
    stride: [2, 2],
    padding: [0, 0, 0, 0],
    countIncludePad: true,
  };
  const x: CpuInput = {
    storage: Int32Array.from([1, -5, 3, 9, 4, 2, 8, 7]),
    shape: xs,
    dtype: "int32",
  };
  const y = poolKernels.maxPool2d([x], p, { shape: [1, 1, 1, 2], dtype: "int32" });
  assert.ok(y instanceof Int32Array);
  assert.deepEqual(Array.from(y), [4, 9]);
});

Deno.test("avgPool2d: matches the naive reference with and without padded cells counted", () => {
  const r = rng(3);
  for (const cfg of CONFIGS) {
    for (const include of [true, false]) {
      const p = params(cfg, include);
      const x = Float64Array.from({ length: prod(cfg.x) }, r);
      const xCopy = x.slice();
      const shape = poolShape("test", cfg.x, p);
      const y = poolKernels.avgPool2d([f64(x, cfg.x)], p, { shape, dtype: "float64" });
      assertClose(y, naiveAvg(x, cfg.x, p), {
        rtol: 1e-12,
        atol: 1e-12,
        msg: `${cfg.name} ${include}`,
      });
      assert.deepEqual(x, xCopy);
      // float32 path agrees.
      const y32 = poolKernels.avgPool2d(
        [{ storage: Float32Array.from(x), shape: cfg.x, dtype: "float32" }],
        p,
        { shape, dtype: "float32" },
      );
      assert.ok(y32 instanceof Float32Array);
      assertClose(y32, y, { rtol: 1e-5, atol: 1e-6 });
    }
  }
});

Deno.test("avgPool2dBackward: <avgPool2d(x), g> = <x, avgPool2dBackward(g)>", () => {
  const r = rng(4);
  for (const cfg of CONFIGS) {
    for (const include of [true, false]) {
      const p = params(cfg, include);
      const shape = poolShape("test", cfg.x, p);
      const x = Float64Array.from({ length: prod(cfg.x) }, () => r() - 0.5);
      const g = Float64Array.from({ length: prod(shape) }, () => r() - 0.5);
      const y = poolKernels.avgPool2d([f64(x, cfg.x)], p, { shape, dtype: "float64" });
      const dx = poolKernels.avgPool2dBackward(
        [f64(g, shape)],
        { ...p, inputShape: cfg.x },
        { shape: cfg.x, dtype: "float64" },
      );
      assert.equal(dx.length, x.length);
      let lhs = 0, rhs = 0;
      for (let i = 0; i < y.length; i++) lhs += y[i] * g[i];
      for (let i = 0; i < x.length; i++) rhs += x[i] * dx[i];
      assertClose(rhs, lhs, { rtol: 1e-12, atol: 1e-12, msg: `${cfg.name} ${include}` });
    }
  }
});

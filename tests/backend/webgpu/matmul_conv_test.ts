/**
 * WebGPU parity for matmul and conv2d with its two gradients (`kernels/gemm.wgsl`) against the
 * CPU backend: shapes below, inside and past one 64x64 tile, odd and prime sizes, broadcast
 * batches, long sums split over workgroups, thin products on the direct kernel, and convolutions
 * with stride, asymmetric padding, dilation, groups and depthwise filters, with gradients.
 */
import * as fx from "../../../mod.ts";
import type { Tensor } from "../../../mod.ts";
import { bind } from "../../../src/autodiff/bind.ts";
import type { ConvParams } from "../../../src/core/primitives.ts";
import { assertTreesClose, gpu, gradParity, noGpu, onGpu, parity, rand } from "./harness.ts";
import assert from "node:assert/strict";

const TOL = { rtol: 1e-4, atol: 1e-4 };

/**
 * Output and input cotangents of `f` under one seeded output cotangent agree between the CPU and
 * the GPU (unlike `gradParity`, no reduction runs: only `f`'s own backward primitives).
 */
async function vjpParity(what: string, f: (...xs: Tensor[]) => Tensor, inputs: Tensor[]) {
  const run = (xs: Tensor[], ct: Tensor) => {
    const [y, pullback] = fx.vjp(f, ...xs);
    return [y, pullback(ct)];
  };
  const ct = rand(f(...inputs).shape, 4242);
  const expected = run(inputs, ct);
  const got = run(await onGpu(inputs), await onGpu(ct));
  await assertTreesClose(got, expected, { ...TOL, what: `vjp ${what}` });
}

const mm = (a: Tensor, b: Tensor) => fx.matmul(a, b);

const MATMUL_SHAPES: [number[], number[]][] = [
  [[1, 1], [1, 1]],
  [[17, 33], [33, 5]], // primes; N = 5 just past the direct kernel
  [[70, 130], [130, 67]], // past one tile in every dimension
  [[64, 64], [64, 64]], // exactly one tile
  [[2, 1, 5, 7], [3, 7, 4]], // broadcast batch dimensions (direct: N = 4)
  [[2, 1, 9, 7], [3, 7, 6]], // the same on the tiled kernel
  [[3, 70, 20], [20, 65]], // batched, several tiles per batch element
  [[4, 1, 3, 5], [1, 2, 5, 9]],
  [[8, 3000], [3000, 8]], // long K on few tiles: split over workgroups
  [[3, 5000], [5000, 2]], // long K, thin: direct kernel, split
  [[1, 37], [37, 41]], // one row
  [[5], [5, 3]], // vector operands
  [[4, 5], [5]],
];

Deno.test({
  name: "webgpu matmul matches the CPU (tiles, edges, broadcast batches, long sums)",
  ignore: noGpu,
  async fn() {
    for (const [sa, sb] of MATMUL_SHAPES) {
      const what = `matmul ${sa} x ${sb}`;
      await parity(what, mm, [rand(sa, 1 + sa.length), rand(sb, 2 + sb.length)], TOL);
    }
  },
});

Deno.test({
  name: "webgpu matmul on int32 matches the CPU exactly",
  ignore: noGpu,
  async fn() {
    for (const [sa, sb] of [[[9, 70], [70, 66]], [[2, 3, 4], [4, 3]], [[6, 700], [700, 7]]]) {
      const a = rand(sa, 5, "int32", -50, 50), b = rand(sb, 6, "int32", -50, 50);
      await parity(`int32 matmul ${sa} x ${sb}`, mm, [a, b], { rtol: 0, atol: 0 });
    }
    // Sums past the int32 range wrap around on both backends.
    const a = rand([5, 70], 7, "int32", -60000, 60000),
      b = rand([70, 9], 8, "int32", -60000, 60000);
    await parity("int32 matmul wrapping", mm, [a, b], { rtol: 0, atol: 0 });
  },
});

Deno.test({
  name: "webgpu matmul with empty operands writes zeros or nothing",
  ignore: noGpu,
  async fn() {
    // Leave garbage in pooled buffers first: the kernel must write every output element.
    const junk = await onGpu(rand([64, 64], 9));
    await junk.data();
    fx.dispose(junk);
    await parity("matmul K = 0", mm, [rand([3, 0], 1), rand([0, 4], 2)], TOL);
    await parity("matmul K = 0 tiled", mm, [rand([30, 0], 1), rand([0, 40], 2)], TOL);
    await parity("matmul M = 0", mm, [rand([0, 3], 1), rand([3, 4], 2)], TOL);
  },
});

Deno.test({
  name: "webgpu matmul gradients match the CPU",
  ignore: noGpu,
  async fn() {
    await vjpParity("matmul 17x33 @ 33x5", mm, [rand([17, 33], 1), rand([33, 5], 2)]);
    await vjpParity("matmul 70x130 @ 130x67", mm, [rand([70, 130], 3), rand([130, 67], 4)]);
    await vjpParity("matmul batched", mm, [rand([3, 9, 7], 5), rand([3, 7, 6], 6)]);
    await vjpParity("matmul long K", mm, [rand([6, 1500], 9), rand([1500, 7], 10)]);
  },
});

Deno.test({
  name: "webgpu matmul gradients through gradParity (with broadcast batches) match the CPU",
  ignore: noGpu,
  async fn() {
    await gradParity("matmul 17x33 @ 33x5", mm, [rand([17, 33], 1), rand([33, 5], 2)]);
    await gradParity("matmul broadcast", mm, [rand([2, 1, 5, 7], 7), rand([3, 7, 4], 8)]);
    await gradParity("matmul vector", mm, [rand([7], 7), rand([2, 7, 3], 8)]);
  },
});

/** A conv2d case: input and weight shapes, and the options. */
interface ConvCase {
  what: string;
  x: number[];
  w: number[];
  opts: fx.Conv2dOptions;
}

const CONV_CASES: ConvCase[] = [
  { what: "plain 3x3", x: [1, 3, 8, 8], w: [4, 3, 3, 3], opts: {} },
  {
    what: "stride 2, asymmetric padding, batch 2, odd sizes",
    x: [2, 4, 9, 11],
    w: [6, 4, 3, 3],
    opts: { stride: 2, padding: [1, 2, 0, 1] },
  },
  { what: "dilation 2", x: [2, 3, 10, 7], w: [5, 3, 3, 3], opts: { dilation: 2, padding: 2 } },
  {
    what: "stride (2,3), dilation (2,1), 2x3 kernel",
    x: [2, 2, 11, 13],
    w: [7, 2, 2, 3],
    opts: { stride: [2, 3], dilation: [2, 1], padding: [0, 1, 2, 0] },
  },
  { what: "groups 2", x: [2, 6, 8, 9], w: [10, 3, 3, 3], opts: { groups: 2, padding: 1 } },
  { what: "groups 2, thin", x: [2, 6, 7, 7], w: [4, 3, 3, 3], opts: { groups: 2, stride: 2 } },
  { what: "depthwise", x: [2, 5, 9, 9], w: [5, 1, 3, 3], opts: { groups: 5, padding: 1 } },
  { what: "depthwise x2", x: [1, 4, 7, 6], w: [8, 1, 3, 3], opts: { groups: 4, stride: 2 } },
  { what: "1x1", x: [3, 8, 5, 7], w: [12, 8, 1, 1], opts: {} },
  { what: "1x1 stride 2", x: [2, 6, 9, 9], w: [3, 6, 1, 1], opts: { stride: 2 } },
  { what: "past one tile", x: [2, 8, 12, 12], w: [70, 8, 3, 3], opts: { padding: 1 } },
  { what: "groups 3, wide", x: [1, 15, 6, 7], w: [12, 5, 3, 3], opts: { groups: 3, padding: 1 } },
  // Long sums along K for each kernel, split over workgroups (tiled or direct).
  { what: "many inputs", x: [1, 64, 6, 6], w: [8, 64, 3, 3], opts: { padding: 1 } },
  { what: "many inputs, thin", x: [1, 64, 5, 5], w: [2, 64, 3, 3], opts: {} },
  { what: "many outputs", x: [1, 2, 6, 6], w: [64, 2, 3, 3], opts: { padding: 1 } },
  { what: "long filter sums", x: [4, 3, 32, 32], w: [8, 3, 3, 3], opts: {} },
  { what: "long filter sums, thin", x: [4, 3, 30, 30], w: [2, 3, 3, 3], opts: { stride: 2 } },
];

const convOf = (opts: fx.Conv2dOptions) => (x: Tensor, w: Tensor) => fx.conv2d(x, w, opts);

Deno.test({
  name: "webgpu conv2d matches the CPU (stride, padding, dilation, groups, depthwise, 1x1)",
  ignore: noGpu,
  async fn() {
    for (const c of CONV_CASES) {
      await parity(`conv2d ${c.what}`, convOf(c.opts), [rand(c.x, 11), rand(c.w, 12)], TOL);
    }
  },
});

Deno.test({
  name: "webgpu conv2d gradients (both backward kernels, through vjp) match the CPU",
  ignore: noGpu,
  async fn() {
    for (const c of CONV_CASES) {
      await vjpParity(`conv2d ${c.what}`, convOf(c.opts), [rand(c.x, 13), rand(c.w, 14)]);
    }
  },
});

Deno.test({
  name: "webgpu conv2d gradients through gradParity match the CPU",
  ignore: noGpu,
  async fn() {
    for (const c of CONV_CASES.slice(1, 8)) {
      await gradParity(`conv2d ${c.what}`, convOf(c.opts), [rand(c.x, 15), rand(c.w, 16)]);
    }
  },
});

Deno.test({
  name: "webgpu conv2dBackwardInput and conv2dBackwardFilter called directly match the CPU",
  ignore: noGpu,
  async fn() {
    const cases: [string, number[], number[], ConvParams][] = [
      // The last input row and column are in no window: their gradient is zero.
      ["stride 2", [2, 3, 10, 10], [4, 3, 3, 3], conv([2, 2], [0, 0, 0, 0], [1, 1], 1)],
      ["padding, dilation", [1, 4, 9, 8], [6, 4, 3, 2], conv([1, 2], [2, 1, 0, 3], [2, 2], 1)],
      ["groups 2", [2, 4, 7, 9], [6, 2, 3, 3], conv([2, 1], [1, 1, 1, 1], [1, 1], 2)],
      ["depthwise", [2, 3, 8, 8], [3, 1, 3, 3], conv([1, 1], [1, 1, 1, 1], [1, 1], 3)],
    ];
    for (const [what, xs, ws, p] of cases) {
      const x = rand(xs, 21), w = rand(ws, 22);
      const y = bind("conv2d", [x, w], p);
      const ct = rand(y.shape, 23);
      const inputGrad = (c: Tensor, f: Tensor) =>
        bind("conv2dBackwardInput", [c, f], { ...p, inputShape: xs });
      const filterGrad = (a: Tensor, c: Tensor) =>
        bind("conv2dBackwardFilter", [a, c], { ...p, filterShape: ws });
      await parity(`conv2dBackwardInput ${what}`, inputGrad, [ct, w], TOL);
      await parity(`conv2dBackwardFilter ${what}`, filterGrad, [x, ct], TOL);
      // Their own gradients run conv2d and the other backward kernel.
      await vjpParity(`conv2dBackwardInput ${what}`, inputGrad, [ct, w]);
      await vjpParity(`conv2dBackwardFilter ${what}`, filterGrad, [x, ct]);
    }
  },
});

Deno.test({
  name: "webgpu matmul and conv2d record their dispatches without waiting",
  ignore: noGpu,
  async fn() {
    const [a, b, x, w] = await onGpu([
      rand([9, 600], 1),
      rand([600, 9], 2),
      rand([2, 4, 6, 6], 3),
      rand([4, 1, 3, 3], 4),
    ]);
    let before = gpu!.dispatcher.dispatches;
    const y = fx.matmul(a, b); // long K on one tile: a split product and the sum of its parts
    assert.equal(gpu!.dispatcher.dispatches - before, 2);
    before = gpu!.dispatcher.dispatches;
    const z = fx.conv2d(x, w, { groups: 4 }); // depthwise: one direct dispatch for all groups
    assert.equal(gpu!.dispatcher.dispatches - before, 1);
    assert.deepEqual([y.shape, z.shape], [[9, 9], [2, 4, 4, 4]]);
    await y.data();
    await z.data();
  },
});

function conv(
  stride: [number, number],
  padding: [number, number, number, number],
  dilation: [number, number],
  groups: number,
): ConvParams {
  return { stride, padding, dilation, groups };
}

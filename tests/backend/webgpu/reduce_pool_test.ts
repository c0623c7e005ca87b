/**
 * WebGPU parity for the reductions (sum, max, min, argmax, argmin) and the pooling primitives
 * (maxPool2d, maxPool2dArgmax, avgPool2d, avgPool2dBackward) against the CPU backend: single,
 * non-adjacent and all axes, short and long reductions (one invocation per output, lanes, a whole
 * workgroup, a split over several workgroups), NaN and ties, int32 and bool, and gradients.
 */
import * as fx from "../../../mod.ts";
import type { Tensor } from "../../../mod.ts";
import type { PoolParams } from "../../../src/core/primitives.ts";
import { bind } from "../../../src/autodiff/bind.ts";
import { plan, reduceGeometry } from "../../../src/backend/webgpu/reduce.ts";
import { gradParity, noGpu, parity, rand } from "./harness.ts";
import assert from "node:assert/strict";

const EXACT = { rtol: 0, atol: 0 };
const VALUE_OPS = ["sum", "max", "min"] as const;
const ARG_OPS = ["argmax", "argmin"] as const;

const reduce = (op: (typeof VALUE_OPS)[number], axes: number[], keepdims: boolean) => (x: Tensor) =>
  bind(op, [x], { axes, keepdims });
const arg = (op: (typeof ARG_OPS)[number], axis: number, keepdims = false) => (x: Tensor) =>
  bind(op, [x], { axis, keepdims });

/** Shapes and axes, with the plan each exercises. */
const CASES: [number[], number[]][] = [
  [[4, 37, 5], [0]],
  [[4, 37, 5], [1]],
  [[4, 37, 5], [2]],
  [[3, 4, 5, 6], [0, 2]], // non-adjacent
  [[3, 4, 5, 6], [1, 3]],
  [[3, 4, 5, 6], [0, 1, 2, 3]], // all axes
  [[3, 1, 4], [1]], // reduced extent 1
  [[3, 1000], [1]], // past one workgroup: 128 lanes per output
  [[1000, 300], [0]], // lane-major, 300 outputs
  [[300, 5], [1]], // one invocation per output, 300 outputs
  [[50, 40], [1]], // a few lanes per output
  [[7, 0, 3], [1]], // empty reduction
];

Deno.test({
  name: "webgpu reduction plans cover every kernel path",
  fn() {
    const p = (shape: number[], axes: number[]) => plan(reduceGeometry("t", shape, axes));
    assert.deepEqual(p([300, 5], [1]), { lanes: 1, laneMajor: false, chunks: 1 });
    assert.deepEqual(p([3, 1000], [1]), { lanes: 128, laneMajor: false, chunks: 1 });
    assert.deepEqual(p([1000, 300], [0]), { lanes: 128, laneMajor: true, chunks: 1 });
    assert.deepEqual(p([50, 40], [1]), { lanes: 8, laneMajor: false, chunks: 1 });
    assert.deepEqual(p([20000], [0]), { lanes: 256, laneMajor: false, chunks: 5 });
    assert.deepEqual(p([30000, 2], [0]), { lanes: 256, laneMajor: true, chunks: 8 });
    const g = reduceGeometry("t", [3, 4, 5, 6], [1, 2]);
    assert.deepEqual(g.red, { dims: [20], strides: [6] }); // adjacent reduced axes merge
    assert.deepEqual(g.kept, { dims: [3, 6], strides: [120, 1] });
  },
});

Deno.test({
  name: "webgpu sum, max and min match the CPU over any axes, with keepdims both ways",
  ignore: noGpu,
  async fn() {
    for (const [shape, axes] of CASES) {
      const x = rand(shape, 5 + shape.length + axes.length);
      for (const op of VALUE_OPS) {
        if (op !== "sum" && reducedSize(shape, axes) === 0) continue; // an error on both
        for (const keepdims of [false, true]) {
          await parity(
            `${op} ${shape} over ${axes} keepdims ${keepdims}`,
            reduce(op, axes, keepdims),
            [
              x,
            ],
          );
        }
      }
    }
  },
});

function reducedSize(shape: number[], axes: number[]): number {
  return axes.reduce((n, a) => n * shape[a], 1);
}

Deno.test({
  name: "webgpu long reductions split over several workgroups match the CPU",
  ignore: noGpu,
  async fn() {
    const x = rand([20000], 31);
    for (const op of VALUE_OPS) {
      await parity(`${op} of 20000`, reduce(op, [0], false), [x], { rtol: 1e-5, atol: 1e-4 });
    }
    for (const op of ARG_OPS) await parity(`${op} of 20000`, arg(op, 0), [x], EXACT);
    const y = rand([2, 30000], 32);
    for (const op of VALUE_OPS) {
      await parity(`${op} [2,30000]`, reduce(op, [1], true), [y], { rtol: 1e-5, atol: 1e-4 });
    }
    const z = rand([30000, 2], 33);
    for (const op of ARG_OPS) await parity(`${op} [30000,2]`, arg(op, 0, true), [z], EXACT);
    // The extreme sits in the last chunk, and a NaN early in a chunk after a tie.
    const v = new Float32Array(20000).fill(1);
    v[19999] = 5;
    v[123] = 5;
    v[7000] = -5;
    v[15000] = -5;
    for (const op of ARG_OPS) await parity(`${op} ties split`, arg(op, 0), [fx.tensor(v)], EXACT);
    v[9000] = NaN;
    v[17000] = NaN;
    for (const op of ARG_OPS) await parity(`${op} NaN split`, arg(op, 0), [fx.tensor(v)], EXACT);
    for (const op of ["max", "min"] as const) {
      await parity(`${op} NaN split`, reduce(op, [0], false), [fx.tensor(v)], EXACT);
    }
  },
});

Deno.test({
  name: "webgpu argmax and argmin match the CPU on every axis, with ties",
  ignore: noGpu,
  async fn() {
    for (const [shape] of CASES.slice(0, 3).concat([[[3, 1000], []], [[1000, 30], []]])) {
      // Rounded values: ties everywhere.
      const x = fx.round(fx.mul(rand(shape, 41), 3));
      for (let axis = 0; axis < shape.length; axis++) {
        for (const op of ARG_OPS) {
          await parity(`${op} ${shape} axis ${axis}`, arg(op, axis), [x], EXACT);
          await parity(`${op} ${shape} axis ${axis} keepdims`, arg(op, axis, true), [x], EXACT);
        }
      }
    }
    const ones = fx.ones([4, 300]);
    for (const op of ARG_OPS) await parity(`${op} all equal`, arg(op, 1), [ones], EXACT);
  },
});

Deno.test({
  name: "webgpu max, min, argmax and argmin propagate NaN like the CPU",
  ignore: noGpu,
  async fn() {
    const rows = [
      [1, NaN, 3, 2],
      [NaN, 1, 2, NaN],
      [1, 2, 3, NaN],
      [-Infinity, -Infinity, 0, Infinity],
      [NaN, NaN, NaN, NaN],
      [-Infinity, -Infinity, -Infinity, -Infinity],
    ];
    const x = fx.tensor(rows);
    for (const axis of [0, 1]) {
      for (const op of ["max", "min"] as const) {
        await parity(`${op} NaN axis ${axis}`, reduce(op, [axis], false), [x], EXACT);
      }
      for (const op of ARG_OPS) await parity(`${op} NaN axis ${axis}`, arg(op, axis), [x], EXACT);
    }
    // A NaN deep in a long row, past lanes' first elements.
    const long = new Float32Array(3 * 1000).map((_, i) => Math.sin(i));
    long[700] = NaN;
    long[1000 + 999] = NaN;
    long[2000 + 300] = NaN;
    long[2000 + 5] = NaN;
    const y = fx.tensor(long, { shape: [3, 1000] });
    for (const op of ["max", "min"] as const) {
      await parity(`${op} long NaN`, reduce(op, [1], false), [y], EXACT);
    }
    for (const op of ARG_OPS) await parity(`${op} long NaN`, arg(op, 1), [y], EXACT);
    const yt = fx.transpose(y, [1, 0]);
    for (const op of ARG_OPS) await parity(`${op} long NaN axis 0`, arg(op, 0), [yt], EXACT);
  },
});

Deno.test({
  name: "webgpu reductions on int32 (sums wrap) and bool match the CPU",
  ignore: noGpu,
  async fn() {
    for (const [shape, axes] of CASES.slice(0, 9)) {
      const x = rand(shape, 51, "int32", -1000, 1000);
      for (const op of VALUE_OPS) {
        await parity(`${op} int32 ${shape} over ${axes}`, reduce(op, axes, false), [x], EXACT);
      }
      for (const op of ARG_OPS) {
        await parity(`${op} int32 ${shape}`, arg(op, axes[0]), [x], EXACT);
      }
    }
    const big = fx.tensor([2 ** 30, 2 ** 30, 2 ** 30, -7, 2 ** 31 - 1, 2 ** 31 - 1], {
      dtype: "int32",
      shape: [2, 3],
    });
    await parity("int32 sum wraps", reduce("sum", [0, 1], false), [big], EXACT);
    await parity("int32 sum wraps rows", reduce("sum", [1], false), [big], EXACT);
    const extremes = fx.tensor([-(2 ** 31), 2 ** 31 - 1, 0], { dtype: "int32" });
    for (const op of ["max", "min"] as const) {
      await parity(`int32 ${op} extremes`, reduce(op, [0], false), [extremes], EXACT);
    }
    const b = rand([5, 300], 52, "bool");
    for (const op of ["max", "min"] as const) {
      await parity(`bool ${op}`, reduce(op, [1], false), [b], EXACT);
    }
    for (const op of ARG_OPS) await parity(`bool ${op}`, arg(op, 1), [b], EXACT);
    await parity("bool sum (via int32)", (t) => fx.sum(t, { axis: 1 }), [b], EXACT);
    // Summing bool directly keeps bool storage: 8 bits, wrapping like the CPU's Uint8Array.
    const many = rand([2, 700], 53, "bool");
    await parity("bool sum wraps", reduce("sum", [1], false), [many], EXACT);
  },
});

Deno.test({
  name: "webgpu gradients of sum, max and min match the CPU",
  ignore: noGpu,
  async fn() {
    for (const [shape, axes] of CASES.slice(0, 11)) {
      const x = rand(shape, 61);
      for (const op of VALUE_OPS) {
        await gradParity(`${op} ${shape} over ${axes}`, reduce(op, axes, false), [x]);
      }
    }
    // Ties split the gradient of max and min evenly.
    const t = fx.round(fx.mul(rand([6, 50], 62), 2));
    for (const op of ["max", "min"] as const) {
      await gradParity(`${op} ties`, reduce(op, [1], true), [t]);
      await gradParity(`${op} ties axis 0`, reduce(op, [0], false), [t]);
    }
  },
});

/** Pooling configurations: input shape and parameters. */
const POOLS: [number[], PoolParams][] = [
  [[2, 3, 8, 8], { kernel: [2, 2], stride: [2, 2], padding: [0, 0, 0, 0], countIncludePad: true }],
  [[2, 3, 9, 7], { kernel: [3, 3], stride: [1, 1], padding: [1, 1, 1, 1], countIncludePad: true }],
  [[2, 3, 9, 7], {
    kernel: [3, 3],
    stride: [1, 1],
    padding: [1, 1, 1, 1],
    countIncludePad: false,
  }],
  [[1, 2, 7, 9], { kernel: [3, 2], stride: [2, 3], padding: [0, 1, 1, 0], countIncludePad: true }],
  [[3, 2, 11, 6], {
    kernel: [4, 3],
    stride: [3, 2],
    padding: [2, 1, 0, 1],
    countIncludePad: false,
  }],
  [[1, 1, 5, 5], { kernel: [5, 5], stride: [1, 1], padding: [2, 2, 2, 2], countIncludePad: false }],
  [[4, 70, 6, 6], { kernel: [2, 2], stride: [1, 1], padding: [0, 0, 0, 0], countIncludePad: true }],
];

const pool = (op: "maxPool2d" | "maxPool2dArgmax" | "avgPool2d", p: PoolParams) => (x: Tensor) =>
  bind(op, [x], p);
const what = (shape: number[], p: PoolParams) =>
  `${shape} k${p.kernel} s${p.stride} p${p.padding} inc ${p.countIncludePad}`;

Deno.test({
  name: "webgpu maxPool2d, its argmax indices and avgPool2d match the CPU",
  ignore: noGpu,
  async fn() {
    for (const [shape, p] of POOLS) {
      const x = rand(shape, 71 + shape[3]);
      await parity(`maxPool2d ${what(shape, p)}`, pool("maxPool2d", p), [x], EXACT);
      await parity(`argmax ${what(shape, p)}`, pool("maxPool2dArgmax", p), [x], EXACT);
      await parity(`avgPool2d ${what(shape, p)}`, pool("avgPool2d", p), [x]);
      // Ties: the first maximum in row-major window order.
      const r = fx.round(x);
      await parity(`argmax ties ${what(shape, p)}`, pool("maxPool2dArgmax", p), [r], EXACT);
      const xi = rand(shape, 72, "int32", -3, 3);
      await parity(`maxPool2d int32 ${what(shape, p)}`, pool("maxPool2d", p), [xi], EXACT);
      await parity(`argmax int32 ${what(shape, p)}`, pool("maxPool2dArgmax", p), [xi], EXACT);
      const ct = rand(bind("avgPool2d", [x], p).shape, 73);
      await parity(
        `avgPool2dBackward ${what(shape, p)}`,
        (c) => bind("avgPool2dBackward", [c], { ...p, inputShape: shape }),
        [ct],
      );
    }
  },
});

Deno.test({
  name: "webgpu maxPool2d takes the first NaN of a window, like the CPU",
  ignore: noGpu,
  async fn() {
    const v = new Float32Array(2 * 6 * 6).map((_, i) => Math.cos(i * 1.7));
    for (const i of [0, 8, 9, 14, 35, 40, 41, 50]) v[i] = NaN;
    v[20] = -Infinity;
    const x = fx.tensor(v, { shape: [1, 2, 6, 6] });
    for (const [, p] of POOLS.slice(0, 4)) {
      await parity(`maxPool2d NaN ${what([1, 2, 6, 6], p)}`, pool("maxPool2d", p), [x], EXACT);
      await parity(`argmax NaN ${what([1, 2, 6, 6], p)}`, pool("maxPool2dArgmax", p), [x], EXACT);
    }
  },
});

Deno.test({
  name: "webgpu gradients of avgPool2d and maxPool2d match the CPU",
  ignore: noGpu,
  async fn() {
    for (const [shape, p] of POOLS) {
      const x = rand(shape, 81);
      await gradParity(`avgPool2d ${what(shape, p)}`, pool("avgPool2d", p), [x]);
    }
    // maxPool2d's VJP scatters through scatterAdd.
    for (const [shape, p] of POOLS) {
      const x = rand(shape, 82);
      await gradParity(`maxPool2d ${what(shape, p)}`, pool("maxPool2d", p), [x]);
    }
  },
});

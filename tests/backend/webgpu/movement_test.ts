/**
 * WebGPU parity for the movement primitives: reshape, transpose, broadcastTo, slice (with
 * steps, including negative ones), pad (low, high, interior, negative widths) and concat, on
 * float32, int32 and bool, with gradients.
 */
import * as fx from "../../../mod.ts";
import { bind } from "../../../src/autodiff/bind.ts";
import { gradParity, noGpu, parity, rand } from "./harness.ts";

Deno.test({
  name: "webgpu reshape and transpose match the CPU for every dtype, with gradients",
  ignore: noGpu,
  async fn() {
    for (const dtype of ["float32", "int32", "bool"] as const) {
      const x = rand([2, 3, 5, 7], 1, dtype);
      await parity(`reshape ${dtype}`, (a) => fx.reshape(a, [6, 35]), [x]);
      for (const perm of [[3, 2, 1, 0], [0, 2, 1, 3], [1, 0, 3, 2], [0, 1, 2, 3]]) {
        await parity(`transpose ${perm} ${dtype}`, (a) => fx.transpose(a, perm), [x]);
      }
    }
    const x = rand([4, 65, 3], 2);
    await gradParity("transpose", (a) => fx.transpose(a, [2, 0, 1]), [x]);
    await gradParity("reshape", (a) => fx.reshape(a, [13, 60]), [x]);
  },
});

Deno.test({
  name: "webgpu broadcastTo matches the CPU (new axes, size-1 axes, scalars), with gradients",
  ignore: noGpu,
  async fn() {
    for (const [from, to] of [[[3, 1], [2, 3, 300]], [[], [4, 5]], [[1, 7, 1], [3, 7, 2]]]) {
      await parity(`broadcastTo ${from}->${to}`, (a) => fx.broadcastTo(a, to), [rand(from, 3)]);
      await gradParity(`broadcastTo ${from}->${to}`, (a) => fx.broadcastTo(a, to), [rand(from, 3)]);
    }
  },
});

Deno.test({
  name: "webgpu slice with steps matches the CPU, with gradients",
  ignore: noGpu,
  async fn() {
    const x = rand([6, 9, 11], 4);
    const cases: [number[], number[], number[]][] = [
      [[0, 0, 0], [6, 9, 11], [1, 1, 1]],
      [[1, 2, 3], [5, 8, 10], [1, 1, 1]],
      [[0, 1, 0], [6, 9, 11], [2, 3, 4]],
      [[5, 8, 10], [-1, -1, -1], [-1, -2, -3]],
    ];
    for (const [starts, ends, steps] of cases) {
      const f = (a: fx.Tensor) => bind("slice", [a], { starts, ends, steps });
      await parity(`slice ${starts}:${ends}:${steps}`, f, [x]);
      await gradParity(`slice ${starts}:${ends}:${steps}`, f, [x]);
      await parity(`slice int32`, f, [rand([6, 9, 11], 5, "int32", -50, 50)]);
    }
  },
});

Deno.test({
  name: "webgpu pad (low, high, interior, negative) matches the CPU, with gradients",
  ignore: noGpu,
  async fn() {
    const x = rand([3, 4, 5], 6);
    const cases: (readonly [number, number, number])[][] = [
      [[1, 2, 0], [0, 0, 0], [3, 1, 0]],
      [[0, 0, 1], [2, 0, 2], [0, 1, 0]],
      [[-1, 1, 0], [1, -2, 1], [0, 0, 0]],
    ];
    for (const widths of cases) {
      for (const value of [0, -2.5]) {
        const f = (a: fx.Tensor) => bind("pad", [a], { widths, value });
        await parity(`pad ${JSON.stringify(widths)} value ${value}`, f, [x]);
        await gradParity(`pad ${JSON.stringify(widths)}`, f, [x]);
      }
      const fi = (a: fx.Tensor) => bind("pad", [a], { widths, value: 7 });
      await parity(`pad int32`, fi, [rand([3, 4, 5], 7, "int32", -9, 9)]);
    }
  },
});

Deno.test({
  name: "webgpu concat matches the CPU on every axis, with gradients",
  ignore: noGpu,
  async fn() {
    const parts = [rand([2, 3, 4], 8), rand([2, 1, 4], 9), rand([2, 5, 4], 10)];
    await parity("concat axis 1", (...xs) => fx.concat(xs, 1), parts);
    await gradParity("concat axis 1", (...xs) => fx.concat(xs, 1), parts);
    for (const axis of [0, 2]) {
      const same = [rand([2, 3, 4], 11), rand([2, 3, 4], 12)];
      await parity(`concat axis ${axis}`, (...xs) => fx.concat(xs, axis), same);
      await gradParity(`concat axis ${axis}`, (...xs) => fx.concat(xs, axis), same);
    }
    const ints = [
      rand([3, 2], 13, "int32", 0, 9),
      rand([3, 0], 14, "int32"),
      rand([3, 1], 15, "int32"),
    ];
    await parity("concat int32 with an empty part", (...xs) => fx.concat(xs, 1), ints);
  },
});

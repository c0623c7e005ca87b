/**
 * WebGPU parity for the elementwise primitives: every unary, binary and comparison op, `where`
 * and `cast`, against the CPU backend on random shapes (odd sizes, size-1 and broadcast
 * dimensions, more elements than one workgroup), with their gradients.
 */
import * as fx from "../../../mod.ts";
import { BINARY_PRIMS, COMPARE_PRIMS, UNARY_PRIMS } from "../../../src/core/primitives.ts";
import { bind } from "../../../src/autodiff/bind.ts";
import { gradParity, noGpu, onGpu, parity, rand } from "./harness.ts";
import assert from "node:assert/strict";

const SHAPES: [number[], number[]][] = [
  [[3, 1, 5], [4, 1]], // both broadcast
  [[257], [257]], // past one workgroup, contiguous
  [[2, 3, 37], [37]],
  [[1], [5, 7]],
  [[], [2, 3]], // scalar
];

// Domains where each unary op is smooth and defined (the GPU and CPU agree to float32 rounding).
const DOMAIN: Record<string, [number, number]> = {
  log: [0.1, 3],
  sqrt: [0.1, 3],
  log1p: [-0.5, 3],
};

Deno.test({
  name: "webgpu unary ops match the CPU on float32 (and their gradients)",
  ignore: noGpu,
  async fn() {
    for (const op of UNARY_PRIMS) {
      const [lo, hi] = DOMAIN[op] ?? [-3, 3];
      const x = rand([3, 301], 7 + op.length, "float32", lo, hi);
      await parity(op, (a) => bind(op, [a], {}), [x], { rtol: 2e-5, atol: 2e-6 });
      if (!["sign", "floor", "ceil", "round"].includes(op)) {
        await gradParity(op, (a) => bind(op, [a], {}), [x]);
      }
    }
  },
});

Deno.test({
  name: "webgpu unary ops keep the CPU's special values (NaN, infinities, signed zero)",
  ignore: noGpu,
  async fn() {
    const x = fx.tensor([NaN, Infinity, -Infinity, 0, -0, 0.5, -0.5, 1.5, 2.5, -2.5, 30, -30]);
    for (const op of UNARY_PRIMS) {
      if (op === "sin" || op === "cos") continue; // sin(±Inf) is NaN on both; skip range reduction
      await parity(op, (a) => bind(op, [a], {}), [x], { rtol: 1e-5, atol: 0 });
    }
  },
});

Deno.test({
  name: "webgpu unary ops on int32 match the CPU",
  ignore: noGpu,
  async fn() {
    const x = rand([50], 3, "int32", -20, 20);
    for (const op of ["neg", "abs", "sign", "relu", "floor", "ceil", "round"] as const) {
      await parity(op, (a) => bind(op, [a], {}), [x], { rtol: 0, atol: 0 });
    }
  },
});

Deno.test({
  name: "webgpu binary ops broadcast like the CPU, on float32 and int32, with gradients",
  ignore: noGpu,
  async fn() {
    for (const [sa, sb] of SHAPES) {
      for (const op of BINARY_PRIMS) {
        const lo = op === "pow" ? 0.2 : -2;
        const a = rand(sa, 11, "float32", lo, 2);
        const b = rand(sb, 12, "float32", op === "div" ? 0.5 : -2, 2);
        await parity(`${op} ${sa}x${sb}`, (x, y) => bind(op, [x, y], {}), [a, b], { rtol: 2e-5 });
        await gradParity(`${op} ${sa}x${sb}`, (x, y) => bind(op, [x, y], {}), [a, b]);
        const ia = rand(sa, 13, "int32", -9, 9);
        const ib = rand(sb, 14, "int32", op === "pow" ? 0 : -9, op === "pow" ? 4 : 9);
        await parity(`${op} int32`, (x, y) => bind(op, [x, y], {}), [ia, ib], { rtol: 0, atol: 0 });
      }
    }
  },
});

Deno.test({
  name: "webgpu pow, maximum and minimum follow the CPU on signs, zeros and NaN",
  ignore: noGpu,
  async fn() {
    const a = fx.tensor([-2, -2, -8, 0, -0, 0, 3, NaN, 1, 2, NaN]);
    const b = fx.tensor([3, 2, 1 / 3, -1, -1, 0, NaN, 0, 5, NaN, 1]);
    await parity("pow specials", (x, y) => fx.pow(x, y), [a, b], { rtol: 1e-6, atol: 0 });
    await parity("maximum NaN", (x, y) => fx.maximum(x, y), [a, b], { rtol: 0, atol: 0 });
    await parity("minimum NaN", (x, y) => fx.minimum(x, y), [a, b], { rtol: 0, atol: 0 });
    const i = fx.tensor([7, -7, 0, -2147483648], { dtype: "int32" });
    const j = fx.tensor([2, 2, 0, -1], { dtype: "int32" });
    await parity("int div", (x, y) => bind("div", [x, y], {}), [i, j], { rtol: 0, atol: 0 });
  },
});

Deno.test({
  name: "webgpu comparisons and where broadcast like the CPU",
  ignore: noGpu,
  async fn() {
    for (const [sa, sb] of SHAPES) {
      const a = fx.round(fx.mul(rand(sa, 21), 2)); // ties are common
      const b = fx.round(fx.mul(rand(sb, 22), 2));
      for (const op of COMPARE_PRIMS) {
        await parity(`${op} ${sa}x${sb}`, (x, y) => bind(op, [x, y], {}), [a, b]);
        await parity(`${op} int32`, (x, y) => bind(op, [x, y], {}), [
          fx.cast(a, "int32"),
          fx.cast(b, "int32"),
        ]);
      }
      const c = rand(sb, 23, "bool");
      await parity(`where ${sa}`, (cc, x, y) => fx.where(cc, x, y), [c, a, rand([1], 3)]);
      await gradParity(`where ${sa}`, (cc, x, y) => fx.where(cc, x, y), [c, a, rand([1], 3)]);
    }
    const n = fx.tensor([NaN, 1, NaN]);
    for (const op of COMPARE_PRIMS) {
      await parity(`${op} NaN`, (x, y) => bind(op, [x, y], {}), [n, fx.tensor([NaN, NaN, 1])]);
    }
  },
});

Deno.test({
  name: "webgpu cast converts between float32, int32 and bool like the CPU",
  ignore: noGpu,
  async fn() {
    const x = fx.tensor([-2.7, -0.5, 0, 0.5, 2.7, 3e9 / 2, -1e9]);
    for (
      const [from, to] of [
        ["float32", "int32"],
        ["float32", "bool"],
        ["int32", "float32"],
        [
          "int32",
          "bool",
        ],
        ["bool", "float32"],
        ["bool", "int32"],
        ["float32", "float32"],
      ] as const
    ) {
      const src = fx.cast(x, from);
      await parity(`cast ${from}->${to}`, (a) => fx.cast(a, to), [src], { rtol: 0, atol: 0 });
    }
  },
});

Deno.test({
  name: "webgpu cast to int32 of a value int32 cannot hold is an error when read back",
  ignore: noGpu,
  async fn() {
    const [x] = await onGpu([fx.tensor([1, NaN, 3])]);
    const y = fx.cast(x, "int32"); // recorded; the GPU finds the NaN
    await assert.rejects(
      () => y.data(),
      /cast: element 1 of \[3\] float32 is NaN, which int32 cannot hold \(found on the GPU/,
    );
    // The fault is reported once; later reads work.
    assert.deepEqual([...await fx.cast(fx.tensor([2.5], { backend: x.backend }), "int32").data()], [
      2,
    ]);
  },
});

Deno.test({
  name: "webgpu int32 pow with a negative power is an error when read back",
  ignore: noGpu,
  async fn() {
    const [a, b] = await onGpu([
      fx.tensor([2, 3], { dtype: "int32" }),
      fx.tensor([1, -2], { dtype: "int32" }),
    ]);
    await assert.rejects(
      () => bind("pow", [a, b], {}).data(),
      /pow: integer base raised to the negative power -2/,
    );
  },
});

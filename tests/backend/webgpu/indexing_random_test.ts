/**
 * WebGPU parity for indexing (gather, scatterAdd, with gradients and out-of-range faults) and
 * the PRNG (uniform bits identical to the CPU backend's; normal and bernoulli on top of them).
 */
import * as fx from "../../../mod.ts";
import { random } from "../../../mod.ts";
import { bind } from "../../../src/autodiff/bind.ts";
import {
  scatterAddOptions,
  type ScatterStrategy,
  usePlan,
} from "../../../src/backend/webgpu/indexing.ts";
import { gpu, gradParity, noGpu, onGpu, parity, rand, webgpu } from "./harness.ts";
import { assertClose } from "../../assert_close.ts";
import assert from "node:assert/strict";

const X_SHAPE = [3, 4, 5];

/** Indices in [-size, size) for `x` along `axis`, with `m` of them along the axis. */
function indices(axis: number, m: number, seed: number, shape = X_SHAPE): fx.Tensor {
  const s = shape.map((d, i) => (i === axis ? m : d));
  return rand(s, seed, "int32", -shape[axis], shape[axis]);
}

const gather = (axis: number) => (x: fx.Tensor, i: fx.Tensor) => bind("gather", [x, i], { axis });
const scatter = (axis: number) => (b: fx.Tensor, i: fx.Tensor, u: fx.Tensor) =>
  bind("scatterAdd", [b, i, u], { axis });
const exact = { rtol: 0, atol: 0 };

Deno.test({
  name: "webgpu gather matches the CPU along each axis, with negative indices and int32 data",
  ignore: noGpu,
  async fn() {
    for (let axis = 0; axis < 3; axis++) {
      const x = rand(X_SHAPE, 1 + axis);
      const xi = rand(X_SHAPE, 4 + axis, "int32", -50, 50);
      const xb = rand(X_SHAPE, 7 + axis, "bool");
      for (const m of [1, 2, 7]) {
        const idx = indices(axis, m, 10 * axis + m);
        await parity(`gather axis ${axis} m ${m}`, gather(axis), [x, idx], exact);
        await parity(`gather int32 axis ${axis}`, gather(axis), [xi, idx], exact);
        await parity(`gather bool axis ${axis}`, gather(axis), [xb, idx], exact);
      }
    }
    // More elements than one workgroup, and the public op with broadcast indices.
    const big = rand([40, 300], 3);
    await parity("gather 40x300", gather(1), [big, indices(1, 9, 5, [40, 300])], exact);
    const col = fx.tensor([[[2]], [[-1]], [[0]]], { dtype: "int32" }); // broadcast to [3,4,1]
    await parity("fx.gather", (x, i) => fx.gather(x, i, 2), [rand([3, 4, 5], 2), col], exact);
  },
});

/** Runs `f` once with each scatterAdd strategy (scan the column; bucket it first). */
async function eachStrategy(f: (s: ScatterStrategy) => Promise<void>): Promise<void> {
  for (const s of ["scan", "plan"] as const) {
    scatterAddOptions.strategy = s;
    try {
      await f(s);
    } finally {
      scatterAddOptions.strategy = "auto";
    }
  }
}

Deno.test({
  name: "webgpu scatterAdd matches the CPU: duplicate indices accumulate, negatives wrap",
  ignore: noGpu,
  fn: () =>
    eachStrategy(async (s) => {
      for (let axis = 0; axis < 3; axis++) {
        for (const m of [1, 3, 9]) {
          const what = `scatterAdd (${s}) axis ${axis} m ${m}`;
          const base = rand(X_SHAPE, 20 + axis);
          const idx = indices(axis, m, 30 * axis + m);
          const upd = rand(idx.shape, 40 + m);
          await parity(what, scatter(axis), [base, idx, upd], exact);
          const bi = rand(X_SHAPE, 50 + axis, "int32", -9, 9);
          const ui = rand(idx.shape, 60 + m, "int32", -9, 9);
          await parity(`${what} int32`, scatter(axis), [bi, idx, ui], exact);
        }
      }
      // Every update to one slot (and its negative alias): the sums run in the CPU's order.
      const idx = fx.tensor([[0, -3, 0, 2, -1, 0]], { dtype: "int32" });
      const upd = fx.tensor([[1, 2, 3, 4, 5, 6]]);
      const [b, i, u] = await onGpu([fx.zeros([1, 3]), idx, upd]);
      assert.deepEqual([...await fx.scatterAdd(b, i, u, 1).data()], [12, 0, 9]);
      // Many float updates per slot, bit for bit the CPU's sums, the same run to run.
      const big = [
        rand([64, 33], 8),
        indices(0, 500, 9, [64, 33]),
        rand([500, 33], 10, "float32", -1e3, 1e3),
      ];
      await parity(`scatterAdd (${s}) 500 into 64`, scatter(0), big, exact);
      const [gb, gi, gu] = await onGpu(big);
      const once = await scatter(0)(gb, gi, gu).data();
      assert.deepEqual(await scatter(0)(gb, gi, gu).data(), once);
      // No indices, and size-1 axes.
      await parity(`scatterAdd (${s}) m 0`, scatter(1), [
        rand([2, 3], 1),
        indices(1, 0, 2, [2, 3]),
        rand([2, 0], 3),
      ], exact);
      await parity(`scatterAdd (${s}) into 1`, scatter(0), [
        rand([1, 5], 1),
        indices(0, 4, 2, [1, 5]),
        rand([4, 5], 3),
      ], exact);
    }),
});

Deno.test({
  name: "webgpu scatterAdd buckets the indices of an embedding gradient, in two dispatches",
  ignore: noGpu,
  async fn() {
    assert.equal(usePlan(64, 10000, 4096), true); // embedding: 10000 rows, 4096 ids, 64 wide
    assert.equal(usePlan(64, 50000, 512), true);
    assert.equal(usePlan(33, 64, 500), false); // small tables: scanning is cheaper
    assert.equal(usePlan(1, 1e6, 100), false); // one column: bucketing is serial
    assert.equal(usePlan(5, 3, 1), false);
    const ids = rand([300, 1], 5, "int32", -2000, 2000);
    const inputs = [fx.zeros([2000, 8]), fx.broadcastTo(ids, [300, 8]), rand([300, 8], 6)];
    const gpuInputs = await onGpu(inputs);
    await eachStrategy(async (s) => {
      const before = gpu!.dispatcher.dispatches;
      const y = scatter(0)(...gpuInputs as [fx.Tensor, fx.Tensor, fx.Tensor]);
      assert.equal(gpu!.dispatcher.dispatches - before, s === "plan" ? 2 : 1);
      assert.deepEqual(
        await y.data(),
        scatter(0)(...inputs as [fx.Tensor, fx.Tensor, fx.Tensor]).dataSync(),
      );
    });
  },
});

Deno.test({
  name: "webgpu gather and scatterAdd pullbacks match the CPU (no reductions needed)",
  ignore: noGpu,
  fn: () =>
    eachStrategy(async (s) => {
      for (let axis = 0; axis < 3; axis++) {
        const m = [2, 6, 11][axis];
        const idx = indices(axis, m, 80 + axis);
        const cpu = [
          rand(X_SHAPE, 70 + axis),
          idx,
          rand(idx.shape, 90),
          rand(idx.shape, 91),
          rand(X_SHAPE, 92),
        ];
        const pullbacks = ([x, i, u, ct, ct2]: fx.Tensor[]) => {
          const [, pg] = fx.vjp((a: fx.Tensor) => gather(axis)(a, i), x);
          const [, ps] = fx.vjp((a: fx.Tensor, b: fx.Tensor) => scatter(axis)(a, i, b), x, u);
          return [...pg(ct), ...ps(ct2)];
        };
        const expected = pullbacks(cpu);
        const got = pullbacks(await onGpu(cpu));
        for (let k = 0; k < got.length; k++) {
          assert.equal(got[k].backend.name, "webgpu");
          assert.deepEqual(
            await got[k].data(),
            expected[k].dataSync(),
            `${s} axis ${axis} grad ${k}`,
          );
        }
      }
    }),
});

Deno.test({
  name: "webgpu gather and scatterAdd gradients match the CPU (and take, crossEntropy)",
  ignore: noGpu,
  async fn() {
    for (let axis = 0; axis < 3; axis++) {
      const x = rand(X_SHAPE, 70 + axis);
      const idx = indices(axis, 6, 80 + axis);
      await gradParity(`gather axis ${axis}`, gather(axis), [x, idx]);
      await gradParity(`scatterAdd axis ${axis}`, scatter(axis), [x, idx, rand(idx.shape, 90)]);
    }
    const table = rand([10, 4], 11);
    const ids = fx.tensor([[3, 3, -1], [0, 9, 3]], { dtype: "int32" });
    await gradParity("take", (t, i) => fx.take(t, i, 0), [table, ids]);
    const labels = fx.tensor([2, 0, 4, 4, 1], { dtype: "int32" });
    await gradParity("crossEntropy", (l, y) => fx.losses.crossEntropy(l, y), [
      rand([5, 6], 12, "float32", -3, 3),
      labels,
    ]);
  },
});

Deno.test({
  name: "webgpu gather and scatterAdd report an out-of-range index when data is read back",
  ignore: noGpu,
  async fn() {
    const [x, bad, lowBad] = await onGpu([
      rand([2, 3, 4], 1),
      fx.tensor([[[0, 1, 3, 2]], [[0, 0, 0, 0]]], { dtype: "int32" }),
      fx.tensor([[[0], [-5], [1]], [[0], [0], [-4]]], { dtype: "int32" }),
    ]);
    const y = bind("gather", [x, bad], { axis: 1 }); // recorded; the GPU finds the 3
    await assert.rejects(
      () => y.data(),
      /^RangeError: gather: index 3 is out of range for axis 1 of size 3 \(shape \[2,3,4\]\) \(found on the GPU/,
    );
    // The fault is reported once; later reads work.
    const first = fx.zeros([2, 1, 4], { dtype: "int32", backend: webgpu });
    const xs = await x.data();
    assert.deepEqual([...await fx.gather(x, first, 1).data()], [
      ...xs.slice(0, 4),
      ...xs.slice(12, 16),
    ]);
    await assert.rejects(
      () => bind("gather", [x, lowBad], { axis: 2 }).data(),
      /gather: index -5 is out of range for axis 2 of size 4 \(shape \[2,3,4\]\)/,
    );
    const upd = fx.ones([2, 1, 4], { backend: webgpu });
    await eachStrategy((s) =>
      assert.rejects(
        () => bind("scatterAdd", [x, bad, upd], { axis: 1 }).data(),
        /^RangeError: scatterAdd: index 3 is out of range for axis 1 of size 3 \(shape \[2,3,4\]\)/,
        s,
      )
    );
    // Into an axis of size 0 every index is out of range.
    const [empty, idx0, upd0] = await onGpu([
      fx.zeros([2, 0]),
      fx.tensor([[1], [1]], { dtype: "int32" }),
      fx.ones([2, 1]),
    ]);
    await assert.rejects(
      () => bind("scatterAdd", [empty, idx0, upd0], { axis: 1 }).data(),
      /scatterAdd: index 1 is out of range for axis 1 of size 0 \(shape \[2,0\]\)/,
    );
    // The CPU backend says the same.
    const cpuBad = fx.tensor([[[0, 1, 3, 2]], [[0, 0, 0, 0]]], { dtype: "int32" });
    assert.throws(
      () => bind("gather", [rand([2, 3, 4], 1), cpuBad], { axis: 1 }),
      /^RangeError: gather: index 3 is out of range for axis 1 of size 3 \(shape \[2,3,4\]\)$/,
    );
  },
});

const KEYS = [
  random.key(0),
  random.key(42),
  random.key(2 ** 32 + 7),
  random.split(random.key(5), 3)[2],
  random.foldIn(random.key(1), 0xdeadbeef),
];
const SIZES = [1, 2, 3, 257, 1001];

Deno.test({
  name: "webgpu random.uniform gives exactly the CPU's bits for every key and size",
  ignore: noGpu,
  async fn() {
    for (const k of KEYS) {
      for (const n of SIZES) {
        const cpu = random.uniform(k, [n]).dataSync();
        const g = random.uniform(k, [n], { backend: webgpu });
        assert.equal(g.backend.name, "webgpu");
        assert.deepEqual(await g.data(), cpu, `key ${k.words} size ${n}`);
      }
    }
    // Shapes, and more counters than one workgroup covers.
    const k = KEYS[3];
    const shaped = random.uniform(k, [3, 7, 29], { backend: webgpu });
    assert.deepEqual(await shaped.data(), random.uniform(k, [3, 7, 29]).dataSync());
    const ranged = random.uniform(k, [600], { backend: webgpu, minval: -2, maxval: 3 });
    const cpuRanged = random.uniform(k, [600], { minval: -2, maxval: 3 }).dataSync();
    assert.deepEqual(await ranged.data(), cpuRanged);
    assert.deepEqual([...await random.uniform(k, [0], { backend: webgpu }).data()], []);
  },
});

Deno.test({
  name: "webgpu random.normal and random.bernoulli match the CPU",
  ignore: noGpu,
  async fn() {
    for (const k of KEYS.slice(0, 3)) {
      for (const n of [3, 257]) {
        const g = random.normal(k, [n], { backend: webgpu, mean: 1, std: 2 });
        const c = random.normal(k, [n], { mean: 1, std: 2 });
        assertClose(await g.data(), c.dataSync(), { rtol: 1e-5, atol: 1e-5, msg: `normal ${n}` });
        const gb = random.bernoulli(k, 0.3, [n], { backend: webgpu });
        assert.deepEqual(await gb.data(), random.bernoulli(k, 0.3, [n]).dataSync());
      }
    }
  },
});

Deno.test({
  name: "webgpu random.uniform rejects float64 with a clear error",
  ignore: noGpu,
  fn() {
    assert.throws(
      () => random.uniform(random.key(0), [4], { backend: webgpu, dtype: "float64" }),
      /random.uniform: the webgpu backend draws float32 only, got float64/,
    );
  },
});

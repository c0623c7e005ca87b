/**
 * Edge cases of compile found in review, each against eager results: the same tensor passed
 * twice, a captured tensor also passed as an argument, two key arguments, parameters with
 * infinities, literals that differ only in sign or infinity, bool-valued chains after a product,
 * disposed constants, random.permutation, custom gradient rules under a tape, and a kernel error
 * in the middle of a replay (nothing leaks).
 */
import * as fx from "../../mod.ts";
import { heapStats } from "../../src/backend/cpu/wasm/heap.ts";
import { noGpu, onGpu } from "../backend/webgpu/harness.ts";
import { assertCompiledAgrees, assertSameResults } from "./agree.ts";
import assert from "node:assert/strict";

const a = fx.tensor([1, 2]), b = fx.tensor([10, 20]);

Deno.test("the same tensor twice, or captured and passed, is traced as separate values", () => {
  const f = fx.compile((x: fx.Tensor, y: fx.Tensor) => fx.sub(x, y));
  assert.deepEqual([...f(a, a).dataSync()], [0, 0]);
  assert.deepEqual([...f(a, b).dataSync()], [-9, -18]);
  const w = fx.tensor([1, 2]);
  const g = fx.compile((x: fx.Tensor) => fx.add(x, w));
  assert.deepEqual([...g(w).dataSync()], [2, 4]);
  assert.deepEqual([...g(fx.tensor([100, 100])).dataSync()], [101, 102], "w stays a constant");
});

Deno.test("two key arguments stay two keys; parameters keep infinities apart", async () => {
  const k1 = fx.random.key(1), k2 = fx.random.key(2);
  const f = (
    p: fx.random.Key,
    q: fx.random.Key,
  ) => [fx.random.uniform(p, [3]), fx.random.uniform(q, [3])];
  await assertCompiledAgrees("two keys", f, [k1, k2]);
  const pads = (x: fx.Tensor) => [
    fx.pad(x, [[1, 0]], Infinity),
    fx.pad(x, [[1, 0]], -Infinity),
  ];
  await assertCompiledAgrees("pads", pads, [a]);
});

Deno.test("literals that differ only in sign or infinity are different programs", async () => {
  const x = fx.tensor([1, -2, 3]);
  for (const c of [-Infinity, Infinity, 0, -0, NaN]) {
    await assertCompiledAgrees(`c = ${c}`, (t: fx.Tensor) => fx.neg(fx.mul(fx.maximum(t, c), c)), [
      x,
    ]);
  }
});

for (const backend of ["cpu", "webgpu"] as const) {
  Deno.test({
    name:
      `${backend}: bool chains after a product, bool comparisons and non-finite values fuse as eager`,
    ignore: backend === "webgpu" && noGpu,
    async fn() {
      let x = fx.tensor([[0, Infinity], [NaN, -1]]), w = fx.tensor([[1, 0], [0, 1]]);
      let y = fx.tensor([[-0, 2], [NaN, 0]]);
      if (backend === "webgpu") [x, w, y] = await onGpu([x, w, y] as const);
      await assertCompiledAgrees(
        "bool after matmul",
        (x: fx.Tensor, w: fx.Tensor) => fx.greater(fx.add(fx.matmul(fx.abs(x), w), 1), 2),
        [fx.tensor([[1, 2], [3, 0.5]], { backend: x.backend }), w],
      );
      const chains = (x: fx.Tensor, y: fx.Tensor) => {
        const e = fx.exp(x);
        return [
          fx.mul(fx.neg(x), 0),
          fx.add(fx.neg(x), 0),
          fx.sub(e, e),
          fx.cast(fx.equal(fx.greater(x, 0), fx.greater(y, 0)), "float32"),
          fx.add(x, fx.neg(x)),
          fx.sub(e, fx.neg(fx.neg(e))),
          fx.cast(fx.where(fx.greater(x, 0), fx.greater(y, 0), fx.less(y, 0)), "float32"),
        ];
      };
      await assertCompiledAgrees("special values", chains, [x, y], { atol: 0, rtol: 0 });
    },
  });
}

Deno.test("a disposed argument on a first call is an error and releases nothing twice", () => {
  const x = fx.tensor([1, 2]);
  fx.dispose(x);
  const before = fx.memory().cpu?.heapInUseBytes;
  assert.throws(
    () => fx.compile((t: fx.Tensor) => fx.neg(t))(x),
    /trace: input \[2\] float32 on cpu was disposed/,
  );
  assert.equal(fx.memory().cpu?.heapInUseBytes, before);
});

Deno.test("a disposed constant, random.permutation and custom gradients", () => {
  const w = fx.tensor([1, 2]);
  const f = fx.compile((x: fx.Tensor) => fx.mul(x, w));
  f(a);
  fx.dispose(w);
  assert.throws(
    () => f(a),
    /compile: a float32 tensor \[2\] that the compiled function reads from outside its arguments \(a constant of its trace\) was disposed/,
  );
  const perm = fx.compile((k: fx.random.Key) => fx.random.permutation(k, 5));
  assert.throws(() => perm(fx.random.key(0)), /random\.permutation: cannot be traced/);
  const clip = fx.customVjp(
    (x: fx.Tensor) => x,
    (x: fx.Tensor) => [x, null],
    (_r: null, ct: fx.Tensor) => [fx.mul(ct, 0)],
  );
  const g = (x: fx.Tensor) => fx.sum(fx.mul(clip(x), 5));
  const c = fx.compile(g);
  c(a);
  assert.deepEqual(fx.grad(c)(a).dataSync(), fx.grad(g)(a).dataSync(), "the custom rule applies");
  assert.deepEqual([...fx.grad(c)(a).dataSync()], [0, 0]);
});

Deno.test("a kernel error in the middle of a replay releases what the call made", () => {
  const f = fx.compile((x: fx.Tensor) => fx.cast(fx.exp(fx.exp(x)), "int32"));
  const ok = fx.zeros([4096]), bad = fx.full([4096], 100);
  fx.dispose(f(ok));
  const before = heapStats().usedBytes;
  for (let i = 0; i < 5; i++) {
    assert.throws(
      () => f(bad),
      /cast: element 0 of \[4096\] float32 is Infinity, which int32 cannot hold/,
    );
  }
  assert.equal(heapStats().usedBytes, before);
});

Deno.test("compiled results match eager ones on a training step with every fix in play", async () => {
  // A smoke check tying the cases together: two keys, closure constants, aliases.
  const w = fx.random.normal(fx.random.key(3), [4, 3]);
  const f = (x: fx.Tensor, k: fx.random.Key) =>
    fx.valueAndGrad((v: fx.Tensor) =>
      fx.sum(fx.mul(fx.relu(fx.matmul(x, v)), fx.random.uniform(k, [2, 3])))
    )(w);
  const x = fx.random.normal(fx.random.key(4), [2, 4]);
  const c = fx.compile(f);
  for (const k of [fx.random.key(5), fx.random.key(6)]) {
    await assertSameResults(c(x, k), f(x, k), "step");
  }
  assert.equal(c.traces(), 1);
});

/**
 * Tensor lifetimes: grad and valueAndGrad release their intermediates on return, scoped steps
 * with donated inputs hold memory flat, disposed tensors are errors, and sharing storage (a
 * reshape) is counted once.
 */
import * as fx from "../../mod.ts";
import { type Tensor, tensor } from "../../mod.ts";
import assert from "node:assert/strict";

const live = () => fx.memory().cpu ?? { tensors: 0, bytes: 0 };

Deno.test("valueAndGrad releases every intermediate; only the value and gradients escape", () => {
  const w = tensor([[1, 2], [3, 4]]);
  const x = tensor([[0.5, -1], [2, 0]]);
  const f = (p: Tensor) => fx.sum(fx.tanh(fx.matmul(x, fx.exp(p))));
  const vg = fx.valueAndGrad(f);
  const before = live();
  const [v, g] = vg(w);
  const after = live();
  assert.equal(after.tensors - before.tensors, 2, "value and gradient");
  assert.equal(after.bytes - before.bytes, v.size * 4 + g.size * 4);
  // The results stay usable; the inputs are untouched.
  assert.ok(Number.isFinite(v.dataSync()[0]));
  assert.equal(w.disposed, false);
});

Deno.test("grad of grad keeps what the outer backward pass needs", () => {
  const f = (x: Tensor) => fx.sum(fx.mul(fx.sin(x), fx.exp(x)));
  const before = live().tensors;
  const d2 = fx.grad((x: Tensor) => fx.sum(fx.grad(f)(x)))(tensor([0.3, -0.7]));
  assert.equal(live().tensors - before, 2, "the input and the second derivative");
  // d²/dx² sin(x)e^x = 2 cos(x) e^x.
  const expect = [0.3, -0.7].map((v) => 2 * Math.cos(v) * Math.exp(v));
  const got = [...d2.dataSync()];
  got.forEach((g, i) => assert.ok(Math.abs(g - expect[i]) < 1e-5, `${g} vs ${expect[i]}`));
});

Deno.test("a pytree aux output escapes with its tensors; a vjp pullback works after return", () => {
  const f = (p: { a: Tensor }) => {
    const h = fx.mul(p.a, 3);
    return [fx.sum(h), { h, n: 2 }] as const;
  };
  const [[, aux], g] = fx.valueAndGrad(f, { hasAux: true })({ a: tensor([1, 2]) });
  assert.deepEqual([...aux.h.dataSync()], [3, 6]);
  assert.deepEqual([...g.a.dataSync()], [3, 3]);
  const [y, pull] = fx.vjp((x: Tensor) => fx.exp(x), tensor([0, 1]));
  const [ct] = pull(tensor([1, 1]));
  assert.deepEqual([...ct.dataSync()], [...y.dataSync()]);
});

Deno.test("a disposed tensor cannot be read or computed with, and says why", async () => {
  const t = tensor([1, 2, 3]);
  fx.dispose({ t, n: 1 });
  fx.dispose(t); // twice is harmless
  assert.equal(t.disposed, true);
  assert.throws(() => fx.add(t, 1), /^Error: add: input \[3\] float32 on cpu was disposed/);
  await assert.rejects(() => t.data(), /data: input \[3\] float32 on cpu was disposed/);
  assert.match(t.toString(), /<disposed>/);
});

Deno.test("a tensor kept from inside grad through a closure is disposed, with a clear error", () => {
  let leaked: Tensor | undefined;
  fx.grad((x: Tensor) => {
    leaked = fx.mul(x, 2);
    return fx.sum(leaked);
  })(tensor([1]));
  assert.throws(() => fx.neg(leaked!), /neg: input \[1\] float32 on cpu was disposed .*grad/);
});

Deno.test("reshape shares storage: counted once, released with the last holder", () => {
  const before = live();
  const a = tensor([1, 2, 3, 4]);
  const b = fx.reshape(a, [2, 2]);
  assert.equal(live().tensors - before.tensors, 2);
  assert.equal(live().bytes - before.bytes, 16);
  fx.dispose(a);
  assert.equal(live().bytes - before.bytes, 16, "b still holds the storage");
  assert.deepEqual([...b.dataSync()], [1, 2, 3, 4]);
  fx.dispose(b);
  assert.deepEqual(live(), before);
});

Deno.test("using releases at the end of the block", () => {
  const before = live().tensors;
  {
    using t = tensor([1, 2]);
    assert.equal(live().tensors, before + 1);
    assert.equal(t.disposed, false);
  }
  assert.equal(live().tensors, before);
});

Deno.test("a scoped training step with donated state holds memory flat for 200 steps", () => {
  const opt = fx.optim.adam({ lr: 1e-2 });
  const model = fx.nn.serial(fx.nn.linear(3, 8), fx.nn.relu(), fx.nn.linear(8, 2));
  const { params } = model.init(fx.random.key(0), [4, 3]);
  const x = fx.random.normal(fx.random.key(1), [4, 3]);
  const y = fx.random.normal(fx.random.key(2), [4, 2]);
  const loss = (p: typeof params) => fx.losses.mse(model.apply(p, x), y);
  const step = fx.scoped((p: typeof params, s: ReturnType<typeof opt.init>) => {
    const [l, g] = fx.valueAndGrad(loss)(p);
    const [u, s2] = opt.update(g, s, p);
    return { params: fx.optim.applyUpdates(p, u), state: s2, loss: l };
  }, { donate: [0, 1] });
  let state = { params, state: opt.init(params), loss: tensor(0) };
  state = step(state.params, state.state);
  const first = live();
  let prevLoss = state.loss;
  for (let i = 0; i < 200; i++) {
    fx.dispose(prevLoss);
    state = step(state.params, state.state);
    prevLoss = state.loss;
  }
  assert.deepEqual(live(), first);
  assert.ok(state.loss.dataSync()[0] < 1, "it trained");
});

Deno.test("scoped releases on a throw too, and checks donate indices", () => {
  const before = live().tensors;
  const bad = fx.scoped((x: Tensor) => {
    fx.mul(x, 2);
    throw new Error("boom");
  });
  const x = tensor([1]);
  assert.throws(() => bad(x), /boom/);
  assert.equal(live().tensors, before + 1, "only x");
  assert.throws(
    () => fx.scoped((a: Tensor) => a, { donate: [1] })(x),
    /scoped: donate index 1 is out of range for 1 arguments/,
  );
});

Deno.test("async functions are an error for scoped and valueAndGrad; donation is named", () => {
  const before = live().tensors;
  const step = fx.scoped(async (a: Tensor) => {
    const b = fx.mul(a, 2);
    await Promise.resolve();
    return b;
  });
  const x = tensor([1, 2]);
  assert.throws(
    () => step(x),
    /the function returned a Promise: grad, valueAndGrad and scoped take synchronous functions/,
  );
  assert.equal(live().tensors, before + 1, "only x");
  const donating = fx.scoped((a: Tensor) => fx.add(a, 1), { donate: [0] });
  donating(x);
  assert.throws(
    () => fx.neg(x),
    /was disposed \(by dispose\(\), a using declaration, donation to a scoped call/,
  );
});

Deno.test("backends by name; a wrong backend option says what is expected", () => {
  assert.equal(tensor([1], { backend: "cpu" }).backend.name, "cpu");
  assert.throws(
    () => tensor([1], { backend: "tpu" as "cpu" }),
    /^RangeError: tensor: no backend "tpu"; choose one of cpu, webgpu/,
  );
  assert.throws(
    () => tensor([1], { backend: {} as "cpu" }),
    /tensor: backend must be a backend name \(cpu, webgpu\) or a Backend/,
  );
  assert.throws(
    () => fx.softmax(tensor([1, 2]), { axis: 0 } as unknown as number),
    /^TypeError: softmax: axis must be an integer, got \{"axis":0\}/,
  );
});

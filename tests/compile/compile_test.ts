/**
 * `compile`: a compiled training step (MLP with dropout, cross-entropy, Adam) gives the same bits
 * as the eager step over several steps with fresh dropout keys; new shapes retrace, the same
 * shapes replay; reading data inside is an error naming the call; gradients flow through a
 * compiled function.
 */
import * as fx from "../../mod.ts";
import assert from "node:assert/strict";

const net = fx.nn.sequential({
  fc1: fx.nn.linear(12, 16),
  act: fx.nn.relu(),
  drop: fx.nn.dropout(0.3),
  fc2: fx.nn.linear(16, 4),
});
// Capturable: the step count is a tensor, so one trace serves every step.
const opt = fx.optim.capturable(fx.optim.adam({ lr: 1e-2 }));
type S = ReturnType<typeof opt.init>;

function step(p: fx.nn.Params, s: S, x: fx.Tensor, y: fx.Tensor, key: fx.random.Key) {
  const [loss, g] = fx.valueAndGrad((q: fx.nn.Params) =>
    fx.losses.crossEntropy(net.apply(q, x, { training: true, key }), y)
  )(p);
  const [u, s2] = opt.update(g, s, p);
  return { params: fx.optim.applyUpdates(p, u), state: s2, loss };
}

function train(run: typeof step, batch: number, steps: number): Float32Array[] {
  const x = fx.random.normal(fx.random.key(1), [batch, 12]);
  const y = fx.random.randint(fx.random.key(2), [batch], 0, 4);
  let params = net.init(fx.random.key(0), [batch, 12]).params;
  let state = opt.init(params);
  const out: Float32Array[] = [];
  for (let i = 0; i < steps; i++) {
    const r = run(params, state, x, y, fx.random.foldIn(fx.random.key(9), i));
    params = r.params;
    state = r.state;
    out.push(r.loss.dataSync() as Float32Array);
  }
  out.push(...fx.tree.leaves(params).map((t) => t.dataSync() as Float32Array));
  return out;
}

Deno.test("a compiled training step equals the eager one, bit for bit, with fresh dropout masks", () => {
  const compiled = fx.compile(step);
  const eager = train(step, 8, 3);
  const got = train(compiled, 8, 3);
  got.forEach((a, i) => assert.deepEqual(a, eager[i], `result ${i}`));
  assert.equal(compiled.traces(), 1, "one trace for every step");
  assert.ok(eager[0][0] !== eager[1][0], "the loss changes between steps");
  // Dropout masks differ between steps: the same step replayed with another key differs.
  const x = fx.random.normal(fx.random.key(3), [8, 12]);
  const p = net.init(fx.random.key(0), [8, 12]).params;
  const f = fx.compile((q: fx.nn.Params, k: fx.random.Key) =>
    net.apply(q, x, { training: true, key: k })
  );
  const a = f(p, fx.random.key(4)).dataSync(), b = f(p, fx.random.key(5)).dataSync();
  assert.notDeepEqual(a, b);
  assert.deepEqual(a, net.apply(p, x, { training: true, key: fx.random.key(4) }).dataSync());
  assert.equal(f.traces(), 1, "one trace serves every key");
});

Deno.test("compile retraces for new shapes and replays for known ones", () => {
  const f = fx.compile((x: fx.Tensor, w: fx.Tensor) => fx.relu(fx.matmul(x, w)));
  const w = fx.random.normal(fx.random.key(6), [5, 3]);
  for (const n of [2, 7, 2, 7, 4]) {
    const x = fx.random.normal(fx.random.key(n), [n, 5]);
    assert.deepEqual(f(x, w).dataSync(), fx.relu(fx.matmul(x, w)).dataSync());
  }
  assert.equal(f.traces(), 3);
  const g = f.graph(fx.zeros([2, 5]), w)!;
  assert.deepEqual(g.nodes.map((n) => n.op), ["input", "input", "matmul", "relu"]);
});

Deno.test("compile: data reads inside are errors; gradients flow through a compiled function", () => {
  const bad = fx.compile((x: fx.Tensor) => (x.dataSync()[0] > 0 ? x : fx.neg(x)));
  assert.throws(() => bad(fx.ones([3])), /trace: dataSync read the data of a float32 tensor \[3\]/);
  const f = fx.compile((x: fx.Tensor) => fx.sum(fx.mul(fx.sin(x), x)));
  const x = fx.tensor([0.5, -1, 2]);
  const dx = fx.grad(f)(x).dataSync();
  const want = fx.grad((t: fx.Tensor) => fx.sum(fx.mul(fx.sin(t), t)))(x).dataSync();
  assert.deepEqual(dx, want);
  assert.throws(() => fx.compile(3 as never), /compile: f must be a function/);
  // A branch on a value needs a read: an async function is refused, naming the reason.
  const branchy = fx.compile(async (x: fx.Tensor) => ((await x.item()) > 0 ? x : fx.neg(x)));
  assert.throws(() => branchy(fx.ones([])), /trace: the traced function returned a Promise/);
  // A plain-number optimizer count changes every step: each step is a new signature.
  const plain = fx.optim.sgd({ lr: 0.1 });
  const upd = fx.compile((g: fx.Tensor, s: unknown) => plain.update(g, s as never));
  let s: unknown = plain.init(x);
  for (let i = 0; i < 3; i++) s = upd(x, s)[1];
  assert.equal(upd.traces(), 3, "a number in the arguments is part of the signature");
});

/**
 * chain, applyUpdates and the building blocks: composition order, associativity, equivalence of
 * a chain of parts with PyTorch's SGD, purity (nothing mutated, updates repeatable), the state as
 * a pytree, and argument errors.
 */
import assert from "node:assert/strict";
import { optim, type Tensor, tensor, tree } from "../../mod.ts";
import { assertClose } from "../assert_close.ts";
import { assertPairClose, fixture, loadPair, makeOptimizer, type Pair } from "./fixture.ts";

const run = (opt: optim.GradientTransformation<unknown>, name: string) => {
  const c = fixture.trajectories.find((t) => t.name === name)!;
  let params: Pair<Tensor> = loadPair(c.params0);
  let state = opt.init(params);
  c.grads.forEach((g, step) => {
    const [u, s] = opt.update(loadPair(g), state, params);
    params = optim.applyUpdates(params, u);
    state = s;
    assertPairClose(params, c.params[step], `${name} step ${step + 1}`);
  });
};

Deno.test("chain applies transformations left to right", () => {
  const g = { x: tensor([0.3, -0.8, 2]) };
  const a = optim.chain(optim.scale(2), optim.clipByValue(1));
  const b = optim.chain(optim.clipByValue(1), optim.scale(2));
  assertClose(a.update(g, a.init(g))[0].x.dataSync(), [0.6, -1, 1]);
  assertClose(b.update(g, b.init(g))[0].x.dataSync(), [0.6, -1.6, 2]);
  const c = optim.chain(optim.clipByValue(1), optim.scaleByLearningRate(0.5));
  assertClose(c.update(g, c.init(g))[0].x.dataSync(), [-0.15, 0.4, -0.5]);
});

Deno.test("chain(addDecayedWeights, scaleByLearningRate) is PyTorch's SGD with weight decay", () => {
  run(
    optim.chain(optim.addDecayedWeights(0.1), optim.scaleByLearningRate(0.1)),
    "sgd_weight_decay",
  );
  run(optim.chain(optim.identity(), optim.scaleByLearningRate(0.1)), "sgd_plain");
});

Deno.test("chain is associative and the empty chain is the identity", () => {
  const parts = () =>
    [optim.clipByGlobalNorm(2), optim.identity(), optim.sgd({ lr: 0.1, momentum: 0.9 })] as const;
  const [a, b, c] = parts();
  run(optim.chain(optim.chain(a, b), c), "sgd_momentum_clip");
  const [d, e, f] = parts();
  run(optim.chain(d, optim.chain(e, f)), "sgd_momentum_clip");
  const g = { x: tensor([1, 2]) };
  const id = optim.chain();
  assert.equal(id.update(g, id.init(g))[0], g);
});

Deno.test("addDecayedWeights with a mask decays only the selected leaves", () => {
  const params = { fc: { weight: tensor([1, -2]), bias: tensor([3]) } };
  const grads = { fc: { weight: tensor([0.5, 0.5]), bias: tensor([0.5]) } };
  const t = optim.addDecayedWeights(0.1, { mask: (path) => path.endsWith("weight") });
  const [u] = t.update(grads, t.init(params), params);
  assertClose(u.fc.weight.dataSync(), [0.6, 0.3]);
  assertClose(u.fc.bias.dataSync(), [0.5]);
  assert.throws(
    () => t.update(grads, t.init(params)),
    /addDecayedWeights: update needs the current parameters/,
  );
});

Deno.test("updates are pure: inputs unchanged, the same state gives the same updates", () => {
  const c = fixture.trajectories.find((t) => t.name === "adam_amsgrad")!;
  const opt = makeOptimizer("adam", c.options);
  const params = loadPair(c.params0);
  const g = loadPair(c.grads[0]);
  const s0 = opt.init(params);
  const [, s1] = opt.update(g, s0, params);
  const snapshot = (t: unknown) => tree.leaves(t).map((x) => Array.from(x.dataSync()));
  const before = [snapshot(params), snapshot(g), snapshot(s1)];
  const [u1, s2a] = opt.update(g, s1, params);
  const [u2, s2b] = opt.update(g, s1, params);
  assert.deepEqual([snapshot(params), snapshot(g), snapshot(s1)], before);
  assert.deepEqual(snapshot(u1), snapshot(u2));
  assert.deepEqual(snapshot(s2a), snapshot(s2b));
  const next = optim.applyUpdates(params, u1);
  assert.notEqual(next, params);
  assert.deepEqual(snapshot(params), before[0]);
});

Deno.test("optimizer state is a pytree of tensors and step counts", () => {
  const opt = optim.adam({ amsgrad: true });
  const params = { fc1: { weight: tensor([[1, 2]]), bias: tensor([0]) } };
  let state = opt.init(params);
  state = opt.update(params, state, params)[1];
  assert.equal(state.count, 1);
  assert.deepEqual(tree.flattenWithPaths(state).map(([p]) => p), [
    "mu.fc1.bias",
    "mu.fc1.weight",
    "nu.fc1.bias",
    "nu.fc1.weight",
    "nuMax.fc1.bias",
    "nuMax.fc1.weight",
  ]);
  const sgdState = optim.sgd({ lr: 0.1 }).init(params);
  assert.deepEqual(sgdState, { count: 0, momentumBuffer: null });
});

Deno.test("optimizers reject PyTorch's invalid options, naming the optimizer", () => {
  // deno-lint-ignore no-explicit-any -- lr missing on purpose
  assert.throws(() => optim.sgd({} as any), /sgd: the learning rate lr is required/);
  assert.throws(() => optim.sgd({ lr: -1 }), /sgd: invalid learning rate -1/);
  assert.throws(() => optim.sgd({ lr: 0.1, nesterov: true }), /sgd: Nesterov momentum requires/);
  assert.throws(
    () => optim.sgd({ lr: 0.1, momentum: 0.9, dampening: 0.1, nesterov: true }),
    /Nesterov/,
  );
  assert.throws(() => optim.adam({ betas: [1, 0.999] }), /adam: invalid beta1 \(betas\[0\]\) 1/);
  assert.throws(() => optim.adamw({ eps: -1 }), /adamw: invalid eps -1/);
  assert.throws(() => optim.rmsprop({ momentum: -0.5 }), /rmsprop: invalid momentum/);
  assert.throws(() => optim.adadelta({ rho: 1.5 }), /adadelta: invalid rho 1.5/);
  assert.throws(() => optim.adagrad({ lrDecay: -1 }), /adagrad: invalid lrDecay/);
});

Deno.test("update errors name the optimizer: missing parameters, mismatched trees", () => {
  const params = { w: tensor([1, 2]) };
  const adam = optim.adam({ weightDecay: 0.1 });
  assert.throws(
    () => adam.update(params, adam.init(params)),
    /adam: update needs the current parameters/,
  );
  const sgd = optim.sgd({ lr: 0.1, momentum: 0.9 });
  assert.throws(
    () => sgd.update({ v: tensor([1, 2]) }, sgd.init(params)),
    /sgd: the trees \(gradients, buf\) must have one structure/,
  );
  const chained = optim.chain(optim.clipByValue(1));
  assert.throws(
    () => chained.update(params, [] as unknown as [optim.EmptyState]),
    /chain: expected a state of 1 entries/,
  );
});

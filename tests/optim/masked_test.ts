/**
 * masked: frozen leaves stay bitwise equal, selected leaves follow the inner optimizer exactly
 * (checked against PyTorch's Adam trajectory), mask trees (with prefixes) and path predicates.
 */
import assert from "node:assert/strict";
import { neg, optim, type Tensor, tensor, tree, zeros } from "../../mod.ts";
import { rng } from "../test_rng.ts";
import { assertPairClose, fixture, loadPair, makeOptimizer, type Pair } from "./fixture.ts";

const rand = rng(7);
const randT = (shape: number[]) => {
  const n = shape.reduce((a, b) => a * b, 1);
  return tensor(Array.from({ length: n }, rand), { shape });
};
const net = () => ({
  conv1: { weight: randT([2, 1, 3, 3]), bias: randT([2]) },
  conv2: { weight: randT([2, 2, 3, 3]), bias: randT([2]) },
  fc: { weight: randT([3, 8]), bias: randT([3]) },
});
const sameBits = (a: Tensor, b: Tensor) =>
  assert.deepEqual(new Uint32Array(a.dataSync().buffer), new Uint32Array(b.dataSync().buffer));

Deno.test("masked freezes everything under conv1 and conv2 (predicate over paths)", () => {
  const p0 = net();
  const opt = optim.chain(
    optim.clipByGlobalNorm(1),
    optim.masked(optim.adam({ lr: 0.1 }), (path) => !/^conv[12]\./.test(path)),
  );
  let params = p0;
  let state = opt.init(params);
  for (let i = 0; i < 3; i++) {
    const grads = tree.map((p: Tensor) => randT([...p.shape]), params);
    const [u, s] = opt.update(grads, state, params);
    params = optim.applyUpdates(params, u);
    state = s;
  }
  for (const k of ["conv1", "conv2"] as const) {
    sameBits(params[k].weight, p0[k].weight);
    sameBits(params[k].bias, p0[k].bias);
  }
  assert.notDeepEqual(params.fc.weight.dataSync(), p0.fc.weight.dataSync());
  // The inner state holds moments for the trainable leaves only.
  assert.deepEqual(
    tree.flattenWithPaths(state[1].inner).map(([p]) => p),
    ["mu.fc.bias", "mu.fc.weight", "nu.fc.bias", "nu.fc.weight"],
  );
});

Deno.test("masked leaves follow the inner optimizer exactly: Adam on w matches PyTorch", () => {
  const c = fixture.trajectories.find((t) => t.name === "adam_lr")!;
  const adam = makeOptimizer(c.optimizer, c.options);
  const opt = optim.masked(adam, { w: true, b: false });
  const p0 = loadPair(c.params0);
  let params: Pair<Tensor> = p0;
  let state = opt.init(params);
  c.grads.forEach((g, step) => {
    const [u, s] = opt.update(loadPair(g), state, params);
    params = optim.applyUpdates(params, u);
    state = s;
    const expected = { w: c.params[step].w, b: c.params0.b };
    assertPairClose(params, expected, `masked adam step ${step + 1}`);
    sameBits(params.b, p0.b);
  });
});

Deno.test("a mask tree may be a prefix of the parameters", () => {
  const params = net();
  const flags = optim.maskFlags("t", params, {
    conv1: false,
    conv2: { weight: true, bias: false },
    fc: true,
  });
  // leaves in tree order: conv1.bias, conv1.weight, conv2.bias, conv2.weight, fc.bias, fc.weight
  assert.deepEqual(flags, [false, false, false, true, true, true]);
  assert.deepEqual(optim.maskFlags("t", params, true), [true, true, true, true, true, true]);
});

Deno.test("a frozen -0 stays -0 and an all-false mask changes nothing", () => {
  const params = { a: neg(zeros([2])), b: tensor([1, 2]) };
  const opt = optim.masked(optim.sgd({ lr: 1, momentum: 0.9 }), false);
  const [u] = opt.update({ a: tensor([5, 5]), b: tensor([5, 5]) }, opt.init(params), params);
  const next = optim.applyUpdates(params, u);
  assert.ok(Object.is(next.a.dataSync()[0], -0));
  sameBits(next.b, params.b);
});

Deno.test("masks that do not fit are reported with the path", () => {
  const params = net();
  const opt = optim.masked(optim.sgd({ lr: 1 }), { conv1: true, conv2: true });
  assert.throws(
    () => opt.init(params),
    /masked: the mask does not fit the parameters at "fc": the mask has no entry/,
  );
  const bad = optim.masked(optim.sgd({ lr: 1 }), {
    conv1: { weight: [true] },
    conv2: true,
    fc: true,
  });
  assert.throws(() => bad.init(params), /at "conv1.bias"/);
  // deno-lint-ignore no-explicit-any -- a predicate that breaks its contract at run time
  const notBool = optim.masked(optim.sgd({ lr: 1 }), (() => 1) as any);
  assert.throws(
    () => notBool.init(params),
    /masked: the mask predicate returned 1 for "conv1.bias"/,
  );
  // deno-lint-ignore no-explicit-any -- not a transformation
  assert.throws(() => optim.masked({} as any, true), /masked: the first argument must be/);
});

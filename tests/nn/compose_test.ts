/**
 * Composition of models: names, forward results against hand-composed ops, the category laws,
 * branching combinators, and shape errors that report every mismatch with its path.
 */
import assert from "node:assert/strict";
import type * as HKT from "fp-ts/HKT.js";
import type { Category2 } from "fp-ts/Category.js";
import { add, matmul, mul, nn, random, type Tensor, tensor, transpose, tree } from "../../mod.ts";
import { assertClose } from "../assert_close.ts";
import { rng } from "../test_rng.ts";

declare module "fp-ts/HKT" {
  interface URItoKind2<E, A> {
    readonly Model: nn.Model<E, A>;
  }
}

// The structural match the design asks for: ModelCategory is an fp-ts Category2 for "Model".
const category: Category2<"Model"> = nn.ModelCategory;
const _kindCheck: HKT.Kind2<"Model", Tensor, Tensor> = nn.linear(1, 1);

const randomInput = (seed: number, shape: number[]) => {
  const r = rng(seed);
  return tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, r), { shape });
};

const scale = (k: number) =>
  nn.layer<Tensor, Tensor>({
    name: `Scale(${k})`,
    init: (_key, shape) => ({ params: {}, state: {}, outputShape: shape }),
    call: (_p, state, x) => [mul(x, k), state],
  });

Deno.test("serial names parameters 0, 1, ... and equals the hand-composed ops", () => {
  const net = nn.serial(nn.linear(3, 4), scale(2), nn.linear(4, 2));
  const { params, outputShape } = net.init(random.key(0), [5, 3]);
  assert.deepEqual(outputShape, [5, 2]);
  assert.deepEqual(tree.flattenWithPaths(params).map(([p]) => p), [
    "0.bias",
    "0.weight",
    "2.bias",
    "2.weight",
  ]);
  const x = randomInput(1, [5, 3]);
  const p = params as Record<string, { weight: Tensor; bias: Tensor }>;
  const h = mul(add(matmul(x, transpose(p["0"].weight)), p["0"].bias), 2);
  const expected = add(matmul(h, transpose(p["2"].weight)), p["2"].bias);
  assertClose(net.apply(params, x).dataSync(), expected.dataSync(), { rtol: 1e-6 });
});

Deno.test("sequential names parameters by child (PyTorch state_dict names)", () => {
  const net = nn.sequential({ fc1: nn.linear(4, 8), act: scale(1), fc2: nn.linear(8, 2) });
  const { params } = net.init(random.key(0), [1, 4]);
  assert.deepEqual(Object.keys(nn.toStateDict(params)), [
    "fc1.bias",
    "fc1.weight",
    "fc2.bias",
    "fc2.weight",
  ]);
  assert.deepEqual(nn.toStateDict(params)["fc1.weight"].shape, [8, 4]);
  assert.throws(() => nn.sequential({ "a.b": nn.linear(1, 1) }), /child name "a.b"/);
});

Deno.test("category laws: identity is a unit and composition is associative, exactly", () => {
  const { compose, id } = category;
  const f = nn.linear(3, 4);
  const g = scale(3);
  const h = nn.linear(4, 2);
  assert.equal(compose(id(), f), f);
  assert.equal(compose(f, id()), f);
  const left = compose(h, compose(g, f));
  const right = compose(compose(h, g), f);
  const k = random.key(7);
  const pl = left.init(k, [6, 3]).params;
  const pr = right.init(k, [6, 3]).params;
  // The same parameter names and values...
  const fl = nn.toStateDict(pl);
  const fr = nn.toStateDict(pr);
  assert.deepEqual(Object.keys(fl), Object.keys(fr));
  for (const name of Object.keys(fl)) assert.deepEqual(fl[name].dataSync(), fr[name].dataSync());
  // ...and the same function on random inputs.
  for (let seed = 0; seed < 5; seed++) {
    const x = randomInput(100 + seed, [6, 3]);
    assertClose(left.apply(pl, x).dataSync(), right.apply(pr, x).dataSync(), { rtol: 0, atol: 0 });
  }
  // compose(bc, ab) runs ab first: linear 3->4 then scale.
  const fg = compose(g, f);
  const p = fg.init(k, [2, 3]).params;
  const x = randomInput(9, [2, 3]);
  const pf = (p as Record<string, nn.Params>)["0"];
  assertClose(fg.apply(p, x).dataSync(), mul(f.apply(pf, x), 3).dataSync(), { rtol: 1e-6 });
});

Deno.test("parallel, fanOut and residual wire their children", () => {
  const par = nn.parallel(nn.linear(2, 3), nn.linear(4, 1));
  const pp = par.init(random.key(0), [[5, 2], [5, 4]]);
  assert.deepEqual(pp.outputShape, [[5, 3], [5, 1]]);
  const [a, b] = par.apply(pp.params, [randomInput(1, [5, 2]), randomInput(2, [5, 4])]);
  assert.deepEqual([a.shape, b.shape], [[5, 3], [5, 1]]);

  const fan = nn.fanOut(nn.linear(2, 3), scale(2));
  const pf = fan.init(random.key(0), [5, 2]);
  assert.deepEqual(pf.outputShape, [[5, 3], [5, 2]]);
  const x = randomInput(3, [5, 2]);
  const [, doubled] = fan.apply(pf.params, x);
  assertClose(doubled.dataSync(), mul(x, 2).dataSync());

  const res = nn.residual(scale(4));
  assertClose(res.apply({}, x).dataSync(), mul(x, 5).dataSync());
  assert.throws(() => nn.residual(nn.linear(2, 3)).init(random.key(0), [5, 2]), {
    name: "ShapeError",
    message: /a residual needs the same shape/,
  });
});

Deno.test("init reports every shape mismatch, with the path of the layer", () => {
  const net = nn.sequential({
    body: nn.serial(nn.linear(4, 8)),
    head: nn.linear(8, 2),
  });
  try {
    net.init(random.key(0), [3, 5]);
    assert.fail("no error");
  } catch (e) {
    assert.ok(e instanceof nn.ShapeError);
    assert.deepEqual(e.problems, [
      "body.0: Linear(in_features=4, out_features=8, bias=True): expects 4 input features, got input [3,5]",
    ]);
    assert.deepEqual(e.paths, [["body", "0"]]);
  }
  // Several problems in one layer are reported together.
  const multi = nn.layer<Tensor, Tensor>({
    name: "Picky",
    init: () => {
      throw new nn.ShapeError(["first problem", "second problem"]);
    },
    call: (_p, s, x) => [x, s],
  });
  assert.throws(() => nn.serial(multi).init(random.key(0), [1]), {
    message: "2 shape problems:\n  0: first problem\n  0: second problem",
  });
});

Deno.test("a missing parameter names the layer and what it has", () => {
  const fc = nn.linear(2, 3);
  assert.throws(
    () => fc.apply({ weight: tensor([[1, 2], [3, 4], [5, 6]]) }, tensor([[1, 1]])),
    /Linear\(in_features=2, out_features=3, bias=True\): parameter "bias" is missing \(have weight\)/,
  );
  assert.throws(
    () => fc.apply({ weight: tensor([[1, 2]]), bias: tensor([0, 0, 0]) }, tensor([[1, 1]])),
    /parameter "weight" has shape \[1,2\], expected \[3,2\]/,
  );
});

Deno.test("errors while applying a child name its path, with the original as cause", () => {
  const net = nn.sequential({ body: nn.serial(nn.linear(4, 8)), head: nn.linear(8, 2) });
  const { params } = net.init(random.key(0), [1, 4]);
  try {
    net.apply(params, tensor([[1, 2, 3, 4, 5]]));
    assert.fail("no error");
  } catch (e) {
    assert.ok(e instanceof nn.LayerError);
    assert.deepEqual(e.path, ["body", "0"]);
    assert.equal(
      e.message,
      "body.0: Linear(in_features=4, out_features=8, bias=True): expects input [..., 4], got [1,5] float32",
    );
    assert.ok(e.cause instanceof Error);
  }
  const par = nn.parallel(nn.linear(2, 3), nn.linear(4, 1));
  const pp = par.init(random.key(0), [[1, 2], [1, 4]]).params;
  assert.throws(
    () => par.apply(pp, [tensor([[1, 2]])]),
    /Parallel: expects a list of 2 inputs, got 1/,
  );
});

Deno.test("apply in training mode refuses to drop a stateful model's new state", () => {
  const net = nn.sequential({ fc: nn.linear(3, 3), bn: nn.batchNorm1d(3) });
  const { params, state } = net.init(random.key(0), [4, 3]);
  const x = randomInput(5, [4, 3]);
  assert.throws(
    () => net.apply(params, x, { training: true, state }),
    { message: /^Sequential\(.*\): apply in training mode would drop the updated state/ },
  );
  const [, next] = net.applyWithState(params, state, x, { training: true });
  assert.notEqual(
    nn.toStateDict(next)["bn.running_mean"],
    nn.toStateDict(state)["bn.running_mean"],
  );
  // Evaluation keeps the state as it is, so apply is fine there.
  assert.deepEqual(net.apply(params, x, { state: next }).shape, [4, 3]);
});

/**
 * Regularizers: values against the closed forms (sums computed here in JS float64), gradients
 * against the closed forms `scale · sign(w)` and `2 · scale · w` and against finite differences,
 * masks as trees, subtree booleans and path predicates, and the errors.
 */
import assert from "node:assert/strict";
import { assertClose } from "../assert_close.ts";
import { checkGrad, Gen, read } from "../autodiff/gradcheck.ts";
import { add, grad, losses, regularizers, type Tensor, tensor, tree } from "../../mod.ts";

const g = new Gen(3);
const params = {
  fc1: { weight: g.tensor([3, 2]), bias: g.tensor([3]) },
  fc2: { weight: g.tensor([1, 3]), bias: g.tensor([1]) },
  layers: [{ weight: g.tensor([2]) }],
  steps: tensor([5], { dtype: "int32" }), // not floating point: never penalized
  name: "net", // static data
};
const vals = (t: Tensor) => Array.from(read(t));
const l1Of = (ts: Tensor[]) => ts.flatMap(vals).reduce((s, v) => s + Math.abs(v), 0);
const l2Of = (ts: Tensor[]) => ts.flatMap(vals).reduce((s, v) => s + v * v, 0);
const weights = [params.fc1.weight, params.fc2.weight, params.layers[0].weight];
const floats = [params.fc1.bias, params.fc1.weight, params.fc2.bias, params.fc2.weight, ...[
  params.layers[0].weight,
]];

Deno.test("l1, l2 and l1l2 equal their closed forms", async () => {
  assertClose(await regularizers.l1(params).item(), l1Of(floats), { rtol: 1e-12 });
  assertClose(await regularizers.l2(params).item(), l2Of(floats), { rtol: 1e-12 });
  assertClose(await regularizers.l1(params, { scale: 0.01 }).item(), 0.01 * l1Of(floats), {
    rtol: 1e-12,
  });
  assertClose(await regularizers.l2(params, { scale: 3e-4 }).item(), 3e-4 * l2Of(floats), {
    rtol: 1e-12,
  });
  assertClose(
    await regularizers.l1l2(params, { l1: 0.1, l2: 0.2 }).item(),
    0.1 * l1Of(floats) + 0.2 * l2Of(floats),
    { rtol: 1e-12 },
  );
  // float32 parameters give a float32 penalty; nothing selected gives 0.
  const p32 = regularizers.l2({ w: tensor([1, -2, 3]) }, { scale: 0.5 });
  assert.equal(p32.dtype, "float32");
  assertClose(await p32.item(), 7);
  assert.equal(await regularizers.l2({ w: tensor([1]) }, { mask: () => false }).item(), 0);
  assert.equal(await regularizers.l1({}).item(), 0);
});

Deno.test("masks: a boolean tree, subtree booleans and path predicates select the same leaves", async () => {
  const byTree = {
    fc1: { weight: true, bias: false },
    fc2: { weight: true, bias: false },
    layers: [{ weight: true }],
    steps: true,
    name: false,
  };
  const byPredicate = (path: string) => path.endsWith("weight");
  const expected = l2Of(weights);
  for (const mask of [byTree, byPredicate]) {
    assertClose(await regularizers.l2(params, { mask }).item(), expected, { rtol: 1e-12 });
  }
  // A boolean stands for a whole subtree; keys holding only static data may be left out.
  const subtree = { fc1: true, fc2: false, layers: false, steps: false };
  assertClose(
    await regularizers.l1(params, { mask: subtree }).item(),
    l1Of([params.fc1.bias, params.fc1.weight]),
    { rtol: 1e-12 },
  );
  // The predicate sees every tensor leaf by its dotted path, as tree.flattenWithPaths names them
  // (integer leaves such as "steps" are asked about but never penalized).
  const seen: string[] = [];
  regularizers.l1(params, { mask: (p) => (seen.push(p), true) });
  assert.deepEqual(seen, [
    "fc1.bias",
    "fc1.weight",
    "fc2.bias",
    "fc2.weight",
    "layers.0.weight",
    "steps",
  ]);
});

Deno.test("gradients: scale·sign(w) and 2·scale·w on selected leaves, 0 elsewhere", () => {
  const mask = (path: string) => path.endsWith("weight");
  const sel = (path: string) => mask(path) ? 1 : 0;
  const scale = 0.3;
  // grad takes floating-point leaves only: leave out the int32 counter.
  const { steps: _steps, ...floatParams } = params;
  type F = typeof floatParams;
  const check = (f: (p: F) => Tensor, d: (w: number) => number) => {
    const gr = grad(f)(floatParams);
    for (const [path, leaf] of tree.flattenWithPaths(gr)) {
      const w = vals(tree.flattenWithPaths(params).find(([q]) => q === path)![1]);
      assertClose(vals(leaf), w.map((v) => sel(path) * d(v)), { rtol: 1e-12, msg: path });
    }
  };
  check((p) => regularizers.l1(p, { scale, mask }), (w) => scale * Math.sign(w));
  check((p) => regularizers.l2(p, { scale, mask }), (w) => 2 * scale * w);
  check(
    (p) => regularizers.l1l2(p, { l1: 0.1, l2: scale, mask }),
    (w) => 0.1 * Math.sign(w) + 2 * scale * w,
  );
  // Against finite differences, added to a loss as intended.
  const x = g.tensor([4, 3]);
  const labels = tensor([0, 2, 1, 1], { dtype: "int32" });
  checkGrad(
    (w: Tensor, b: Tensor) =>
      add(
        losses.crossEntropy(add(x, w), labels),
        regularizers.l1l2({ w, b }, { l1: 0.05, l2: 0.1, mask: { w: true, b: false } }),
      ),
    [g.tensor([4, 3], { avoid: (v) => Math.abs(v) < 0.05 }), g.tensor([3])],
    { rtol: 1e-6, atol: 1e-8, name: "crossEntropy + l1l2" },
  );
});

Deno.test("regularizer errors name the regularizer and the path", () => {
  const p = { fc: { weight: tensor([1]), bias: tensor([2]) }, out: [tensor([3])] };
  const cases: [() => unknown, RegExp][] = [
    [
      () => regularizers.l2(p, { mask: { fc: { weight: true } } as regularizers.MaskTree }),
      /^regularizers\.l2: the mask does not fit the parameters at "fc\.bias": the mask has no entry/,
    ],
    [
      () => regularizers.l1(p, { mask: { fc: true, out: [true, false] } }),
      /^regularizers\.l1: the mask does not fit the parameters at "out": expected a boolean or an array of length 1/,
    ],
    [
      () => regularizers.l1(p, { mask: { fc: { weight: 1, bias: true }, out: true } as never }),
      /^regularizers\.l1: the mask does not fit the parameters at "fc\.weight": expected a boolean for a tensor/,
    ],
    [
      () => regularizers.l1(p, { mask: [true] as never }),
      /^regularizers\.l1: the mask does not fit the parameters at the root: expected a boolean or an object/,
    ],
    [
      () => regularizers.l2(p, { mask: () => 1 as unknown as boolean }),
      /^regularizers\.l2: the mask predicate returned 1 for "fc\.bias"/,
    ],
    [
      () => regularizers.l2(p, { scale: "0.1" as unknown as number }),
      /^regularizers\.l2: scale must be a finite number, got string "0\.1"/,
    ],
    [
      () => regularizers.l1l2(p, { l1: NaN }),
      /^regularizers\.l1l2: l1 must be a finite number, got number NaN/,
    ],
  ];
  for (const [f, re] of cases) {
    let msg = "(no error)";
    try {
      f();
    } catch (e) {
      msg = (e as Error).message;
    }
    assert.match(msg, re, `got ${msg}`);
  }
});

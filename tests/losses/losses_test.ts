/**
 * Losses against PyTorch 1.13 reference values (tests/fixtures/losses.json, written by
 * tools/fixtures/losses.py): every loss and reduction, with class weights, ignored targets, label
 * smoothing, probability targets and posWeight, comparing the value and the gradient of
 * sum(loss * R) with respect to the prediction (float32, rtol 1e-5 and atol 1e-6 relative to the
 * largest expected magnitude). Then stability cases, finite-difference checks in float64, and a
 * table of errors.
 */
import assert from "node:assert/strict";
import { assertClose } from "../assert_close.ts";
import { checkGrad, Gen } from "../autodiff/gradcheck.ts";
import {
  cast,
  grad,
  logSoftmax,
  losses,
  mul,
  sigmoid,
  sum,
  type Tensor,
  tensor,
  zeros,
} from "../../mod.ts";

interface Enc {
  shape: number[];
  dtype: "float32" | "int32";
  data: number[];
}
interface Case {
  name: string;
  loss: string;
  opts: Record<string, unknown>;
  pred: Enc;
  target: Enc;
  r: Enc;
  out: Enc;
  grad: Enc;
  weight?: Enc;
  posWeight?: Enc;
}

const fixture: { torch: string; cases: Case[] } = JSON.parse(
  await Deno.readTextFile(new URL("../fixtures/losses.json", import.meta.url)),
);
const dec = (e: Enc): Tensor => tensor(e.data, { shape: e.shape, dtype: e.dtype });
type LossFn = (p: Tensor, t: Tensor, o: Record<string, unknown>) => Tensor;
const fns: Record<string, LossFn> = {
  mse: losses.mse,
  mae: losses.mae,
  huber: losses.huber,
  binaryCrossEntropy: losses.binaryCrossEntropy,
  binaryCrossEntropyWithLogits: losses.binaryCrossEntropyWithLogits,
  crossEntropy: losses.crossEntropy,
  nll: losses.nll,
  klDivergence: losses.klDivergence as LossFn,
};

/** Float32 closeness: rtol 1e-5, atol 1e-6 times the largest expected magnitude (at least 1). */
function close(actual: Tensor, expected: Enc, msg: string): void {
  assert.deepEqual(actual.shape, expected.shape, `${msg}: shape`);
  assert.equal(actual.dtype, "float32", `${msg}: dtype`);
  const scale = Math.max(1, ...expected.data.map(Math.abs));
  assertClose(actual.dataSync(), expected.data, { rtol: 1e-5, atol: 1e-6 * scale, msg });
}

Deno.test(`losses match PyTorch ${fixture.torch} (${fixture.cases.length} cases)`, () => {
  assert.ok(fixture.cases.length >= 80);
  for (const c of fixture.cases) {
    const f = fns[c.loss];
    assert.ok(f, `unknown loss ${c.loss}`);
    const opts: Record<string, unknown> = { ...c.opts };
    if (c.weight) opts.weight = dec(c.weight);
    if (c.posWeight) opts.posWeight = dec(c.posWeight);
    const target = dec(c.target);
    const r = dec(c.r);
    const loss = (p: Tensor) => f(p, target, opts);
    close(loss(dec(c.pred)), c.out, `${c.name}: value`);
    const g = grad((p: Tensor) => sum(mul(loss(p), r)))(dec(c.pred));
    close(g, c.grad, `${c.name}: gradient`);
  }
});

Deno.test("the fixture covers every loss, reduction and option", () => {
  const names = fixture.cases.map((c) => c.name).join("\n");
  for (const part of ["mse", "mae", "huber", "bce ", "bcel", "ce idx", "ce prob", "nll", "kl"]) {
    for (const red of ["mean", "sum", "none"]) {
      assert.match(names, new RegExp(`^${part}.* ${red}$`, "m"), `${part} ${red}`);
    }
  }
  for (
    const part of [
      "kl batchmean",
      "posWeight",
      "ignore=2",
      "ls=0.15",
      "prob weight ls=0.2",
      "spatial",
    ]
  ) {
    assert.ok(names.includes(part), part);
  }
});

Deno.test("stability: saturated logits and probabilities give finite values and gradients", () => {
  const f32 = (xs: number[]) => tensor(xs);
  // Logits of +-1000: the right class costs 0, the wrong one 1000 (exact, not Infinity).
  const logits = tensor([[1000, -1000], [0, 0]]);
  const ce = losses.crossEntropy(logits, tensor([0, 1], { dtype: "int32" }), { reduction: "none" });
  assertClose(ce.dataSync(), [0, Math.LN2]);
  const wrong = losses.crossEntropy(tensor([[1000, -1000]]), tensor([1], { dtype: "int32" }));
  assertClose(wrong.dataSync(), [2000]);
  const gce = grad((x: Tensor) => losses.crossEntropy(x, tensor([1], { dtype: "int32" })))(
    tensor([[1000, -1000]]),
  );
  assertClose(gce.dataSync(), [1, -1]);
  // BCE with logits at +-1000: 0 for the right label, 1000 for the wrong one.
  const x = f32([1000, -1000, 1000, -1000]);
  const t = f32([1, 0, 0, 1]);
  const b = losses.binaryCrossEntropyWithLogits(x, t, { reduction: "none" });
  assertClose(b.dataSync(), [0, 0, 1000, 1000]);
  const gb = grad((v: Tensor) => losses.binaryCrossEntropyWithLogits(v, t, { reduction: "sum" }))(
    x,
  );
  assertClose(gb.dataSync(), [0, 0, 1, -1]); // sigmoid(x) - t
  // BCE on probabilities of exactly 0 and 1: PyTorch's clamp at -100 gives 100, not Infinity.
  const p = f32([0, 1, 0, 1]);
  const bce = losses.binaryCrossEntropy(p, t, { reduction: "none" });
  assertClose(bce.dataSync(), [100, 100, 0, 0]);
  const gp = grad((v: Tensor) => losses.binaryCrossEntropy(v, t, { reduction: "sum" }))(p);
  const gpd = Array.from(gp.dataSync());
  assert.ok(gpd.every(Number.isFinite), `finite gradient: ${gpd}`);
  assertClose(gpd, [-1e12, 1e12, 0, 0], { rtol: 1e-6 }); // (p - t) / max(p (1 - p), 1e-12)
  // KL with zero target probabilities: 0 contributions, finite gradient -target.
  const logQ = logSoftmax(tensor([[0, 0, -1000]]));
  const kl = losses.klDivergence(logQ, tensor([[1, 0, 0]]), { reduction: "none" });
  assertClose(kl.dataSync(), [Math.LN2, 0, 0]);
  const gk = grad((v: Tensor) => losses.klDivergence(v, tensor([[1, 0, 0]]), { reduction: "sum" }))(
    logQ,
  );
  assertClose(gk.dataSync(), [-1, 0, 0]);
});

Deno.test("probability targets, one-hot targets and class indices agree", () => {
  const g = new Gen(7);
  const logits = cast(g.tensor([4, 3]), "float32");
  const labels = tensor([2, 0, 1, 1], { dtype: "int32" });
  for (const labelSmoothing of [0, 0.3]) {
    const byIndex = losses.crossEntropy(logits, labels, { labelSmoothing, reduction: "none" });
    const byProb = losses.crossEntropy(logits, losses.oneHot(labels, 3), {
      labelSmoothing,
      reduction: "none",
    });
    assertClose(byIndex.dataSync(), byProb.dataSync(), { rtol: 1e-6 });
  }
  assert.deepEqual(
    Array.from(losses.oneHot(tensor([[1], [0]], { dtype: "int32" }), 2).dataSync()),
    [0, 1, 1, 0],
  );
  // crossEntropy = nll(logSoftmax(...)), and binaryCrossEntropy(sigmoid(x)) = ...WithLogits(x).
  assertClose(
    losses.crossEntropy(logits, labels).dataSync(),
    losses.nll(logSoftmax(logits), labels).dataSync(),
    { rtol: 1e-6 },
  );
  const t = tensor([0, 1, 0.3, 0.9]);
  const x = tensor([-2, 0.5, 1, 3]);
  assertClose(
    losses.binaryCrossEntropy(sigmoid(x), t).dataSync(),
    losses.binaryCrossEntropyWithLogits(x, t).dataSync(),
    { rtol: 1e-5 },
  );
});

Deno.test("gradients match finite differences in float64", () => {
  const g = new Gen(11);
  const labels = tensor([2, 0, -100, 1], { dtype: "int32" });
  const weight = g.tensor([3], { positive: true });
  const probs = g.tensor([4, 3], { lo: 0.05, hi: 0.95 });
  const targets = g.tensor([4, 3], { lo: 0, hi: 1 });
  const logits = g.tensor([4, 3]);
  const opts = { rtol: 1e-6, atol: 1e-8 };
  checkGrad((x) => losses.mse(x, targets), [logits], { ...opts, name: "mse" });
  checkGrad((x) => losses.huber(x, targets, { delta: 0.7, reduction: "none" }), [logits], {
    ...opts,
    name: "huber",
  });
  checkGrad((x) => losses.binaryCrossEntropy(x, targets, { reduction: "none" }), [probs], {
    ...opts,
    name: "binaryCrossEntropy",
  });
  checkGrad(
    (x) => losses.binaryCrossEntropyWithLogits(x, targets, { posWeight: weight }),
    [logits],
    { ...opts, name: "binaryCrossEntropyWithLogits" },
  );
  checkGrad(
    (x) => losses.crossEntropy(x, labels, { weight, labelSmoothing: 0.2 }),
    [logits],
    { ...opts, name: "crossEntropy" },
  );
  checkGrad((x) => losses.crossEntropy(x, targets, { reduction: "sum" }), [logits], {
    ...opts,
    name: "crossEntropy (probabilities)",
  });
  checkGrad(
    (x) => losses.klDivergence(logSoftmax(x), probs, { reduction: "batchmean" }),
    [logits],
    { ...opts, name: "klDivergence" },
  );
  // float64 in, float64 out.
  assert.equal(losses.crossEntropy(logits, labels).dtype, "float64");
});

Deno.test("errors name the loss, the shapes and the dtypes", () => {
  const x = tensor([[0.1, 0.2], [0.3, 0.4]]);
  const idx = (v: number[]) => tensor(v, { dtype: "int32" });
  const cases: [string, () => unknown, RegExp][] = [
    [
      "mse [N] vs [N,1]",
      () => losses.mse(tensor([1, 2]), tensor([[1], [2]])),
      /^mse: prediction \[2\] float32 and target \[2,1\] float32 must have the same shape/,
    ],
    [
      "mae int target",
      () => losses.mae(x, cast(x, "int32")),
      /^mae: target \[2,2\] int32 must have the prediction's dtype float32/,
    ],
    [
      "mse int prediction",
      () => losses.mse(cast(x, "int32"), x),
      /^mse: prediction must be floating point, got \[2,2\] int32/,
    ],
    [
      "mse not a tensor",
      () => losses.mse([1, 2] as unknown as Tensor, x),
      /^mse: prediction must be a Tensor, got a plain array/,
    ],
    [
      "bad reduction",
      () => losses.mse(x, x, { reduction: "avg" as "mean" }),
      /^mse: reduction must be "mean", "sum", "none", got string "avg"/,
    ],
    [
      "huber delta",
      () => losses.huber(x, x, { delta: 0 }),
      /^huber: delta must be a positive number, got 0/,
    ],
    [
      "bce out of range",
      () => losses.binaryCrossEntropy(tensor([0.5, 1.5]), tensor([0, 1])),
      /^binaryCrossEntropy: prediction \[2\] float32 must hold probabilities in \[0, 1\], element 1 is 1.5/,
    ],
    [
      "bce weight shape",
      () => losses.binaryCrossEntropy(x, x, { weight: tensor([1, 2, 3]) }),
      /^binaryCrossEntropy: weight \[3\] float32 does not broadcast to the prediction's shape \[2,2\]/,
    ],
    [
      "bcel posWeight shape",
      () => losses.binaryCrossEntropyWithLogits(x, x, { posWeight: tensor([1, 2, 3]) }),
      /^binaryCrossEntropyWithLogits: posWeight \[3\] float32 does not broadcast/,
    ],
    [
      "ce index out of range",
      () => losses.crossEntropy(x, idx([0, 2])),
      /^crossEntropy: target \[2\] int32 element 1 is class 2, out of range for 2 classes \(input \[2,2\] float32; ignoreIndex -100\)/,
    ],
    [
      "ce negative index",
      () => losses.crossEntropy(x, idx([-1, 0])),
      /element 0 is class -1, out of range/,
    ],
    [
      "ce float indices",
      () => losses.crossEntropy(x, tensor([0, 1])),
      /^crossEntropy: class-index target must be int32, got \[2\] float32/,
    ],
    [
      "ce int probabilities",
      () => losses.crossEntropy(x, cast(x, "int32")),
      /^crossEntropy: a target of the input's shape holds class probabilities and must have the input's dtype float32, got \[2,2\] int32/,
    ],
    [
      "ce target shape",
      () => losses.crossEntropy(x, idx([0, 1, 1])),
      /^crossEntropy: input \[2,2\] float32 needs a target of int32 class indices \[2\] or probabilities \[2,2\], got \[3\] int32/,
    ],
    [
      "ce weight shape",
      () => losses.crossEntropy(x, idx([0, 1]), { weight: tensor([1, 2, 3]) }),
      /^crossEntropy: weight \[3\] float32 must have one entry per class, \[2\] for input \[2,2\] float32/,
    ],
    [
      "ce smoothing",
      () => losses.crossEntropy(x, idx([0, 1]), { labelSmoothing: 1.5 }),
      /^crossEntropy: labelSmoothing must be in \[0, 1\], got 1.5/,
    ],
    [
      "ce scalar logits",
      () => losses.crossEntropy(tensor(1), idx([0])),
      /^crossEntropy: input must be \[C\] or \[N, C, d1, ...\]/,
    ],
    [
      "ce int logits",
      () => losses.crossEntropy(cast(x, "int32"), idx([0, 1])),
      /^crossEntropy: input must be floating point, got \[2,2\] int32/,
    ],
    [
      "nll probabilities",
      () => losses.nll(x, x),
      /^nll: input \[2,2\] float32 needs a target of int32 class indices \[2\], got \[2,2\] float32/,
    ],
    [
      "nll index",
      () => losses.nll(x, idx([5, 0])),
      /^nll: target \[2\] int32 element 0 is class 5/,
    ],
    [
      "kl shapes",
      () => losses.klDivergence(x, tensor([1, 2])),
      /^klDivergence: prediction \[2,2\] float32 and target \[2\] float32 must have the same shape/,
    ],
    [
      "kl reduction",
      () => losses.klDivergence(x, x, { reduction: "avg" as "mean" }),
      /^klDivergence: reduction must be "mean", "sum", "none", "batchmean"/,
    ],
    [
      "oneHot dtype",
      () => losses.oneHot(tensor([1]), 2),
      /^oneHot: labels must be int32, got \[1\] float32/,
    ],
    [
      "oneHot range",
      () => losses.oneHot(idx([3]), 2),
      /^oneHot: labels \[1\] int32 element 0 is 3, out of range for 2 classes/,
    ],
  ];
  for (const [name, f, re] of cases) {
    let msg = "(no error)";
    try {
      f();
    } catch (e) {
      msg = (e as Error).message;
    }
    assert.match(msg, re, `${name}: got ${msg}`);
  }
  // The ignored index is exempt from the range check and contributes nothing.
  const ignored = losses.crossEntropy(x, idx([-100, 1]), { reduction: "none" });
  assert.equal(ignored.dataSync()[0], 0);
});

Deno.test("crossEntropy: [N, T, C] logits against [N, T] labels get a hint about the class axis", () => {
  assert.throws(
    () => losses.crossEntropy(zeros([8, 50, 10]), zeros([8, 50], { dtype: "int32" })),
    {
      message:
        "crossEntropy: input [8,50,10] float32 needs a target of int32 class indices [8,10] " +
        "or probabilities [8,50,10], got [8,50] int32; the class axis is 1 (PyTorch's layout), so " +
        "move it: transpose(input, [0, 2, 1])",
    },
  );
});

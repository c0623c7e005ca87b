/**
 * Fine-tuning as data: selecting parameters by path, state_dict conversion, strict and partial
 * loading, and replacing a model's head.
 */
import assert from "node:assert/strict";
import { nn, random, type Tensor, tensor, zeros } from "../../mod.ts";
import { assertClose } from "../assert_close.ts";

const net = () =>
  nn.sequential({
    conv1: nn.linear(4, 6),
    conv2: nn.linear(6, 6),
    fc1: nn.linear(6, 5),
    fc2: nn.linear(5, 3),
  });

Deno.test("matchPaths: prefixes by segment, * for one segment, RegExps on the whole path", () => {
  const frozen = nn.matchPaths(["conv1", "conv2"]);
  assert.equal(frozen("conv1.weight"), true);
  assert.equal(frozen("conv2.bias"), true);
  assert.equal(frozen("conv10.weight"), false);
  assert.equal(frozen("fc1.weight"), false);
  const biases = nn.matchPaths(["*.bias"]);
  assert.equal(biases("fc1.bias"), true);
  assert.equal(biases("fc1.weight"), false);
  assert.equal(nn.matchPaths([/^fc\d\.weight$/])("fc2.weight"), true);
  assert.throws(
    () => nn.matchPaths([3 as never]),
    /matchPaths: patterns must be strings or RegExps/,
  );
});

Deno.test("maskTree: true exactly where the predicate holds, in the parameters' structure", () => {
  const { params } = net().init(random.key(0), [1, 4]);
  const frozen = nn.matchPaths(["conv1", "conv2"]);
  const mask = nn.maskTree(params, (p) => !frozen(p));
  assert.deepEqual(mask, {
    conv1: { bias: false, weight: false },
    conv2: { bias: false, weight: false },
    fc1: { bias: true, weight: true },
    fc2: { bias: true, weight: true },
  });
});

Deno.test("toStateDict / fromStateDict round trip with PyTorch names", () => {
  const { params } = net().init(random.key(0), [1, 4]);
  const flat = nn.toStateDict(params);
  assert.deepEqual(Object.keys(flat).sort(), [
    "conv1.bias",
    "conv1.weight",
    "conv2.bias",
    "conv2.weight",
    "fc1.bias",
    "fc1.weight",
    "fc2.bias",
    "fc2.weight",
  ]);
  const back = nn.fromStateDict(flat);
  assert.deepEqual(Object.keys(nn.toStateDict(back)).sort(), Object.keys(flat).sort());
  assert.equal(nn.toStateDict(back)["fc1.weight"], flat["fc1.weight"]);
  assert.throws(
    () => nn.fromStateDict({ "a": zeros([1]), "a.b": zeros([1]) }),
    /fromStateDict: "a" is both a tensor and a prefix of "a.b"/,
  );
});

Deno.test("loadParams strict: one error listing every missing, unexpected and misshapen entry", () => {
  const target = net().init(random.key(0), [1, 4]).params;
  const source = nn.toStateDict(target);
  delete (source as Record<string, Tensor>)["fc1.bias"];
  source["extra.weight"] = zeros([2]);
  source["fc2.weight"] = zeros([4, 5]);
  assert.throws(() => nn.loadParams(target, source), {
    message:
      "loadParams: the source does not match the model (3 problems; pass { strict: false } " +
      "to load what fits):\n  missing: fc1.bias [5]\n  unexpected: extra.weight [2]\n" +
      "  mismatch: fc2.weight: source [4,5] float32, model [3,5] float32",
  });
  // An exact match loads every tensor as is.
  const exact = nn.loadParams(target, nn.toStateDict(target));
  assert.equal(exact.loaded.length, 8);
});

Deno.test("fine-tuning: a new head, the pre-trained body loaded partially, frozen by mask", () => {
  const pretrained = net().init(random.key(1), [1, 4]).params;
  const fiveWay = nn.replaceChild(net(), "fc2", nn.linear(5, 2));
  const fresh = fiveWay.init(random.key(2), [1, 4]).params;
  const report = nn.loadParams(fresh, pretrained, { strict: false });
  assert.deepEqual(report.mismatched.map((m) => m.name), ["fc2.bias", "fc2.weight"]);
  assert.deepEqual(report.missing, []);
  assert.deepEqual(report.loaded, [
    "conv1.bias",
    "conv1.weight",
    "conv2.bias",
    "conv2.weight",
    "fc1.bias",
    "fc1.weight",
  ]);
  const body = nn.toStateDict(report.params);
  const old = nn.toStateDict(pretrained);
  assert.equal(body["conv1.weight"], old["conv1.weight"]);
  assert.equal(body["fc2.weight"], nn.toStateDict(fresh)["fc2.weight"]);
  assert.deepEqual(body["fc2.weight"].shape, [2, 5]);
  // The new model runs with the loaded parameters.
  const y = fiveWay.apply(report.params, tensor([[1, 2, 3, 4]]));
  assert.deepEqual(y.shape, [1, 2]);
  // The body is the same function as before.
  const bodyOnly = nn.replaceChild(net(), "fc2", nn.identity());
  const x = tensor([[0.5, -1, 2, 0]]);
  const before = nn.replaceChild(net(), "fc2", nn.identity()).apply(pretrained, x);
  assertClose(bodyOnly.apply(report.params, x).dataSync(), before.dataSync(), { rtol: 0 });
  assert.throws(() => nn.replaceChild(net(), "nope", nn.identity()), /has no child "nope"/);
  assert.throws(
    () => nn.replaceChild(nn.linear(1, 1), "x", nn.identity()),
    /replaceChild: Linear\(.*\) is not a serial model/,
  );
});

Deno.test("matchPaths: a /g RegExp matches every time (no lastIndex state)", () => {
  const bias = nn.matchPaths([/bias/g]);
  assert.deepEqual(["a.bias", "b.bias", "c.bias", "d.bias"].map(bias), [true, true, true, true]);
});

Deno.test("loadStateDict: parameters and batch norm buffers from one PyTorch-style state_dict", () => {
  const net = nn.sequential({ fc: nn.linear(4, 4), bn: nn.batchNorm1d(4) });
  const a = net.init(random.key(0), [2, 4]);
  const [, trainedState] = net.applyWithState(
    a.params,
    a.state,
    tensor([[1, 2, 3, 4], [0, 1, 0, 1]]),
    {
      training: true,
    },
  );
  const saved = { ...nn.toStateDict(a.params), ...nn.toStateDict(trainedState) };
  const fresh = net.init(random.key(1), [2, 4]);
  const loaded = nn.loadStateDict({ params: fresh.params, state: fresh.state }, saved);
  assert.equal(nn.toStateDict(loaded.params)["fc.weight"], saved["fc.weight"]);
  assert.equal(nn.toStateDict(loaded.state)["bn.running_mean"], saved["bn.running_mean"]);
  assert.deepEqual(loaded.missing, []);
  assert.deepEqual(loaded.unexpected, []);
  // Strictness covers the union: a missing buffer is reported like a missing parameter.
  const partial: Record<string, Tensor> = { ...saved };
  delete partial["bn.running_var"];
  assert.throws(
    () => nn.loadStateDict({ params: fresh.params, state: fresh.state }, partial),
    {
      message:
        /^loadStateDict: the source does not match the model \(1 problem;.*\n {2}missing: bn.running_var \[4\]$/,
    },
  );
});

Deno.test("loadParams converts float64 sources to the model's float32, as load_state_dict does", () => {
  const target = nn.linear(2, 2).init(random.key(0), [1, 2]).params;
  const source = {
    weight: tensor([[1, 2], [3, 4]], { dtype: "float64" }),
    bias: tensor([0.5, -0.5], { dtype: "float64" }),
  };
  const { params, loaded } = nn.loadParams(target, source);
  assert.deepEqual(loaded, ["bias", "weight"]);
  const w = nn.toStateDict(params)["weight"];
  assert.equal(w.dtype, "float32");
  assert.deepEqual([...w.dataSync()], [1, 2, 3, 4]);
  // A float source for an integer slot is a kind mismatch, not a conversion.
  const counter = { n: tensor([3], { dtype: "int32" }) };
  assert.throws(
    () => nn.loadParams(counter, { n: tensor([3]) }),
    /mismatch: n: source \[1\] float32, model \[1\] int32/,
  );
});

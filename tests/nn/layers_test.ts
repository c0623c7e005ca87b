/**
 * Layers against PyTorch 1.13 (tests/fixtures/layers.json from tools/fixtures/layers.py): the
 * output, the input gradient and every parameter gradient of sum(output * R), with the stored
 * parameters, within rtol 1e-4 / atol 1e-5 (float32); and init's output shape and parameter
 * names and shapes against the PyTorch module's.
 */
import assert from "node:assert/strict";
import { nn, random, type Tensor } from "../../mod.ts";
import {
  type Case,
  checkInit,
  checkRun,
  expectTensor,
  fixtures,
  load,
  loadAll,
  type Run,
  type TJ,
} from "./layers_fixture.ts";

function cases(
  kind: string,
  make: (args: Case["args"]) => nn.Model<Tensor, Tensor>,
  describe: (args: Case["args"]) => string = (a) => JSON.stringify(a),
) {
  (fixtures[kind] as Case[]).forEach((c, i) => {
    const label = `${kind} #${i} ${describe(c.args)}`;
    Deno.test(label, () => {
      const model = make(c.args);
      checkInit(model, c, label);
      checkRun(model, loadAll(c.params), {}, c, label);
    });
  });
}

cases("conv2d", (a) => nn.conv2d(a.inChannels, a.outChannels, a.kernelSize, a.opts));
cases("maxPool2d", (a) => nn.maxPool2d(a.kernelSize, a.opts));
cases("avgPool2d", (a) => nn.avgPool2d(a.kernelSize, a.opts));
cases("adaptiveAvgPool2d", (a) => nn.adaptiveAvgPool2d(a.outputSize));
cases("layerNorm", (a) => nn.layerNorm(a.normalizedShape, a.opts));
cases("embedding", (a) => nn.embedding(a.numEmbeddings, a.embeddingDim, a.opts));

function activation(kind: string, args: unknown[]): nn.Model<Tensor, Tensor> {
  const n = args as number[];
  switch (kind) {
    case "relu":
      return nn.relu();
    case "leakyRelu":
      return nn.leakyRelu(...n);
    case "elu":
      return nn.elu(...n);
    case "gelu":
      return nn.gelu(args[0] as { approximate: "none" | "tanh" });
    case "silu":
      return nn.silu();
    case "sigmoid":
      return nn.sigmoid();
    case "tanh":
      return nn.tanh();
    case "softplus":
      return nn.softplus(...n);
    case "softmax":
      return nn.softmax(...n);
    case "logSoftmax":
      return nn.logSoftmax(...n);
  }
  throw new Error(`unknown activation ${kind}`);
}
cases(
  "activation",
  (a) => activation(a.kind, a.args),
  (a) => `${a.kind}(${a.args.map((v: unknown) => JSON.stringify(v)).join(", ")})`,
);

interface BnCase {
  // deno-lint-ignore no-explicit-any -- JSON arguments
  args: any;
  params: Record<string, TJ>;
  steps: Run[];
  eval: Run;
}

(fixtures.batchNorm as BnCase[]).forEach((c, i) => {
  const label = `batchNorm #${i} ${c.args.kind}(${c.args.numFeatures}, ${
    JSON.stringify(c.args.opts)
  })`;
  Deno.test(`${label}: training steps, running statistics, evaluation`, () => {
    const make = c.args.kind === "batchNorm1d" ? nn.batchNorm1d : nn.batchNorm2d;
    const opts = { ...c.args.opts };
    const model = make(c.args.numFeatures, opts);
    const init = model.init(random.key(0), c.steps[0].x.shape);
    assert.deepEqual(init.outputShape, c.steps[0].x.shape);
    assert.deepEqual(Object.keys(init.params).sort(), Object.keys(c.params).sort());
    const params = loadAll(c.params);
    let state = init.state;
    c.steps.forEach((step, s) => {
      state = checkRun(model, params, state, step, `${label} step ${s + 1}`, { training: true });
      const want = step.state!;
      assert.deepEqual(Object.keys(state).sort(), Object.keys(want).sort(), "state names");
      for (const [n, v] of Object.entries(want)) {
        const got = state[n] as Tensor;
        if (n === "num_batches_tracked") assert.equal(got.dtype, "int32");
        expectTensor(got, v, `${label} step ${s + 1}: ${n}`);
      }
      if (Object.keys(state).length > 0) {
        // apply in training mode would drop the updated running statistics: it refuses.
        assert.throws(
          () => model.apply(params, load(step.x), { training: true, state }),
          /apply in training mode would drop the updated state .*use applyWithState/,
        );
      } else {
        // Without running statistics there is nothing to drop: apply gives the same output.
        const y = model.apply(params, load(step.x), { training: true });
        expectTensor(y, step.y, `${label} step ${s + 1}: apply without state`);
      }
    });
    const after = checkRun(model, params, state, c.eval, `${label} eval`, { training: false });
    assert.equal(after, state, "evaluation returns the state unchanged");
    expectTensor(model.apply(params, load(c.eval.x), { state }), c.eval.y, `${label} eval apply`);
  });
});

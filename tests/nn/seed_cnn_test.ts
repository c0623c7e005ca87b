/**
 * The seed's CNN (PyTorch's MNIST example) written with `nn.sequential`: parameter names and
 * shapes as PyTorch's `state_dict`, and an evaluation forward with deterministic weights
 * (w[i] = 2 sin(0.37 i + 1.3 j) / sqrt(fanIn) for the j-th parameter, input cos(0.05 i), the
 * same formula as tools/fixtures/layers.py) against PyTorch's output.
 */
import assert from "node:assert/strict";
import { nn, random, type Tensor, tensor, tree } from "../../mod.ts";
import { expectTensor, fixtures } from "./layers_fixture.ts";

function seedCnn(): nn.Model<Tensor, Tensor> {
  return nn.sequential({
    conv1: nn.conv2d(1, 32, 3),
    relu1: nn.relu(),
    conv2: nn.conv2d(32, 64, 3),
    relu2: nn.relu(),
    pool: nn.maxPool2d(2),
    drop1: nn.dropout(0.25),
    flatten: nn.flatten(),
    fc1: nn.linear(9216, 128),
    relu3: nn.relu(),
    drop2: nn.dropout(0.5),
    fc2: nn.linear(128, 10),
    out: nn.logSoftmax(),
  });
}

const FANS: Record<string, number> = { conv1: 9, conv2: 288, fc1: 9216, fc2: 128 };

function formula(shape: readonly number[], j: number, fanIn: number): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  const s = 2 / Math.sqrt(fanIn);
  for (let i = 0; i < n; i++) data[i] = Math.sin(0.37 * i + 1.3 * j) * s;
  return tensor(data, { shape });
}

Deno.test("seed CNN: parameter names and shapes follow PyTorch's state_dict", () => {
  const { params, outputShape } = seedCnn().init(random.key(0), [2, 1, 28, 28]);
  assert.deepEqual(outputShape, [2, 10]);
  // flattenWithPaths visits object keys in sorted order; compare as sorted lists.
  const got = (tree.flattenWithPaths(params) as [string, Tensor][])
    .map(([path, t]) => [path, [...t.shape]]);
  const want = [...fixtures.seedCnn.names].sort((a, b) => (a[0] < b[0] ? -1 : 1));
  assert.deepEqual(got, want);
  assert.deepEqual(got.map(([p]) => p).sort(), [
    "conv1.bias",
    "conv1.weight",
    "conv2.bias",
    "conv2.weight",
    "fc1.bias",
    "fc1.weight",
    "fc2.bias",
    "fc2.weight",
  ]);
});

Deno.test("seed CNN: evaluation forward matches PyTorch's Net", () => {
  const model = seedCnn();
  const names: [string, number[]][] = fixtures.seedCnn.names;
  const params: Record<string, Record<string, Tensor>> = {};
  names.forEach(([path, shape], j) => {
    const [layerName, leaf] = path.split(".");
    params[layerName] ??= {};
    params[layerName][leaf] = formula(shape, j, FANS[layerName]);
  });
  const xs = new Float32Array(2 * 784);
  for (let i = 0; i < xs.length; i++) xs[i] = Math.cos(0.05 * i);
  const y = model.apply(params, tensor(xs, { shape: [2, 1, 28, 28] }));
  expectTensor(y, fixtures.seedCnn.y, "seed CNN log-probabilities", { rtol: 1e-4, atol: 1e-5 });
  // Evaluation ignores dropout entirely: no key needed, and training: false is the default.
  const again = model.apply(params, tensor(xs, { shape: [2, 1, 28, 28] }), { training: false });
  assert.deepEqual(again.dataSync(), y.dataSync());
});

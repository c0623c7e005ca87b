/**
 * Compiled against eager, for every layer (forward and parameter gradients, training mode with
 * its dropout masks) and every loss (value and gradient), on the CPU (bit-identical) and on
 * WebGPU (to float32 rounding).
 */
import * as fx from "../../mod.ts";
import { noGpu, onGpu } from "../backend/webgpu/harness.ts";
import { assertCompiledAgrees } from "./agree.ts";

const { nn } = fx;
type Layer = { name: string; model: fx.nn.Model<unknown, unknown>; input: () => unknown };

const normal = (seed: number, shape: number[]) => fx.random.normal(fx.random.key(seed), shape);
const img = () => normal(11, [2, 3, 6, 6]);
const seq = () => normal(12, [2, 5, 4]);

const LAYERS: Layer[] = [
  { name: "linear", model: nn.linear(5, 3), input: () => normal(1, [4, 5]) },
  { name: "conv2d", model: nn.conv2d(3, 4, 3, { padding: 1, stride: 2 }), input: img },
  { name: "maxPool2d", model: nn.maxPool2d(2), input: img },
  { name: "avgPool2d", model: nn.avgPool2d(3, { stride: 2, padding: 1 }), input: img },
  { name: "adaptiveAvgPool2d", model: nn.adaptiveAvgPool2d(2), input: img },
  { name: "flatten", model: nn.flatten(), input: img },
  ...(["relu", "gelu", "silu", "sigmoid", "tanh", "softplus", "logSoftmax"] as const).map((a) => ({
    name: a,
    model: (nn[a] as () => fx.nn.Model<unknown, unknown>)(),
    input: () => normal(2, [3, 7]),
  })),
  { name: "leakyRelu", model: nn.leakyRelu(0.1), input: () => normal(3, [3, 7]) },
  { name: "elu", model: nn.elu(0.7), input: () => normal(3, [3, 7]) },
  { name: "softmax", model: nn.softmax(), input: () => normal(3, [3, 7]) },
  { name: "dropout", model: nn.dropout(0.4), input: () => normal(4, [6, 9]) },
  { name: "dropout2d", model: nn.dropout2d(0.5), input: img },
  {
    name: "embedding",
    model: nn.embedding(10, 4),
    input: () => fx.tensor([[1, 3, 9], [0, 3, 2]], { dtype: "int32" }),
  },
  { name: "layerNorm", model: nn.layerNorm([7]), input: () => normal(5, [3, 7]) },
  { name: "rnn", model: nn.rnn(4, 6), input: seq },
  { name: "lstm", model: nn.lstm(4, 6, { numLayers: 2 }), input: seq },
  { name: "gru", model: nn.gru(4, 6), input: seq },
  { name: "multiHeadAttention", model: nn.multiHeadAttention(4, 2), input: seq },
  {
    name: "sequential CNN",
    model: nn.sequential({
      conv: nn.conv2d(3, 4, 3),
      act: nn.relu(),
      pool: nn.maxPool2d(2),
      flat: nn.flatten(),
      drop: nn.dropout(0.25),
      fc: nn.linear(16, 3),
    }),
    input: img,
  },
];

/** The model's output weighted and summed (so every output element matters), and its gradient. */
function layerStep(model: fx.nn.Model<unknown, unknown>) {
  return (params: fx.nn.Params, x: unknown, key: fx.random.Key) =>
    fx.valueAndGrad((p: fx.nn.Params) => {
      const out = fx.tree.leaves(model.apply(p, x, { training: true, key }));
      return out
        .map((t, i) => fx.sum(fx.mul(t, fx.sin(fx.add(t, i + 1)))))
        .reduce((a, b) => fx.add(a, b));
    })(params);
}

for (const backend of ["cpu", "webgpu"] as const) {
  Deno.test({
    name: `compiled layers equal eager ones on ${backend} (outputs and parameter gradients)`,
    ignore: backend === "webgpu" && noGpu,
    async fn() {
      for (const { name, model, input } of LAYERS) {
        const x = input();
        const shape = fx.tree.leaves(x)[0].shape;
        let params = model.init(fx.random.key(7), shape).params;
        let arg = x;
        if (backend === "webgpu") [params, arg] = await onGpu([params, x] as const);
        await assertCompiledAgrees(name, layerStep(model), [params, arg, fx.random.key(8)]);
      }
    },
  });
}

type LossCase = {
  name: string;
  loss: (p: fx.Tensor, t: fx.Tensor) => fx.Tensor;
  target: () => fx.Tensor;
};
const probs = () => fx.sigmoid(normal(21, [4, 5]));
const LOSSES: LossCase[] = [
  { name: "mse", loss: fx.losses.mse, target: () => normal(22, [4, 5]) },
  { name: "mae", loss: fx.losses.mae, target: () => normal(22, [4, 5]) },
  {
    name: "huber",
    loss: (p, t) => fx.losses.huber(p, t, { delta: 0.5 }),
    target: () => normal(22, [4, 5]),
  },
  {
    name: "binaryCrossEntropy",
    loss: (p, t) => fx.losses.binaryCrossEntropy(fx.sigmoid(p), t),
    target: probs,
  },
  {
    name: "binaryCrossEntropyWithLogits",
    loss: fx.losses.binaryCrossEntropyWithLogits,
    target: probs,
  },
  {
    name: "crossEntropy (label smoothing)",
    loss: (p, t) => fx.losses.crossEntropy(p, t, { labelSmoothing: 0.1 }),
    target: () => fx.tensor([0, 4, 2, 1], { dtype: "int32" }),
  },
  {
    name: "nll",
    loss: (p, t) => fx.losses.nll(fx.logSoftmax(p, 1), t),
    target: () => fx.tensor([3, 0, 2, 1], { dtype: "int32" }),
  },
  {
    name: "klDivergence",
    loss: (p, t) => fx.losses.klDivergence(fx.logSoftmax(p, 1), t),
    target: () => fx.softmax(normal(23, [4, 5]), 1),
  },
];

for (const backend of ["cpu", "webgpu"] as const) {
  Deno.test({
    name: `compiled losses equal eager ones on ${backend} (value and gradient)`,
    ignore: backend === "webgpu" && noGpu,
    async fn() {
      for (const { name, loss, target } of LOSSES) {
        let p = normal(20, [4, 5]), t = target();
        if (backend === "webgpu") [p, t] = await onGpu([p, t] as const);
        await assertCompiledAgrees(
          name,
          (a: fx.Tensor, b: fx.Tensor) => fx.valueAndGrad(loss)(a, b),
          [p, t],
        );
      }
    },
  });
}

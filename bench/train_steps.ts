/**
 * The training steps the comparison benchmarks time, one per library: fluxion (any backend, a
 * scoped step with donated state) and TensorFlow.js (`tf.train.adam`, NHWC). Each step reads its
 * loss back.
 */
import {
  compile,
  type CompileStats,
  dispose,
  type nn,
  optim,
  random,
  scoped,
  type Tensor,
  toBackend,
  valueAndGrad,
} from "../mod.ts";
import { tf } from "./tfjs.ts";

/**
 * One fluxion training step on `backend`, as a benchmark iteration: eager, or compiled (traced
 * once with a capturable Adam, then replayed fused).
 */
export async function fluxionStep(
  net: nn.Model<Tensor, Tensor>,
  inputShape: number[],
  loss: (out: Tensor, y: Tensor) => Tensor,
  backend: "cpu" | "webgpu",
  mode: "eager" | "compiled" = "eager",
): Promise<(() => Promise<void>) & { stats(): CompileStats | undefined }> {
  const [kInit, kx, ky, kDrop] = random.split(random.key(0), 4);
  const [x, y, init] = await toBackend(
    [
      random.normal(kx, inputShape),
      random.randint(ky, [inputShape[0]], 0, 10),
      net.init(kInit, inputShape).params,
    ] as const,
    backend,
  );
  const adam = optim.adam({ lr: 1e-3 });
  const opt = mode === "compiled" ? optim.capturable(adam) : adam;
  const vg = valueAndGrad((p: nn.Params, key: random.Key) =>
    loss(net.apply(p, x, { training: true, key }), y)
  );
  const body = (p: nn.Params, s: ReturnType<typeof opt.init>, key: random.Key) => {
    const [l, g] = vg(p, key);
    const [u, s2] = opt.update(g, s, p);
    return { params: optim.applyUpdates(p, u), state: s2, loss: l };
  };
  // The compiled step's op and kernel counts are the same for eager steps (their ops).
  const compiled = compile(body);
  const step = scoped(mode === "compiled" ? compiled : body, { donate: [0, 1] });
  let params = init;
  let state = opt.init(params);
  let i = 0;
  const iteration = async () => {
    const r = step(params, state, random.foldIn(kDrop, i++));
    params = r.params;
    state = r.state;
    await r.loss.item();
    dispose(r.loss);
  };
  return Object.assign(iteration, {
    stats: () => compiled.stats(params, state, random.key(0)),
  });
}

/** The seed CNN's parameters and step in TF.js (NHWC), with `tf.train.adam`. */
export function tfSeedCnnStep(batch: number): () => Promise<void> {
  const v = (shape: number[], std: number) => tf.variable(tf.randomNormal(shape, 0, std));
  const w1 = v([3, 3, 1, 32], 0.3), b1 = tf.variable(tf.zeros([32]));
  const w2 = v([3, 3, 32, 64], 0.06), b2 = tf.variable(tf.zeros([64]));
  const w3 = v([9216, 128], 0.01), b3 = tf.variable(tf.zeros([128]));
  const w4 = v([128, 10], 0.09), b4 = tf.variable(tf.zeros([10]));
  const x = tf.randomNormal([batch, 28, 28, 1]) as tf.Tensor4D;
  const y = tf.oneHot(tf.randomUniform([batch], 0, 10, "int32") as tf.Tensor1D, 10);
  const opt = tf.train.adam(1e-3);
  const lossFn = () => {
    let h: tf.Tensor = tf.relu(tf.add(tf.conv2d(x, w1 as tf.Tensor4D, 1, "valid"), b1));
    h = tf.relu(tf.add(tf.conv2d(h as tf.Tensor4D, w2 as tf.Tensor4D, 1, "valid"), b2));
    h = tf.dropout(tf.maxPool(h as tf.Tensor4D, 2, 2, "valid"), 0.25);
    h = tf.relu(tf.add(tf.matMul(tf.reshape(h, [batch, 9216]) as tf.Tensor2D, w3), b3));
    const logits = tf.add(tf.matMul(tf.dropout(h, 0.5) as tf.Tensor2D, w4), b4);
    return tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(logits), y), 1))) as tf.Scalar;
  };
  return async () => {
    const l = opt.minimize(lossFn, true)!;
    await l.data();
    l.dispose();
  };
}

/** The MLP 784-128-10 step in TF.js, with softmax cross-entropy and `tf.train.adam`. */
export function tfMlpStep(batch: number): () => Promise<void> {
  const w1 = tf.variable(tf.randomNormal([784, 128], 0, 0.05)), b1 = tf.variable(tf.zeros([128]));
  const w2 = tf.variable(tf.randomNormal([128, 10], 0, 0.09)), b2 = tf.variable(tf.zeros([10]));
  const x = tf.randomNormal([batch, 784]) as tf.Tensor2D;
  const y = tf.oneHot(tf.randomUniform([batch], 0, 10, "int32") as tf.Tensor1D, 10);
  const opt = tf.train.adam(1e-3);
  const lossFn = () => {
    const h = tf.relu(tf.add(tf.matMul(x, w1), b1)) as tf.Tensor2D;
    return tf.losses.softmaxCrossEntropy(y, tf.add(tf.matMul(h, w2), b2)) as tf.Scalar;
  };
  return async () => {
    const l = opt.minimize(lossFn, true)!;
    await l.data();
    l.dispose();
  };
}

/**
 * Training steps of whole models on the CPU backend: the seed's CNN and an MLP, forward,
 * backward and an Adam update.
 *
 *   deno bench bench/nn_bench.ts
 */
import { losses, nn, optim, random, type Tensor, valueAndGrad } from "../mod.ts";
import { seedNet } from "../examples/lib/seed_net.ts";

function trainStep(net: nn.Model<Tensor, Tensor>, inputShape: number[], classes: number) {
  const [kInit, kx, ky] = random.split(random.key(0), 3);
  const x = random.normal(kx, inputShape);
  const y = random.randint(ky, [inputShape[0]], 0, classes);
  let params = net.init(kInit, inputShape).params;
  const opt = optim.adam({ lr: 1e-3 });
  let state = opt.init(params);
  let step = 0;
  const lossOf = (p: nn.Params, key: random.Key) =>
    losses.nll(net.apply(p, x, { training: true, key }), y);
  const vg = valueAndGrad(lossOf);
  return () => {
    const [, grads] = vg(params, random.foldIn(kInit, step++));
    const [updates, next] = opt.update(grads, state, params);
    params = optim.applyUpdates(params, updates);
    state = next;
  };
}

Deno.bench(
  "seed CNN training step, batch 8 (28x28)",
  { group: "train" },
  trainStep(seedNet(), [
    8,
    1,
    28,
    28,
  ], 10),
);

const mlp = nn.sequential({
  fc1: nn.linear(784, 256),
  act: nn.relu(),
  fc2: nn.linear(256, 10),
  out: nn.logSoftmax(),
});
Deno.bench(
  "MLP 784-256-10 training step, batch 8",
  { group: "train" },
  trainStep(mlp, [8, 784], 10),
);

/**
 * Binary classification with a sigmoid output and binary cross-entropy: an MLP separates two
 * interleaved half-moons in the plane (class 0 and class 1), then reports its test accuracy.
 *
 * Seed concepts: a sigmoid output read as P(class 1 | x), the binary cross-entropy loss
 * -[t log p + (1 - t) log(1 - p)], `valueAndGrad`, SGD with momentum, one random key per step.
 *
 *   deno run -A examples/binary.ts [--steps 600] [--lr 0.1] [--batch-size 64] [--seed 0]
 *                                  [--plot moons.svg]
 */
import type { Tensor } from "../mod.ts";
import {
  add,
  cast,
  concat,
  cos,
  equal,
  greater,
  losses,
  mean,
  nn,
  ones,
  optim,
  random,
  sin,
  stack,
  sub,
  take,
  valueAndGrad,
  zeros,
} from "../mod.ts";
import { parseCli, writeOutput } from "./lib/cli.ts";
import { pointsOf, scatterSvg } from "./lib/svg.ts";

const USAGE = `usage: deno run -A examples/binary.ts [options]
  --steps N         training steps (default 600)
  --lr RATE         SGD learning rate, momentum 0.9 (default 0.1)
  --batch-size N    samples per step (default 64)
  --seed N          random seed (default 0)
  --plot FILE       write an SVG of the test points coloured by predicted class
  --help            show this help`;

const cli = parseCli("binary", USAGE, {
  steps: { type: "string", default: "600" },
  lr: { type: "string", default: "0.1" },
  "batch-size": { type: "string", default: "64" },
  seed: { type: "string", default: "0" },
  plot: { type: "string" },
});
const steps = cli.positiveInt("steps");
const lr = cli.positiveNumber("lr");
const batchSize = cli.positiveInt("batch-size");
const seed = cli.nonNegativeInt("seed");
const plot = cli.string("plot");

/** `n` points of each half-moon with Gaussian noise: inputs [2n, 2], targets [2n, 1] in {0, 1}. */
function moons(key: random.Key, n: number): { x: Tensor; t: Tensor } {
  const [tKey, noiseKey] = random.split(key);
  const angle = random.uniform(tKey, [n], { maxval: Math.PI });
  const upper = stack([cos(angle), sin(angle)], 1); // class 0
  const lower = stack([sub(1, cos(angle)), sub(0.5, sin(angle))], 1); // class 1
  const x = add(concat([upper, lower], 0), random.normal(noiseKey, [2 * n, 2], { std: 0.1 }));
  return { x, t: concat([zeros([n, 1]), ones([n, 1])], 0) };
}

const [trainKey, testKey, initKey, batchKey] = random.split(random.key(seed), 4);
const train = moons(trainKey, 500);
const test = moons(testKey, 250);

const net = nn.sequential({
  fc1: nn.linear(2, 16),
  act1: nn.tanh(),
  fc2: nn.linear(16, 16),
  act2: nn.tanh(),
  fc3: nn.linear(16, 1),
  out: nn.sigmoid(), // probabilities in (0, 1)
});
let params = net.init(initKey, [batchSize, 2]).params;
const opt = optim.sgd({ lr, momentum: 0.9 });
let state = opt.init(params);

// (With logits, `losses.binaryCrossEntropyWithLogits` is the numerically safer equivalent.)
const lossFn = (p: nn.Params, x: Tensor, t: Tensor) =>
  losses.binaryCrossEntropy(net.apply(p, x), t);
const step = valueAndGrad(lossFn);
const accuracy = (p: nn.Params, x: Tensor, t: Tensor) =>
  mean(cast(equal(cast(greater(net.apply(p, x), 0.5), "float32"), t), "float32")).item();

const started = performance.now();
const every = Math.max(1, Math.floor(steps / 10));
for (let i = 1; i <= steps; i++) {
  const idx = random.randint(random.foldIn(batchKey, i), [batchSize], 0, 1000);
  const [loss, grads] = step(params, take(train.x, idx), take(train.t, idx));
  const [updates, next] = opt.update(grads, state, params);
  [params, state] = [optim.applyUpdates(params, updates), next];
  if (i === 1 || i % every === 0 || i === steps) {
    console.log(`step ${i}: loss ${(await loss.item()).toFixed(5)}`);
  }
}

const testLoss = await lossFn(params, test.x, test.t).item();
const testAcc = await accuracy(params, test.x, test.t);
const seconds = (performance.now() - started) / 1000;
console.log(
  `done: ${steps} steps in ${seconds.toFixed(1)}s, test loss ${testLoss.toFixed(4)}, ` +
    `test accuracy ${(100 * testAcc).toFixed(1)}%`,
);

if (plot) {
  const xy = pointsOf(await test.x.data()), probs = await net.apply(params, test.x).data();
  const predicted = (cls: number) => xy.filter((_, i) => (probs[i] > 0.5 ? 1 : 0) === cls);
  const svg = scatterSvg({
    title: `two moons: test points by predicted class (${(100 * testAcc).toFixed(1)}% correct)`,
    series: [{ name: "predicted 0", points: predicted(0) }, {
      name: "predicted 1",
      points: predicted(1),
    }],
  });
  await writeOutput("binary", plot, svg);
  console.log(`wrote ${plot}`);
}

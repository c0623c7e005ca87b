/**
 * A generative adversarial network on a 2-D distribution: eight Gaussians on a ring of radius 2.
 * A generator maps noise to points; a discriminator tells real points from generated ones; each
 * is trained against the other. Writes an SVG scatter of real and generated samples to --out.
 *
 * Seed concepts: two models and two optimizers, gradients with respect to one model's parameters
 * only (`valueAndGrad` differentiates its first argument), the logits form of binary
 * cross-entropy, fresh random keys for noise and data every step.
 *
 *   deno run -A examples/gan.ts [--steps 3000] [--lr 0.001] [--batch-size 128] [--seed 0]
 *                               [--out gan.svg]
 */
import type { Tensor } from "../mod.ts";
import {
  add,
  argmin,
  cos,
  expandDims,
  losses,
  mean,
  min,
  mul,
  nn,
  ones,
  optim,
  random,
  sin,
  sqrt,
  square,
  stack,
  sub,
  sum,
  take,
  tensor,
  valueAndGrad,
  zeros,
} from "../mod.ts";
import { parseCli, writeOutput } from "./lib/cli.ts";
import { pointsOf, scatterSvg } from "./lib/svg.ts";

const USAGE = `usage: deno run -A examples/gan.ts [options]
  --steps N         training steps, each one discriminator and one generator update (default 3000)
  --lr RATE         Adam learning rate of both networks (default 0.001)
  --batch-size N    real and generated samples per step (default 128)
  --seed N          random seed (default 0)
  --out FILE        where to write the SVG scatter of real and generated samples (default gan.svg)
  --help            show this help`;

const cli = parseCli("gan", USAGE, {
  steps: { type: "string", default: "3000" },
  lr: { type: "string", default: "0.001" },
  "batch-size": { type: "string", default: "128" },
  seed: { type: "string", default: "0" },
  out: { type: "string", default: "gan.svg" },
});
const [steps, batchSize] = [cli.positiveInt("steps"), cli.positiveInt("batch-size")];
const [lr, seed] = [cli.positiveNumber("lr"), cli.nonNegativeInt("seed")];
const out = cli.string("out") as string;

const MODES = 8, RADIUS = 2, STD = 0.05, NOISE = 8;
const angles = Array.from({ length: MODES }, (_, i) => (2 * Math.PI * i) / MODES);
const centres = mul(stack([cos(tensor(angles)), sin(tensor(angles))], 1), RADIUS); // [8, 2]

/** `n` real samples: a random mode of the ring plus Gaussian noise. */
function real(key: random.Key, n: number): Tensor {
  const [modeKey, noiseKey] = random.split(key);
  const modes = take(centres, random.randint(modeKey, [n], 0, MODES));
  return add(modes, random.normal(noiseKey, [n, 2], { std: STD }));
}

/** Squared distances from each point to each mode, [n, 8]. */
const toModes = (x: Tensor) =>
  sum(square(sub(expandDims(x, 1), expandDims(centres, 0))), { axis: 2 });
/** Each point's distance to its nearest mode, [n]: about STD once the generator has learned. */
const modeDistance = (x: Tensor) => sqrt(min(toModes(x), { axis: 1 }));

const mlp = (inputs: number, outputs: number) =>
  nn.sequential({
    fc1: nn.linear(inputs, 64),
    act1: nn.leakyRelu(0.2),
    fc2: nn.linear(64, 64),
    act2: nn.leakyRelu(0.2),
    fc3: nn.linear(64, outputs),
  });
const generator = mlp(NOISE, 2); // noise -> point
const discriminator = mlp(2, 1); // point -> logit of "real"

const [gKey, dKey, dataKey, noiseKey, evalKey] = random.split(random.key(seed), 5);
let g = generator.init(gKey, [batchSize, NOISE]).params;
let d = discriminator.init(dKey, [batchSize, 2]).params;
const opt = optim.adam({ lr, betas: [0.5, 0.999] }); // one optimizer value, two states
let [gState, dState] = [opt.init(g), opt.init(d)];

const [yes, no] = [ones([batchSize, 1]), zeros([batchSize, 1])];
const bce = losses.binaryCrossEntropyWithLogits;
// The discriminator learns to say 1 on real points and 0 on generated ones...
const dLoss = (dp: nn.Params, realX: Tensor, fakeX: Tensor) =>
  add(bce(discriminator.apply(dp, realX), yes), bce(discriminator.apply(dp, fakeX), no));
// ...and the generator learns to make it say 1 on generated points (the non-saturating loss).
const gLoss = (gp: nn.Params, dp: nn.Params, z: Tensor) =>
  bce(discriminator.apply(dp, generator.apply(gp, z)), yes);
const [dStep, gStep] = [valueAndGrad(dLoss), valueAndGrad(gLoss)]; // gradients of argument 0 only

const started = performance.now();
const every = Math.max(1, Math.floor(steps / 10));
for (let i = 1; i <= steps; i++) {
  const [zKey1, zKey2] = random.split(random.foldIn(noiseKey, i));
  const fake = generator.apply(g, random.normal(zKey1, [batchSize, NOISE]));
  const [dl, dGrads] = dStep(d, real(random.foldIn(dataKey, i), batchSize), fake);
  const [dUpdates, dNext] = opt.update(dGrads, dState, d);
  [d, dState] = [optim.applyUpdates(d, dUpdates), dNext];

  const [gl, gGrads] = gStep(g, d, random.normal(zKey2, [batchSize, NOISE]));
  const [gUpdates, gNext] = opt.update(gGrads, gState, g);
  [g, gState] = [optim.applyUpdates(g, gUpdates), gNext];
  if (i === 1 || i % every === 0 || i === steps) {
    const dist = await mean(modeDistance(fake)).item();
    console.log(
      `step ${i}: d_loss ${(await dl.item()).toFixed(4)} g_loss ${(await gl.item()).toFixed(4)} ` +
        `mode_distance ${dist.toFixed(4)}`,
    );
  }
}
const seconds = (performance.now() - started) / 1000;

// Evaluate 1000 fresh samples: how close to the ring, and how many of the 8 modes they reach.
const [zEval, realEval] = random.split(evalKey);
const samples = generator.apply(g, random.normal(zEval, [1000, NOISE]));
const distances = modeDistance(samples);
const [dist, nearest] = [
  await distances.data(),
  await argmin(toModes(samples), { axis: 1 }).data(),
];
const covered = new Set(nearest.filter((_, i) => dist[i] < 4 * STD)).size;
console.log(
  `done: ${steps} steps in ${seconds.toFixed(1)}s, mean distance to the nearest mode ` +
    `${(await mean(distances).item()).toFixed(4)} (real data ` +
    `${(STD * Math.sqrt(Math.PI / 2)).toFixed(4)}), modes covered ${covered}/${MODES}`,
);

const svg = scatterSvg({
  title: `8 Gaussians: real vs generated after ${steps} steps`,
  series: [
    { name: "real", points: pointsOf(await real(realEval, 1000).data()), color: "#999" },
    { name: "generated", points: pointsOf(await samples.data()), color: "#d62728" },
  ],
  xRange: [-3, 3],
  yRange: [-3, 3],
  width: 520,
  height: 520,
});
await writeOutput("gan", out, svg);
console.log(`wrote ${out}`);

/**
 * Regression with mean squared error: a small MLP (1 -> 32 -> 32 -> 1, tanh) learns y = sin(x)
 * from noisy samples, trained with Adam on random minibatches.
 *
 * Seed concepts: forward propagation through `nn.sequential`, the MSE loss, `valueAndGrad`,
 * an optimizer step as a pure map (old params -> new params), one random key per step.
 *
 *   deno run -A examples/regression.ts [--steps 1500] [--lr 0.01] [--batch-size 64] [--seed 0]
 *                                      [--plot fit.svg]
 */
import {
  add,
  linspace,
  losses,
  nn,
  optim,
  random,
  reshape,
  sin,
  take,
  valueAndGrad,
} from "../mod.ts";
import type { Tensor } from "../mod.ts";
import { parseCli, writeOutput } from "./lib/cli.ts";
import { lineSvg } from "./lib/svg.ts";

const USAGE = `usage: deno run -A examples/regression.ts [options]
  --steps N         training steps (default 1500)
  --lr RATE         Adam learning rate (default 0.01)
  --batch-size N    samples per step (default 64)
  --seed N          random seed (default 0)
  --plot FILE       write an SVG of the true curve and the fit
  --help            show this help`;

const cli = parseCli("regression", USAGE, {
  steps: { type: "string", default: "1500" },
  lr: { type: "string", default: "0.01" },
  "batch-size": { type: "string", default: "64" },
  seed: { type: "string", default: "0" },
  plot: { type: "string" },
});
const steps = cli.positiveInt("steps");
const lr = cli.positiveNumber("lr");
const batchSize = cli.positiveInt("batch-size");
const seed = cli.nonNegativeInt("seed");
const plot = cli.string("plot");

// Data: 512 noisy samples of sin(x) on [-pi, pi].
const N = 512;
const [xKey, noiseKey, initKey, batchKey] = random.split(random.key(seed), 4);
const x = random.uniform(xKey, [N, 1], { minval: -Math.PI, maxval: Math.PI });
const y = add(sin(x), random.normal(noiseKey, [N, 1], { std: 0.05 }));

const net = nn.sequential({
  fc1: nn.linear(1, 32),
  act1: nn.tanh(),
  fc2: nn.linear(32, 32),
  act2: nn.tanh(),
  fc3: nn.linear(32, 1),
});
let params = net.init(initKey, [batchSize, 1]).params;
const opt = optim.adam({ lr });
let state = opt.init(params);

// The loss of one minibatch, as a function of the parameters: what `valueAndGrad` differentiates.
const lossFn = (p: nn.Params, xb: Tensor, yb: Tensor) => losses.mse(net.apply(p, xb), yb);
const step = valueAndGrad(lossFn);

const started = performance.now();
const every = Math.max(1, Math.floor(steps / 10));
for (let i = 1; i <= steps; i++) {
  const idx = random.randint(random.foldIn(batchKey, i), [batchSize], 0, N);
  const [loss, grads] = step(params, take(x, idx), take(y, idx));
  const [updates, next] = opt.update(grads, state, params);
  [params, state] = [optim.applyUpdates(params, updates), next];
  if (i === 1 || i % every === 0 || i === steps) {
    console.log(`step ${i}: loss ${(await loss.item()).toFixed(5)}`);
  }
}

// Evaluate on a clean grid: the mean squared distance between the fit and sin(x).
const grid = reshape(linspace(-Math.PI, Math.PI, 200), [200, 1]);
const fit = net.apply(params, grid);
const testMse = await losses.mse(fit, sin(grid)).item();
const seconds = (performance.now() - started) / 1000;
console.log(
  `done: ${steps} steps in ${seconds.toFixed(1)}s, test mse vs sin(x) ${testMse.toFixed(5)}`,
);

if (plot) {
  const gx = await grid.data(), gy = await sin(grid).data(), fy = await fit.data();
  const curve = (ys: ArrayLike<number>) => Array.from(gx, (v, i) => [v, ys[i]] as const);
  const svg = lineSvg({
    title: "y = sin(x) and the MLP's fit",
    xLabel: "x",
    yLabel: "y",
    series: [{ name: "sin(x)", points: curve(gy), color: "#999" }, {
      name: "fit",
      points: curve(fy),
    }],
  });
  await writeOutput("regression", plot, svg);
  console.log(`wrote ${plot}`);
}

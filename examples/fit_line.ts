/**
 * Fits y = 3x - 1 by gradient descent: the whole training loop is a pure map from old
 * parameters to new ones.
 *
 *   deno run -A examples/fit_line.ts [--steps 200] [--lr 0.1] [--seed 0]
 */
import { parseArgs } from "node:util";
import { add, mean, mul, random, square, sub, type Tensor, tree, valueAndGrad } from "../mod.ts";

const USAGE = "usage: deno run -A examples/fit_line.ts [--steps N] [--lr RATE] [--seed N]";

function usage(msg: string): never {
  console.error(`fit_line: ${msg}\n${USAGE}`);
  Deno.exit(2);
}

let values;
try {
  ({ values } = parseArgs({
    args: Deno.args,
    options: {
      steps: { type: "string", default: "200" },
      lr: { type: "string", default: "0.1" },
      seed: { type: "string", default: "0" },
      help: { type: "boolean", short: "h" },
    },
  }));
} catch (e) {
  usage((e as Error).message);
}
if (values.help) {
  console.log(USAGE);
  Deno.exit(0);
}
const steps = Number(values.steps);
const lr = Number(values.lr);
const seed = Number(values.seed);
if (!Number.isInteger(steps) || steps < 1) {
  usage(`--steps must be a positive integer, got ${values.steps}`);
}
if (!(lr > 0)) usage(`--lr must be a positive number, got ${values.lr}`);
if (!Number.isInteger(seed) || seed < 0) {
  usage(`--seed must be a non-negative integer, got ${values.seed}`);
}

type Params = { w: Tensor; b: Tensor };
const [dataKey, noiseKey, wKey, bKey] = random.split(random.key(seed), 4);
const x = random.uniform(dataKey, [64, 1], { minval: -1, maxval: 1 });
const y = add(sub(mul(x, 3), 1), random.normal(noiseKey, [64, 1], { std: 0.05 }));

const loss = (p: Params) => mean(square(sub(add(mul(x, p.w), p.b), y)));
const step = valueAndGrad(loss);

let params: Params = { w: random.normal(wKey, [1]), b: random.normal(bKey, [1]) };
for (let i = 1; i <= steps; i++) {
  const [value, grads] = step(params);
  params = tree.map((p, g) => sub(p, mul(g, lr)), params, grads);
  if (i % Math.max(1, Math.floor(steps / 5)) === 0 || i === steps) {
    console.log(`step ${i}: loss ${(await value.item()).toFixed(5)}`);
  }
}
console.log(
  `w = ${(await params.w.item()).toFixed(3)} (true 3), b = ${
    (await params.b.item()).toFixed(3)
  } (true -1)`,
);

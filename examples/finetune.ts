/**
 * Pre-training and fine-tuning: the seed's CNN learns digits 0-4, then its convolutional body is
 * frozen and a new head learns digits 5-9 from few steps. Fine-tuning is data, not mutation: the
 * new model is the old one with its head replaced, the body's parameters are loaded by name, and
 * the optimizer's mask freezes them bitwise.
 *
 *   deno run -A examples/finetune.ts [--pretrain-steps 60] [--finetune-steps 40] [--batch-size 32]
 */
import {
  argmax,
  cast,
  data,
  div,
  equal,
  losses,
  nn,
  optim,
  random,
  sub,
  sum,
  type Tensor,
  valueAndGrad,
} from "../mod.ts";
import { parseCli } from "./lib/cli.ts";
import { seedNet } from "./lib/seed_net.ts";

const USAGE = `usage: deno run -A examples/finetune.ts [options]
  --pretrain-steps N   steps on digits 0-4 (default 60)
  --finetune-steps N   steps on digits 5-9 with the body frozen (default 40)
  --batch-size N       examples per step (default 32)
  --lr RATE            Adam learning rate (default 0.001)
  --test-limit N       evaluate on at most N test digits per task (default 1000)
  --seed N             random seed (default 1)
  --help               show this help`;

const cli = parseCli("finetune", USAGE, {
  "pretrain-steps": { type: "string", default: "60" },
  "finetune-steps": { type: "string", default: "40" },
  "batch-size": { type: "string", default: "32" },
  lr: { type: "string", default: "0.001" },
  "test-limit": { type: "string", default: "1000" },
  seed: { type: "string", default: "1" },
});
const [pretrainSteps, finetuneSteps] = [
  cli.positiveInt("pretrain-steps"),
  cli.positiveInt("finetune-steps"),
];
const batchSize = cli.positiveInt("batch-size");
const lr = cli.positiveNumber("lr");
const testLimit = cli.positiveInt("test-limit");
const seed = cli.nonNegativeInt("seed");

/** The digits `from..from+4` of a split, relabelled 0..4, at most `limit` of them. */
function digits(split: data.ImageSplit, from: number, limit = Infinity): data.ImageSplit {
  const size = split.rows * split.cols;
  const keep: number[] = [];
  for (let i = 0; i < split.count && keep.length < limit; i++) {
    if (split.labels[i] >= from && split.labels[i] < from + 5) keep.push(i);
  }
  const images = new Uint8Array(keep.length * size);
  keep.forEach((i, j) => images.set(split.images.subarray(i * size, (i + 1) * size), j * size));
  const labels = Uint8Array.from(keep, (i) => split.labels[i] - from);
  return { ...split, images, labels, count: keep.length };
}

const normalize = (x: Tensor) => div(sub(x, 0.1307), 0.3081);
const net = (classes: number) => seedNet({ classes, dropout: false });

async function accuracy(
  model: nn.Model<Tensor, Tensor>,
  params: nn.Params,
  split: data.ImageSplit,
) {
  let correct = 0;
  for await (const b of data.batches(split, { batchSize: 250, transform: normalize })) {
    const pred = argmax(model.apply(params, b.images), { axis: 1 });
    correct += await sum(cast(equal(pred, b.labels), "int32")).item();
  }
  return correct / split.count;
}

/** `steps` Adam steps of `model` on `split` (repeating epochs as needed); returns the params. */
async function train(
  model: nn.Model<Tensor, Tensor>,
  params: nn.Params,
  split: data.ImageSplit,
  steps: number,
  opt: optim.GradientTransformation<unknown>,
  key: random.Key,
): Promise<nn.Params> {
  const step = valueAndGrad((p: nn.Params, x: Tensor, y: Tensor) =>
    losses.nll(model.apply(p, x), y)
  );
  let state = opt.init(params);
  for (let epoch = 0, done = 0; done < steps; epoch++) {
    const batches = data.batches(split, {
      batchSize,
      key: random.foldIn(key, epoch),
      dropLast: true,
    });
    for await (const { images, labels } of batches) {
      const [loss, grads] = step(params, normalize(images), labels);
      const [updates, next] = opt.update(grads, state, params);
      [params, state] = [optim.applyUpdates(params, updates), next];
      if (++done % 20 === 0 || done === steps) {
        console.log(`  step ${done}: loss ${(await loss.item()).toFixed(4)}`);
      }
      if (done === steps) break;
    }
  }
  return params;
}

const mnist = await data.mnistEmbedded();
const [first, second] = [digits(mnist.train, 0), digits(mnist.train, 5)];
const [firstTest, secondTest] = [
  digits(mnist.test, 0, testLimit),
  digits(mnist.test, 5, testLimit),
];
const [initKey, headKey, k1, k2] = random.split(random.key(seed), 4);

console.log(`pre-training on digits 0-4 (${first.count} examples, ${pretrainSteps} steps)`);
const base = net(5);
let pretrained = base.init(initKey, [batchSize, 1, 28, 28]).params;
pretrained = await train(base, pretrained, first, pretrainSteps, optim.adam({ lr }), k1);
console.log(
  `digits 0-4 test accuracy: ${(100 * await accuracy(base, pretrained, firstTest)).toFixed(1)}%`,
);

// A new head for digits 5-9: the body's parameters by name, the head fresh.
const tuned = nn.replaceChild(base, "fc2", nn.linear(128, 5));
const fresh = tuned.init(headKey, [batchSize, 1, 28, 28]).params;
const { fc2: _oldHead, ...body } = pretrained;
const loaded = nn.loadParams(fresh, body, { strict: false });
console.log(
  `loaded ${loaded.loaded.length} tensors of the body; new: ${loaded.missing.join(", ")}`,
);
let params = loaded.params;
const before = await accuracy(tuned, params, secondTest);

console.log(
  `fine-tuning on digits 5-9 (${second.count} examples, ${finetuneSteps} steps), conv frozen`,
);
const frozen = nn.matchPaths(["conv1", "conv2"]);
const opt = optim.masked(optim.adam({ lr }), (path) => !frozen(path));
params = await train(tuned, params, second, finetuneSteps, opt, k2);
const after = await accuracy(tuned, params, secondTest);

const was = nn.toStateDict(loaded.params);
const now = nn.toStateDict(params);
const unchanged = Object.keys(was).filter(frozen).every((n) =>
  was[n].dataSync().every((v, i) => Object.is(v, now[n].dataSync()[i]))
);
console.log(
  `digits 5-9 test accuracy: ${(100 * before).toFixed(1)}% before, ${
    (100 * after).toFixed(1)
  }% after`,
);
console.log(`done: conv layers ${unchanged ? "unchanged (frozen)" : "CHANGED"}`);

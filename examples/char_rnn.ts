/**
 * A character-level LSTM language model: it reads a small bundled text (examples/data/
 * tiny_text.txt), learns to predict each next character, then writes new text by sampling one
 * character at a time with a temperature.
 *
 * Seed concepts: recurrent networks (`nn.embedding` -> `nn.lstm` -> `nn.linear`), cross-entropy
 * over a sequence, Adam with gradient clipping, random keys for batches and for sampling.
 *
 *   deno run -A examples/char_rnn.ts [--steps 300] [--lr 0.01] [--seed 0] [--temperature 0.7]
 *                                    [--length 300] [--prime "The "] [--text FILE]
 */
import type { Tensor } from "../mod.ts";
import {
  add,
  arange,
  argmax,
  div,
  expandDims,
  log,
  losses,
  neg,
  nn,
  optim,
  random,
  reshape,
  slice,
  take,
  tensor,
  valueAndGrad,
} from "../mod.ts";
import { parseCli } from "./lib/cli.ts";

const USAGE = `usage: deno run -A examples/char_rnn.ts [options]
  --steps N          training steps (default 300)
  --lr RATE          Adam learning rate (default 0.01)
  --batch-size N     sequences per step (default 32)
  --seq-len N        characters per training sequence (default 32)
  --hidden N         LSTM hidden size (default 96)
  --seed N           random seed (default 0)
  --temperature T    sampling temperature, > 0 (default 0.7; lower is more conservative)
  --length N         characters to sample after training (default 300)
  --prime TEXT       text to start sampling from (default "The ")
  --text FILE        train on this text file (default examples/data/tiny_text.txt)
  --help             show this help`;

const cli = parseCli("char_rnn", USAGE, {
  steps: { type: "string", default: "300" },
  lr: { type: "string", default: "0.01" },
  "batch-size": { type: "string", default: "32" },
  "seq-len": { type: "string", default: "32" },
  hidden: { type: "string", default: "96" },
  seed: { type: "string", default: "0" },
  temperature: { type: "string", default: "0.7" },
  length: { type: "string", default: "300" },
  prime: { type: "string", default: "The " },
  text: { type: "string" },
});
const [steps, lr, seed] = [
  cli.positiveInt("steps"),
  cli.positiveNumber("lr"),
  cli.nonNegativeInt("seed"),
];
const [batchSize, seqLen, hidden] = ["batch-size", "seq-len", "hidden"].map(cli.positiveInt);
const [temperature, length] = [cli.positiveNumber("temperature"), cli.nonNegativeInt("length")];
const textPath = cli.string("text") ?? new URL("./data/tiny_text.txt", import.meta.url);

let text = "";
try {
  text = await Deno.readTextFile(textPath);
} catch (e) {
  cli.fail(`cannot read --text ${textPath}: ${e instanceof Error ? e.message : e}`);
}
if (text.length < seqLen + 2) cli.fail(`--text needs more than ${seqLen + 1} characters`);
const vocab = [...new Set(text)].sort();
const V = vocab.length;
const prime = cli.string("prime") ?? "";
const unknown = [...prime].find((c) => !vocab.includes(c));
if (prime === "" || unknown !== undefined) {
  cli.fail(`--prime must be non-empty text using characters of the training text, got "${prime}"`);
}
const ids = tensor(Array.from(text, (c) => vocab.indexOf(c)), { dtype: "int32" });
console.log(`text: ${text.length} characters, ${V} distinct`);

const net = nn.sequential({
  embed: nn.embedding(V, 32),
  lstm: nn.lstm(32, hidden),
  head: nn.linear(hidden, V), // logits for the next character at every position
});
const [initKey, batchKey, sampleKey] = random.split(random.key(seed), 3);
let params = net.init(initKey, [batchSize, seqLen]).params;
const opt = optim.chain(optim.clipByGlobalNorm(5), optim.adam({ lr }));
let state = opt.init(params);

// Inputs are characters [i, i + seqLen); targets are the same window shifted by one.
const lossFn = (p: nn.Params, x: Tensor, y: Tensor) =>
  losses.crossEntropy(reshape(net.apply(p, x), [-1, V]), reshape(y, [-1]));
const step = valueAndGrad(lossFn);
const positions = expandDims(arange(seqLen, undefined, 1, { dtype: "int32" }), 0); // [1, T]

const started = performance.now();
const every = Math.max(1, Math.floor(steps / 10));
for (let i = 1; i <= steps; i++) {
  const start = random.randint(random.foldIn(batchKey, i), [batchSize, 1], 0, text.length - seqLen);
  const window = add(start, positions); // [N, T] character positions
  const [loss, grads] = step(params, take(ids, window), take(ids, add(window, 1)));
  const [updates, next] = opt.update(grads, state, params);
  [params, state] = [optim.applyUpdates(params, updates), next];
  if (i === 1 || i % every === 0 || i === steps) {
    console.log(`step ${i}: loss ${(await loss.item()).toFixed(4)}`);
  }
}
const seconds = (performance.now() - started) / 1000;

// Sampling: the model sees the last seqLen characters; the next one is drawn from
// softmax(logits / temperature) by the Gumbel-max trick: argmax(logits / T - log(-log(u))).
let out = prime;
for (let i = 0; i < length; i++) {
  const context = [...out.slice(-seqLen)].map((c) => vocab.indexOf(c));
  const logits = net.apply(params, tensor([context], { dtype: "int32" })); // [1, t, V]
  const last = reshape(slice(logits, [null, [-1]]), [V]);
  const u = random.uniform(random.foldIn(sampleKey, i), [V], { minval: 1e-7, maxval: 1 });
  const next = argmax(add(div(last, temperature), neg(log(neg(log(u))))));
  out += vocab[await next.item()];
}
console.log(`--- sample (temperature ${temperature}) ---\n${out}\n---`);
console.log(`done: ${steps} steps in ${seconds.toFixed(1)}s`);

/**
 * The seed's MNIST CNN, trained in Deno: the PyTorch example's network, preprocessing and loss, on
 * the embedded digits (no download) or on IDX files.
 *
 *   deno run -A examples/mnist.ts                      # embedded digits, 3 epochs
 *   deno run -A examples/mnist.ts --data DIR --epochs 1 --save net.safetensors --plot curves.svg
 *   deno run -A examples/mnist.ts --load net.safetensors --eval-only
 *   deno run -A examples/mnist.ts --no-compile         # run the training step op by op
 */
import {
  argmax,
  cast,
  compile,
  data,
  dispose,
  div,
  equal,
  init,
  io,
  losses,
  nn,
  optim,
  random,
  scoped,
  stack,
  sub,
  sum,
  type Tensor,
  toBackend,
  valueAndGrad,
} from "../mod.ts";
import { addToConfusion, emptyConfusion, formatConfusion } from "./lib/confusion.ts";
import { Progress } from "./lib/progress.ts";
import { seedNet } from "./lib/seed_net.ts";
import {
  checkOutputs,
  type Curves,
  parseMnistArgs,
  UsageError,
  writeOutputs,
} from "./lib/mnist_cli.ts";

/** PyTorch's MNIST normalization, applied to pixels already scaled to [0, 1]. */
const normalize = (x: Tensor) => div(sub(x, 0.1307), 0.3081);

async function evaluate(net: nn.Model<Tensor, Tensor>, params: nn.Params, split: data.ImageSplit) {
  let loss = 0;
  let correct = 0;
  let confusion = emptyConfusion(10);
  const score = scoped((x: Tensor, y: Tensor) => {
    const out = net.apply(params, x);
    const pred = argmax(out, { axis: 1 });
    return {
      loss: sum(losses.nll(out, y, { reduction: "none" })),
      correct: sum(cast(equal(pred, y), "int32")),
      pred,
    };
  }, { donate: [0] });
  for await (const b of data.batches(split, { batchSize: 500, transform: normalize })) {
    const r = score(b.images, b.labels);
    loss += await r.loss.item();
    correct += await r.correct.item();
    confusion = addToConfusion(confusion, await b.labels.data(), await r.pred.data());
    dispose([r, b.labels]);
  }
  return { loss: loss / split.count, accuracy: correct / split.count, confusion };
}

async function main(): Promise<void> {
  const args = parseMnistArgs(Deno.args);
  const started = performance.now();
  await checkOutputs(args);
  const dataset = args.data
    ? await data.mnistFromDir(args.data, { kind: args.kind })
    : await data.mnistEmbedded();
  for (const split of [dataset.train, dataset.test]) {
    if (split.rows !== 28 || split.cols !== 28) {
      throw new UsageError(
        `--data ${args.data}: images are ${split.rows}x${split.cols}; the seed's network takes 28x28`,
      );
    }
  }
  if (dataset.train.count === 0 || dataset.test.count === 0) {
    throw new UsageError(`--data ${args.data}: the training or test set is empty`);
  }
  const n = Math.min(args.testLimit ?? Infinity, dataset.test.count);
  const testSet: data.ImageSplit = {
    ...dataset.test,
    count: n,
    images: dataset.test.images.subarray(0, n * 28 * 28),
    labels: dataset.test.labels.subarray(0, n),
  };
  console.log(`data: ${dataset.source}`);
  const backend = await init({ backend: args.backend });
  const adapter = backend.adapter;
  console.log(
    backend.name === "webgpu" && adapter
      ? `backend: webgpu on ${adapter.description}${
        adapter.isFallbackAdapter
          ? " (a software adapter: expect it slower than --backend cpu)"
          : ""
      }`
      : `backend: cpu (${
        backend.reason.replace('choose backend "webgpu"', "pass --backend webgpu")
      })`,
  );

  const net = seedNet();
  const [initKey, shuffleKey, dropoutKey] = random.split(random.key(args.seed), 3);
  let params = net.init(initKey, [args.batchSize, 1, 28, 28]).params;
  if (args.load) {
    const report = nn.loadParams(params, await io.loadSafetensorsFlat(args.load), {
      strict: false,
    });
    // Shape and dtype mismatches first: they say the most about what the file holds.
    const problems = [
      ...report.mismatched.map((m) => `${m.name} (${m.reason})`),
      ...report.missing.map((n) => `missing ${n}`),
      ...report.unexpected.map((n) => `unexpected ${n}`),
    ];
    if (problems.length > 0) {
      throw new UsageError(
        `--load ${args.load}: not a checkpoint of this network (${problems.length} problem${
          problems.length === 1 ? "" : "s"
        }: ${problems.slice(0, 3).join("; ")}${problems.length > 3 ? "; ..." : ""})`,
      );
    }
    params = await toBackend(report.params, backend.name);
    console.log(`loaded ${args.load}`);
  }
  const curves: Curves = { trainLoss: [], testAccuracy: [], testLoss: [] };
  let final: Awaited<ReturnType<typeof evaluate>> | undefined;
  let trainSeconds = 0;
  let seen = 0;
  if (!args.evalOnly) {
    const trainCount = Math.min(args.limit ?? Infinity, dataset.train.count);
    // The step count stays on the device (capturable), so one trace serves every compiled step;
    // --no-compile runs the same optimizer op by op, with the same results.
    const opt = optim.capturable(args.makeOptimizer(Math.ceil(trainCount / args.batchSize)));
    let state = opt.init(params);
    const lossOf = (p: nn.Params, x: Tensor, y: Tensor, key: random.Key) => {
      const out = net.apply(p, x, { training: true, key });
      return [losses.nll(out, y), out] as const;
    };
    const step = valueAndGrad(lossOf, { hasAux: true });
    // One step maps (params, state) to new ones; scoped releases its intermediates, and the
    // donated old params and state, so memory stays flat on every backend.
    const body = (p: nn.Params, s: typeof state, x: Tensor, y: Tensor, key: random.Key) => {
      const [[loss, out], grads] = step(p, x, y, key);
      const [updates, next] = opt.update(grads, s, p);
      const hits = sum(cast(equal(argmax(out, { axis: 1 }), y), "int32"));
      return { params: optim.applyUpdates(p, updates), state: next, loss, hits };
    };
    // compile traces the step once per batch shape and replays it as fused kernels.
    const compiled = args.compile ? compile(body) : undefined;
    const trainStep = scoped(compiled ?? body, { donate: [0, 1, 2, 3] });
    let reported = false;
    for (let epoch = 1; epoch <= args.epochs; epoch++) {
      const t0 = performance.now();
      const bar = new Progress(`epoch ${epoch}/${args.epochs}`, trainCount, { every: 10 });
      let done = 0, lossSum = 0, correct = 0, i = 0;
      const batches = data.batches(dataset.train, {
        batchSize: args.batchSize,
        key: random.foldIn(shuffleKey, epoch),
        limit: trainCount < dataset.train.count ? trainCount : undefined,
        transform: normalize,
      });
      // Losses and hit counts stay on the device and are read back ten steps at a time: on a GPU
      // every read waits for the queue, so reading each step would stall it.
      let pending: { loss: Tensor; hits: Tensor; n: number }[] = [];
      const settle = async () => {
        if (pending.length === 0) return;
        const ls = stack(pending.map((q) => q.loss));
        const hs = sum(stack(pending.map((q) => q.hits)));
        const lossValues = await ls.data();
        correct += await hs.item();
        pending.forEach((q, k) => {
          lossSum += lossValues[k] * q.n;
          done += q.n;
          curves.trainLoss.push([seen + done, lossValues[k]]);
        });
        dispose([ls, hs, pending]);
        pending = [];
        bar.update({
          done,
          fields: {
            loss: (lossSum / done).toFixed(4),
            acc: `${(100 * correct / done).toFixed(1)}%`,
          },
        });
      };
      for await (const { images, labels } of batches) {
        const key = random.foldIn(dropoutKey, (epoch << 20) + i++);
        const r = trainStep(params, state, images, labels, key);
        if (compiled && !reported) {
          reported = true;
          const st = compiled.stats(params, state, images, labels, key)!;
          console.log(
            `compiled step: ${st.ops} ops run as ${st.kernels} kernels (${st.fusedPasses} fused ` +
              `elementwise passes, ${st.epilogues} products with fused epilogues); buffers ` +
              `planned ${(st.peakBytes / 2 ** 20).toFixed(1)} MiB, ` +
              `${(st.totalBytes / 2 ** 20).toFixed(1)} MiB without reuse`,
          );
        }
        params = r.params;
        state = r.state;
        pending.push({ loss: r.loss, hits: r.hits, n: labels.size });
        if (pending.length === 10) await settle();
      }
      await settle();
      seen += done;
      trainSeconds += (performance.now() - t0) / 1000;
      bar.done({
        done,
        fields: { loss: (lossSum / done).toFixed(4), acc: `${(100 * correct / done).toFixed(1)}%` },
      });
      const test = final = await evaluate(net, params, testSet);
      curves.testAccuracy.push([seen, test.accuracy]);
      curves.testLoss.push([seen, test.loss]);
      console.log(
        `epoch ${epoch}: test loss ${test.loss.toFixed(4)}, accuracy ${
          (100 * test.accuracy).toFixed(2)
        }%`,
      );
    }
  }
  final ??= await evaluate(net, params, testSet);
  console.log(
    `\ntest accuracy ${(100 * final.accuracy).toFixed(2)}% (loss ${final.loss.toFixed(4)})`,
  );
  console.log(formatConfusion(final.confusion));
  await writeOutputs(args, {
    params,
    curves,
    metrics: {
      testAccuracy: final.accuracy,
      testLoss: final.loss,
      epochs: args.evalOnly ? 0 : args.epochs,
      trainSeconds,
      samplesPerSecond: trainSeconds > 0 ? seen / trainSeconds : 0,
      backend: backend.name,
      adapter: backend.name === "webgpu" ? backend.adapter?.description ?? null : null,
      wallSeconds: (performance.now() - started) / 1000,
    },
  });
}

if (import.meta.main) {
  try {
    await main();
  } catch (e) {
    // One line, no stack trace: bad flags and bad files are the user's to fix.
    const hint = e instanceof UsageError ? " (see --help)" : "";
    console.error(`mnist: ${(e as Error).message.split("\n")[0]}${hint}`);
    if (Deno.env.get("FLUXION_DEBUG")) console.error(e);
    Deno.exit(2);
  }
}

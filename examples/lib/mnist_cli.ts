/**
 * Flags and outputs of examples/mnist.ts: parsing and validating the command line, and writing the
 * checkpoint, the metrics JSON and the training curves as SVG.
 */
import { parseArgs } from "node:util";
import { io, type nn, optim } from "../../mod.ts";
import { lineSvg } from "./svg.ts";

const OPTIMIZERS = ["adam", "adamw", "sgd", "adadelta", "rmsprop", "adagrad"] as const;
type OptimizerName = typeof OPTIMIZERS[number];

export const USAGE = `usage: deno run -A examples/mnist.ts [options]

  --data DIR          MNIST IDX files (train-images-idx3-ubyte[.gz], ...); default: embedded digits
  --kind NAME         mnist | fashion: what --data holds (default mnist)
  --backend NAME      auto | cpu | webgpu (default auto: WebGPU on a hardware adapter, else cpu)
  --epochs N          passes over the training set (default 3)
  --batch-size N      examples per step (default 32)
  --lr RATE           learning rate (default: 1e-3 for adam/adamw/rmsprop, 1.0 for adadelta, 0.01 otherwise)
  --optimizer NAME    ${OPTIMIZERS.join(" | ")} (default adam)
  --gamma G           multiply the learning rate by G after each epoch (default 0.7, as PyTorch's example)
  --seed N            random seed (default 1)
  --limit N           train on the first N examples only
  --test-limit N      evaluate on the first N test examples only
  --save FILE         write the trained parameters as safetensors, loadable by PyTorch's Net
                      (default when training: mnist_cnn.safetensors)
  --load FILE         start from a safetensors checkpoint (e.g. saved from PyTorch's Net)
  --eval-only         evaluate the loaded checkpoint, no training
  --no-compile        run each training step op by op (default: the step is traced once with
                      compile() and replayed as fused kernels; the results are the same)
  --metrics FILE      write { testAccuracy, testLoss, epochs, trainSeconds, ... } as JSON
  --plot FILE         write the training curves as an SVG chart (default when training:
                      mnist_curves.svg)
  -h, --help          show this help`;

/** A command-line mistake: printed as one line with the usage, exit code 2. */
export class UsageError extends Error {}

/** The validated command line. */
export interface MnistArgs {
  data?: string;
  kind: "mnist" | "fashion";
  testLimit?: number;
  backend: "auto" | "cpu" | "webgpu";
  epochs: number;
  batchSize: number;
  lr: number;
  optimizer: OptimizerName;
  gamma: number;
  seed: number;
  limit?: number;
  save?: string;
  load?: string;
  evalOnly: boolean;
  /** Whether the training step is compiled (`--no-compile` turns it off). */
  compile: boolean;
  metrics?: string;
  plot?: string;
  /** The optimizer, its learning rate decayed by `gamma` every `stepsPerEpoch` steps. */
  makeOptimizer(stepsPerEpoch: number): optim.GradientTransformation<unknown>;
}

function int(
  name: string,
  v: string | undefined,
  dflt: number,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (v === undefined) return dflt;
  const n = /^\s*\d+\s*$/.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(
      `--${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(v)}`,
    );
  }
  return n;
}

/** A path flag: absent, or a non-empty string (an empty one is almost always an unset variable). */
function path(name: string, v: string | undefined): string | undefined {
  if (v !== undefined && v.trim() === "") throw new UsageError(`--${name} needs a path, got ""`);
  return v;
}

/** Parses and validates the flags; `--help` prints the usage and exits 0. */
export function parseMnistArgs(argv: string[]): MnistArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      allowNegative: false,
      options: {
        data: { type: "string" },
        kind: { type: "string" },
        "test-limit": { type: "string" },
        backend: { type: "string" },
        epochs: { type: "string" },
        "batch-size": { type: "string" },
        lr: { type: "string" },
        optimizer: { type: "string" },
        gamma: { type: "string" },
        seed: { type: "string" },
        limit: { type: "string" },
        save: { type: "string" },
        load: { type: "string" },
        "eval-only": { type: "boolean" },
        "no-compile": { type: "boolean" },
        metrics: { type: "string" },
        plot: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (e) {
    const msg = (e as Error).message;
    // parseArgs refuses `--lr -1` (the value looks like a flag) with a three-line explanation.
    const flag = msg.match(/^Option '(-[\w-]+)' argument is ambiguous/)?.[1];
    throw new UsageError(
      flag
        ? `${flag} needs a value; write ${flag}=VALUE for one starting with "-"`
        : msg.split("\n")[0],
    );
  }
  if (values.help) {
    console.log(USAGE);
    Deno.exit(0);
  }
  const backend = values.backend ?? "auto";
  if (backend !== "auto" && backend !== "cpu" && backend !== "webgpu") {
    throw new UsageError(`--backend must be auto, cpu or webgpu, got ${backend}`);
  }
  const optimizer = (values.optimizer ?? "adam") as OptimizerName;
  if (!OPTIMIZERS.includes(optimizer)) {
    throw new UsageError(`--optimizer must be one of ${OPTIMIZERS.join(", ")}, got ${optimizer}`);
  }
  const defaultLr = optimizer === "adadelta"
    ? 1
    : ["sgd", "adagrad"].includes(optimizer)
    ? 0.01
    : 1e-3;
  const lr = values.lr === undefined ? defaultLr : Number(values.lr);
  if (!(lr > 0) || !Number.isFinite(lr)) {
    throw new UsageError(`--lr must be a positive number, got ${values.lr}`);
  }
  const gamma = values.gamma === undefined ? 0.7 : Number(values.gamma);
  if (!(gamma > 0 && gamma <= 1)) {
    throw new UsageError(`--gamma must be a number in (0, 1], got ${values.gamma}`);
  }
  const kind = values.kind ?? "mnist";
  if (kind !== "mnist" && kind !== "fashion") {
    throw new UsageError(`--kind must be mnist or fashion, got ${kind}`);
  }
  if (values.kind !== undefined && values.data === undefined) {
    throw new UsageError("--kind needs --data DIR (the embedded digits are MNIST)");
  }
  const evalOnly = values["eval-only"] ?? false;
  if (evalOnly && !values.load) throw new UsageError("--eval-only needs --load FILE");
  const lrValue = lr;
  return {
    data: path("data", values.data),
    kind,
    testLimit: values["test-limit"] === undefined
      ? undefined
      : int("test-limit", values["test-limit"], 0, 1),
    backend,
    epochs: int("epochs", values.epochs, 3, 1),
    batchSize: int("batch-size", values["batch-size"], 32, 1),
    lr,
    optimizer,
    gamma,
    seed: int("seed", values.seed, 1, 0),
    limit: values.limit === undefined ? undefined : int("limit", values.limit, 0, 1),
    save: path("save", values.save) ?? (evalOnly ? undefined : "mnist_cnn.safetensors"),
    load: path("load", values.load),
    evalOnly,
    compile: !(values["no-compile"] ?? false),
    metrics: path("metrics", values.metrics),
    plot: path("plot", values.plot) ?? (evalOnly ? undefined : "mnist_curves.svg"),
    makeOptimizer(stepsPerEpoch: number) {
      const lr = optim.stepDecay({ init: lrValue, stepSize: Math.max(1, stepsPerEpoch), gamma });
      switch (optimizer) {
        case "adam":
          return optim.adam({ lr });
        case "adamw":
          return optim.adamw({ lr });
        case "sgd":
          return optim.sgd({ lr, momentum: 0.9 });
        case "adadelta":
          return optim.adadelta({ lr });
        case "rmsprop":
          return optim.rmsprop({ lr });
        case "adagrad":
          return optim.adagrad({ lr });
      }
    },
  } as MnistArgs;
}

/** Training curves: (examples seen, value) points. */
export interface Curves {
  trainLoss: [number, number][];
  testAccuracy: [number, number][];
  testLoss: [number, number][];
}

/** Writes the checkpoint, metrics and plot the flags ask for. */
export async function writeOutputs(
  args: MnistArgs,
  out: { params: nn.Params; curves: Curves; metrics: Record<string, unknown> },
): Promise<void> {
  if (args.save) {
    await io.saveSafetensors(args.save, out.params, { format: "pt", source: "fluxion mnist" });
    console.log(`saved ${args.save}`);
  }
  if (args.metrics) {
    await Deno.writeTextFile(args.metrics, JSON.stringify(out.metrics, null, 2) + "\n");
    console.log(`wrote ${args.metrics}`);
  }
  if (args.plot) {
    await Deno.writeTextFile(
      args.plot,
      lineSvg({
        title: "MNIST training",
        xLabel: "examples seen",
        series: [
          { name: "train loss", points: smooth(out.curves.trainLoss, 20) },
          { name: "test loss", points: out.curves.testLoss },
          { name: "test accuracy", points: out.curves.testAccuracy },
        ],
      }),
    );
    console.log(`wrote ${args.plot}`);
  }
}

/** A moving average over `k` points, to make the per-step loss readable. */
function smooth(points: [number, number][], k: number): [number, number][] {
  return points.map(([x], i) => {
    const w = points.slice(Math.max(0, i - k + 1), i + 1);
    return [x, w.reduce((s, [, y]) => s + y, 0) / w.length];
  });
}

/**
 * Fails fast, before training, when an output file's directory does not exist or the path
 * itself is a directory.
 */
export async function checkOutputs(args: MnistArgs): Promise<void> {
  for (
    const [flag, file] of [["save", args.save], ["metrics", args.metrics], ["plot", args.plot]]
  ) {
    if (!file) continue;
    const slash = file.lastIndexOf("/");
    const dir = slash < 0 ? "." : file.slice(0, slash) || "/";
    const info = await Deno.stat(dir).catch(() => undefined);
    if (!info?.isDirectory) {
      throw new UsageError(`--${flag} ${file}: the directory ${dir} does not exist`);
    }
    const target = await Deno.stat(file).catch(() => undefined);
    if (target?.isDirectory) {
      throw new UsageError(`--${flag} ${file}: is a directory; give a file name`);
    }
  }
}

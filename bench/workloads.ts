/**
 * The workloads the comparison benchmarks share with `bench/torch_reference.py` and
 * `bench/report.ts`: their names, the work one iteration does, and how each library's row is
 * registered with `Deno.bench` (a library that cannot run a workload is reported, not measured).
 */
import { init } from "../mod.ts";

/** One workload: what an iteration does and how its throughput is counted. */
export interface Workload {
  /** The name benchmarks and the report use. */
  readonly id: string;
  /** What one iteration does, for the report. */
  readonly what: string;
  /** Throughput unit. */
  readonly unit: "GFLOP/s" | "samples/s";
  /** GFLOP or samples per iteration. */
  readonly perIter: number;
}

const conv2Flops = 2 * 64 * 64 * 24 * 24 * 32 * 9 / 1e9;

/** Every workload, in report order. */
export const WORKLOADS: readonly Workload[] = [
  ...[256, 512, 1024].map((n): Workload => ({
    id: `matmul ${n}`,
    what: `${n}x${n} @ ${n}x${n} float32, result read back`,
    unit: "GFLOP/s",
    perIter: 2 * n ** 3 / 1e9,
  })),
  {
    id: "conv2 forward",
    what: "the seed's conv2: batch 64, 32->64 channels, 3x3, 26x26 input, result read back",
    unit: "GFLOP/s",
    perIter: conv2Flops,
  },
  {
    id: "conv2 forward+backward",
    what: "the same layer, forward and both gradients (input and filter) for a random upstream " +
      "gradient, gradients read back",
    unit: "GFLOP/s",
    perIter: 3 * conv2Flops,
  },
  {
    id: "seed CNN step, batch 64",
    what: "the seed's MNIST CNN (conv 1->32->64, max-pool, dropout, fc 9216->128->10): " +
      "forward, NLL loss, backward, Adam; loss read back",
    unit: "samples/s",
    perIter: 64,
  },
  {
    id: "MLP step, batch 128",
    what: "MLP 784-128-10 (ReLU): forward, cross-entropy, backward, Adam; loss read back",
    unit: "samples/s",
    perIter: 128,
  },
];

/** The libraries and backends measured in Deno, in report order. */
export const LIBRARIES = [
  "fluxion cpu",
  "fluxion webgpu",
  "tfjs cpu",
  "tfjs wasm",
  "tfjs webgpu",
] as const;
/** One of them. */
export type Library = typeof LIBRARIES[number];

/** Iterations for a benchmark: few for slow ones. */
export interface Runs {
  /** Measured iterations. */
  n?: number;
  /** Warm-up iterations (after the probe run). */
  warmup?: number;
}

/** Prints a row the report collects: the workload could not run on this library. */
export function skip(workload: string, library: Library, why: string): void {
  console.error(`SKIP\t${workload}\t${library}\t${why.split("\n")[0]}`);
}

/** Whether fluxion's WebGPU backend can start here (its reason printed if not). */
export async function fluxionGpu(): Promise<string | undefined> {
  try {
    await init({ backend: "webgpu" });
    return undefined;
  } catch (e) {
    return (e as Error).message;
  } finally {
    await init({ backend: "cpu" });
  }
}

/**
 * Registers `workload` on `library`: `setup` builds the inputs and returns one iteration; that
 * iteration runs once as a probe (and warm-up), and a failure is reported as a skip.
 */
export async function register(
  workload: string,
  library: Library,
  setup: () => Promise<() => Promise<void>>,
  runs: Runs = {},
): Promise<void> {
  // FLUXION_BENCH_ONLY="fluxion cpu" registers (and probes) that library's rows alone.
  let only: string | undefined;
  try {
    only = Deno.env.get("FLUXION_BENCH_ONLY");
  } catch {
    only = undefined;
  }
  if (only && only !== library) return;
  let iteration: () => Promise<void>;
  try {
    iteration = await setup();
    await iteration();
  } catch (e) {
    skip(workload, library, (e as Error).message);
    return;
  }
  Deno.bench({
    name: `${workload} · ${library}`,
    group: workload,
    baseline: library === "fluxion cpu",
    n: runs.n,
    warmup: runs.warmup,
    fn: iteration,
  });
}

/** Whether slow rows (minutes per iteration) should run: `FLUXION_BENCH_SLOW=1`. */
export function slowAllowed(): boolean {
  try {
    return Deno.env.get("FLUXION_BENCH_SLOW") === "1";
  } catch {
    return false;
  }
}

/**
 * Loads tests/fixtures/optim.json (written by tools/fixtures/optim.py from PyTorch 1.13) and
 * builds fluxion optimizers and schedules from its specs.
 */
import assert from "node:assert/strict";
import { optim, type Tensor, tensor } from "../../mod.ts";
import { assertClose } from "../assert_close.ts";

/** A stored tensor. */
export interface TensorSpec {
  shape: number[];
  data: number[];
}

/** Parameters or gradients of the trajectory cases. */
export type Pair<T> = { w: T; b: T };

/** A schedule as stored: fluxion's constructor name and its options. */
export type ScheduleSpec = { kind: string; [option: string]: unknown };

/** Five optimizer steps from PyTorch with stored gradients. */
export interface TrajectoryCase {
  name: string;
  optimizer: string;
  options: Record<string, unknown>;
  schedule?: ScheduleSpec;
  clipByGlobalNorm?: number;
  params0: Pair<TensorSpec>;
  grads: Pair<TensorSpec>[];
  params: Pair<TensorSpec>[];
}

/** Five steps on mean((x @ w + b - y)^2). */
export interface LossCase {
  name: string;
  optimizer: string;
  options: Record<string, unknown>;
  x: TensorSpec;
  y: TensorSpec;
  params0: Pair<TensorSpec>;
  losses: number[];
  params: Pair<TensorSpec>[];
}

/** The whole fixture file. */
export interface OptimFixture {
  torch: string;
  trajectories: TrajectoryCase[];
  loss: LossCase[];
  schedules: { schedule: ScheduleSpec; values: number[] }[];
  clipNorm: {
    maxNorm: number;
    grads: Pair<TensorSpec>;
    totalNorm: number;
    clipped: Pair<TensorSpec>;
  }[];
  clipValue: { limit: number; grads: Pair<TensorSpec>; clipped: Pair<TensorSpec> }[];
}

/** The fixture. */
export const fixture: OptimFixture = JSON.parse(
  await Deno.readTextFile(new URL("../fixtures/optim.json", import.meta.url)),
);

/** A float32 tensor from a stored one. */
export const load = (t: TensorSpec): Tensor => tensor(t.data, { shape: t.shape });

/** Stored parameters or gradients as tensors. */
export const loadPair = (p: Pair<TensorSpec>): Pair<Tensor> => ({ w: load(p.w), b: load(p.b) });

/** The fluxion schedule for a stored spec. */
export function makeSchedule(spec: ScheduleSpec): optim.Schedule {
  const { kind, ...opts } = spec;
  switch (kind) {
    case "stepDecay":
      return optim.stepDecay(opts as unknown as optim.StepDecayOptions);
    case "exponentialDecay":
      return optim.exponentialDecay(opts as unknown as optim.ExponentialDecayOptions);
    case "cosineDecay":
      return optim.cosineDecay(opts as unknown as optim.CosineDecayOptions);
    case "warmupCosineDecay":
      return optim.warmupCosineDecay(opts as unknown as optim.WarmupCosineDecayOptions);
  }
  throw new Error(`unknown schedule ${kind}`);
}

/** The fluxion optimizer for a stored name and options (a schedule replaces `lr`). */
export function makeOptimizer(
  name: string,
  options: Record<string, unknown>,
  schedule?: ScheduleSpec,
): optim.GradientTransformation<unknown> {
  const opts = schedule ? { ...options, lr: makeSchedule(schedule) } : options;
  const make = {
    sgd: optim.sgd,
    adam: optim.adam,
    adamw: optim.adamw,
    adagrad: optim.adagrad,
    rmsprop: optim.rmsprop,
    adadelta: optim.adadelta,
  }[name] as ((o: unknown) => optim.GradientTransformation<unknown>) | undefined;
  assert.ok(make, `unknown optimizer ${name}`);
  return make(opts);
}

/** Tolerances for float32 trajectories compared with PyTorch's. */
export const TOL = { rtol: 1e-5, atol: 1e-6 };

/** The largest |actual - expected| / (atol + rtol |expected|) seen, for the report. */
export const worst = { ratio: 0, where: "" };

/** Asserts that parameters equal stored ones within `TOL`. */
export function assertPairClose(actual: Pair<Tensor>, expected: Pair<TensorSpec>, msg: string) {
  for (const k of ["w", "b"] as const) {
    assert.deepEqual(actual[k].shape, expected[k].shape, `${msg} ${k} shape`);
    const a = actual[k].dataSync();
    const e = expected[k].data;
    for (let i = 0; i < e.length; i++) {
      const r = Math.abs(a[i] - e[i]) / (TOL.atol + TOL.rtol * Math.abs(e[i]));
      if (r > worst.ratio) Object.assign(worst, { ratio: r, where: `${msg} ${k}[${i}]` });
    }
    assertClose(a, e, { ...TOL, msg: `${msg} ${k}` });
  }
}

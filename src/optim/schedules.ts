/**
 * Learning-rate schedules: functions from the step count to a learning rate, usable wherever an
 * optimizer takes `lr`.
 *
 * Steps count from 0 at the first update, as in Optax. The update made by the `k`-th call of
 * `update` (k = 0, 1, ...) uses `schedule(k)`, which is the learning rate PyTorch uses at the
 * `k`-th `optimizer.step()` when `scheduler.step()` is called once after each `optimizer.step()`
 * (the usual loop, with the scheduler stepped per batch). A PyTorch loop that steps its scheduler
 * once per epoch of `n` batches matches `(k) => schedule(Math.floor(k / n))`.
 *
 * @module
 */
import { checkRange } from "./checks.ts";
import { add, div, mul, pow, sub } from "../ops/arithmetic.ts";
import { less, where } from "../ops/comparison.ts";
import { scalar } from "../ops/creation.ts";
import { cosineTensor, stepDecayTensor, withTensorForm } from "./step_count.ts";

/**
 * A learning-rate schedule: the learning rate at a step (an integer >= 0; 0 is the first update).
 *
 * @example
 * ```ts
 * import { optim } from "@fluxion/fluxion";
 * const halving: optim.Schedule = (step) => 0.1 * 0.5 ** step;
 * const opt = optim.sgd({ lr: halving });
 * ```
 */
export type Schedule = (step: number) => number;

function positiveInt(op: string, name: string, v: unknown): number {
  if (!Number.isInteger(v) || (v as number) < 1) {
    throw new RangeError(`${op}: ${name} must be a positive integer, got ${String(v)}`);
  }
  return v as number;
}

function finite(op: string, name: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isFinite(v)) {
    throw new RangeError(`${op}: ${name} must be a finite number, got ${String(v)}`);
  }
  return v;
}

/**
 * The same value at every step.
 *
 * @example
 * ```ts
 * import { optim } from "@fluxion/fluxion";
 * optim.constant(0.01)(1000); // 0.01
 * ```
 */
export function constant(value: number): Schedule {
  const v = finite("constant", "value", value);
  return withTensorForm(() => v, (step) => scalar(v, "float32", step.backend));
}

/** Options of {@linkcode stepDecay}. */
export interface StepDecayOptions {
  /** The learning rate at step 0. */
  init: number;
  /** The number of steps between decays. */
  stepSize: number;
  /** The factor applied every `stepSize` steps (default 0.1, as PyTorch). */
  gamma?: number;
}

/**
 * `init * gamma ** floor(step / stepSize)`: PyTorch's `StepLR(optimizer, step_size, gamma)` with
 * `lr = init`.
 *
 * @example
 * ```ts
 * import { optim } from "@fluxion/fluxion";
 * const s = optim.stepDecay({ init: 0.1, stepSize: 3, gamma: 0.5 });
 * [0, 2, 3, 6].map(s); // [0.1, 0.1, 0.05, 0.025]
 * ```
 */
export function stepDecay(opts: StepDecayOptions): Schedule {
  const op = "stepDecay";
  const init = finite(op, "init", opts.init);
  const stepSize = positiveInt(op, "stepSize", opts.stepSize);
  const gamma = finite(op, "gamma", opts.gamma ?? 0.1);
  return withTensorForm(
    (step) => init * gamma ** Math.floor(step / stepSize),
    stepDecayTensor(init, gamma, stepSize),
  );
}

/** Options of {@linkcode exponentialDecay}. */
export interface ExponentialDecayOptions {
  /** The learning rate at step 0. */
  init: number;
  /** The factor applied at every step. */
  gamma: number;
}

/**
 * `init * gamma ** step`: PyTorch's `ExponentialLR(optimizer, gamma)` with `lr = init`.
 *
 * @example
 * ```ts
 * import { optim } from "@fluxion/fluxion";
 * const s = optim.exponentialDecay({ init: 1, gamma: 0.9 });
 * s(2); // 0.81
 * ```
 */
export function exponentialDecay(opts: ExponentialDecayOptions): Schedule {
  const op = "exponentialDecay";
  const init = finite(op, "init", opts.init);
  const gamma = finite(op, "gamma", opts.gamma);
  return withTensorForm((step) => init * gamma ** step, (step) => mul(pow(gamma, step), init));
}

/** Options of {@linkcode cosineDecay}. */
export interface CosineDecayOptions {
  /** The learning rate at step 0. */
  init: number;
  /** The number of steps over which the rate decays to `alpha * init`. */
  decaySteps: number;
  /** The final rate as a fraction of `init` (default 0). */
  alpha?: number;
}

/**
 * Cosine annealing from `init` to `alpha * init` over `decaySteps` steps, then constant:
 * `init * ((1 - alpha) * (1 + cos(pi * min(step, decaySteps) / decaySteps)) / 2 + alpha)`, as
 * `optax.cosine_decay_schedule`. For `step <= decaySteps` this is PyTorch's
 * `CosineAnnealingLR(optimizer, T_max=decaySteps, eta_min=alpha * init)`; after that PyTorch's
 * rate rises again along the cosine while this one stays at `alpha * init`.
 *
 * @example
 * ```ts
 * import { optim } from "@fluxion/fluxion";
 * const s = optim.cosineDecay({ init: 0.1, decaySteps: 100 });
 * s(50); // 0.05
 * ```
 */
export function cosineDecay(opts: CosineDecayOptions): Schedule {
  const op = "cosineDecay";
  const init = finite(op, "init", opts.init);
  const decaySteps = positiveInt(op, "decaySteps", opts.decaySteps);
  const alpha = checkRange(op, "alpha", opts.alpha ?? 0, 0, 1);
  return withTensorForm((step) => {
    const t = Math.min(Math.max(step, 0), decaySteps) / decaySteps;
    return init * ((1 - alpha) * 0.5 * (1 + Math.cos(Math.PI * t)) + alpha);
  }, (step) => cosineTensor(div(step, decaySteps), init * (1 - alpha), init * alpha));
}

/** Options of {@linkcode warmupCosineDecay}. */
export interface WarmupCosineDecayOptions {
  /** The learning rate at step 0. */
  init: number;
  /** The learning rate at the end of the warmup. */
  peak: number;
  /** The number of steps of linear warmup from `init` to `peak`. */
  warmupSteps: number;
  /** The total length of the schedule, warmup included. */
  decaySteps: number;
  /** The learning rate after `decaySteps` (default 0). */
  end?: number;
}

/**
 * Linear warmup from `init` to `peak` over `warmupSteps`, then cosine decay from `peak` to `end`,
 * reaching it at step `decaySteps` (which counts the warmup), then constant: Optax's
 * `warmup_cosine_decay_schedule`. In PyTorch (base `lr = peak`): `SequentialLR` of
 * `LinearLR(start_factor=init/peak, total_iters=warmupSteps)` and
 * `CosineAnnealingLR(T_max=decaySteps - warmupSteps, eta_min=end)` with milestone `warmupSteps`.
 *
 * @example
 * ```ts
 * import { optim } from "@fluxion/fluxion";
 * const s = optim.warmupCosineDecay({ init: 0, peak: 1e-3, warmupSteps: 100, decaySteps: 1000 });
 * s(50); // 5e-4
 * ```
 */
export function warmupCosineDecay(opts: WarmupCosineDecayOptions): Schedule {
  const op = "warmupCosineDecay";
  const init = finite(op, "init", opts.init);
  const peak = finite(op, "peak", opts.peak);
  const end = finite(op, "end", opts.end ?? 0);
  const warmupSteps = opts.warmupSteps === 0 ? 0 : positiveInt(op, "warmupSteps", opts.warmupSteps);
  const decaySteps = positiveInt(op, "decaySteps", opts.decaySteps);
  if (decaySteps <= warmupSteps) {
    throw new RangeError(
      `${op}: decaySteps (${decaySteps}, the total length) must exceed warmupSteps (${warmupSteps})`,
    );
  }
  const span = decaySteps - warmupSteps;
  return withTensorForm((step) => {
    if (step < warmupSteps) return init + (peak - init) * (step / warmupSteps);
    const t = Math.min(step - warmupSteps, span) / span;
    return end + (peak - end) * 0.5 * (1 + Math.cos(Math.PI * t));
  }, (step) => {
    const decay = cosineTensor(div(sub(step, warmupSteps), span), peak - end, end);
    if (warmupSteps === 0) return decay;
    const warm = add(mul(div(step, warmupSteps), peak - init), init);
    return where(less(step, warmupSteps), warm, decay);
  });
}

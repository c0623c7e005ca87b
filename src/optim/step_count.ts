/**
 * Step counts that live on the device. An optimizer's state counts its updates; a plain number
 * count is exact and lets backends fuse the update, but every step changes it, so a compiled
 * training step (`compile`) would trace again each time. `capturable(opt)` keeps the count as an
 * int32 scalar tensor instead: learning-rate schedules and bias corrections are then computed
 * with tensor ops in float32 (as PyTorch's `capturable=True` optimizers do for CUDA graphs), and
 * one traced step replays for every later step.
 *
 * @module
 */
import { add, div, maximum, minimum, mul, pow } from "../ops/arithmetic.ts";
import { cast } from "../ops/cast.ts";
import { scalar } from "../ops/creation.ts";
import { cos, floor } from "../ops/unary.ts";
import { Tensor } from "../core/tensor.ts";
import { leaves } from "../tree/structure.ts";
import { lrAt } from "./checks.ts";
import type { Schedule } from "./schedules.ts";
import type { GradientTransformation, LearningRate } from "./transform.ts";

/** A step count: a number, or an int32 scalar tensor for `capturable` optimizers. */
export type StepCount = number | Tensor;

/** The count after one more step. */
export function nextCount(count: StepCount): StepCount {
  return typeof count === "number" ? count + 1 : add(count, 1);
}

/** A step count as a float32 scalar (numbers stay numbers). */
export function countValue(count: StepCount): number | Tensor {
  return typeof count === "number" ? count : cast(count, "float32");
}

/** The tensor forms of the built-in schedules, for counts on the device. */
const onDevice = new WeakMap<Schedule, (step: Tensor) => Tensor>();

/** Registers the tensor form of schedule `s` (same formula, float32 tensor ops); returns `s`. */
export function withTensorForm(s: Schedule, form: (step: Tensor) => Tensor): Schedule {
  onDevice.set(s, form);
  return s;
}

/**
 * The learning rate at `count`: a number for a number count or a constant rate, else a float32
 * scalar tensor from the schedule's tensor form (built-in schedules have one).
 */
export function rateAt(op: string, lr: LearningRate, count: StepCount): number | Tensor {
  if (typeof count === "number" || typeof lr === "number") {
    return lrAt(op, lr, typeof count === "number" ? count : 0);
  }
  const form = onDevice.get(lr);
  if (form === undefined) {
    throw new TypeError(
      `${op}: a capturable optimizer's step count is a tensor, and this learning-rate schedule ` +
        "is a plain function of a number; use a built-in schedule (stepDecay, exponentialDecay, " +
        "cosineDecay, warmupCosineDecay, constant) or a constant rate",
    );
  }
  return form(cast(count, "float32"));
}

/** `-rate`, for numbers and tensors. */
export function negated(rate: number | Tensor): number | Tensor {
  return typeof rate === "number" ? -rate : mul(rate, -1);
}

/** `init * gamma ** floor(step / stepSize)` as float32 tensor ops. */
export function stepDecayTensor(init: number, gamma: number, stepSize: number) {
  return (step: Tensor): Tensor => mul(pow(gamma, floor(div(step, stepSize))), init);
}

/** `alpha + (1 - alpha) * (1 + cos(pi * t)) / 2` scaled by `scale`, `t` clipped to [0, 1]. */
export function cosineTensor(t: Tensor, scale: number, floorValue: number): Tensor {
  const c = add(cos(mul(minimum(maximum(t, 0), 1), Math.PI)), 1);
  return add(mul(c, 0.5 * scale), floorValue);
}

function replaceCounts(state: unknown, backend: Tensor["backend"]): unknown {
  if (Array.isArray(state)) return state.map((s) => replaceCounts(s, backend));
  if (state === null || typeof state !== "object" || state instanceof Tensor) return state;
  if (Object.getPrototypeOf(state) !== Object.prototype) return state;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(state)) {
    out[k] = k === "count" && typeof v === "number"
      ? scalar(v, "int32", backend)
      : replaceCounts(v, backend);
  }
  return out;
}

/**
 * `opt` with its step counts kept as int32 scalar tensors on the parameters' backend (every
 * `count` field of its state, chained transformations included), so that `compile` traces one
 * training step and replays it for all later steps. Schedules and bias corrections are then
 * computed in float32 on the device: results agree with `opt`'s to float32 rounding. Custom
 * schedules (plain functions of a number) are an error; built-in ones work.
 *
 * @example
 * ```ts
 * import { compile, optim, tensor } from "@fluxion/fluxion";
 * const opt = optim.capturable(optim.adam({ lr: 1e-2 }));
 * const state = opt.init({ w: tensor([1, 2]) });
 * console.log((state as { count: unknown }).count); // an int32 scalar tensor
 * ```
 */
export function capturable<S>(opt: GradientTransformation<S>): GradientTransformation<S> {
  return {
    init(params) {
      const state = opt.init(params);
      const first = leaves(params)[0];
      if (first === undefined) return state;
      return replaceCounts(state, first.backend) as S;
    },
    update: (grads, state, params) => opt.update(grads, state, params),
  };
}

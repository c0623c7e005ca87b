/**
 * Step counts as numbers or tensors (see `capturable`): the next count, learning rates at a
 * count, and the tensor forms of the built-in schedules. Internal to the optimizers.
 *
 * @module
 */
import { add, div, maximum, minimum, mul, pow } from "../ops/arithmetic.ts";
import { cast } from "../ops/cast.ts";
import { cos, floor } from "../ops/unary.ts";
import type { Tensor } from "../core/tensor.ts";
import { lrAt } from "./checks.ts";
import type { Schedule } from "./schedules.ts";
import type { LearningRate } from "./transform.ts";
import type { StepCount } from "./capturable.ts";

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

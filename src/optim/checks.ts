/**
 * Argument checks and learning-rate evaluation shared by the optimizers (internal).
 *
 * @module
 */
import type { LearningRate } from "./transform.ts";

/** The value of a learning rate at step `count`, checked to be a finite number. */
export function lrAt(op: string, lr: LearningRate, count: number): number {
  const v = typeof lr === "function" ? lr(count) : lr;
  if (typeof v !== "number" || !Number.isFinite(v)) {
    throw new RangeError(`${op}: the learning rate at step ${count} is not a finite number: ${v}`);
  }
  return v;
}

/** Throws a RangeError naming `op` unless `lr` is a schedule or a number >= 0. */
export function checkLearningRate(op: string, lr: LearningRate): LearningRate {
  if (typeof lr === "function") return lr;
  if (typeof lr !== "number" || !(lr >= 0)) {
    throw new RangeError(`${op}: invalid learning rate ${String(lr)}; expected a number >= 0`);
  }
  return lr;
}

/** Throws a RangeError naming `op` unless `v` is a number in `[lo, hi]` (or `[lo, hi)`). */
export function checkRange(
  op: string,
  name: string,
  v: unknown,
  lo: number,
  hi = Infinity,
  hiOpen = false,
): number {
  const ok = typeof v === "number" && v >= lo && (hiOpen ? v < hi : v <= hi);
  if (!ok) {
    const range = hi === Infinity ? `>= ${lo}` : `in [${lo}, ${hi}${hiOpen ? ")" : "]"}`;
    throw new RangeError(`${op}: invalid ${name} ${String(v)}; expected a number ${range}`);
  }
  return v as number;
}

/** Throws naming `op` when a transformation that reads the parameters got none. */
export function requireParams<P>(op: string, params: P | undefined): P {
  if (params === undefined) {
    throw new Error(
      `${op}: update needs the current parameters: call update(grads, state, params)`,
    );
  }
  return params;
}

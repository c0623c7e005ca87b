/**
 * Argument checks and the reduction step shared by the losses (not part of the public API).
 *
 * @module
 */
import { describeValue } from "../core/check.ts";
import { isFloat } from "../core/dtype.ts";
import { fmtShape, shapesEqual } from "../core/shape.ts";
import { Tensor } from "../core/tensor.ts";
import { mean, sum } from "../ops/reduce.ts";
import type { Reduction } from "./types.ts";

/** `Tensor [2, 3] float32`, for error messages. */
export const desc = (t: Tensor): string => `${fmtShape(t.shape)} ${t.dtype}`;

/** Throws a TypeError naming the loss and the argument unless `x` is a Tensor. */
export function requireArg(loss: string, name: string, x: unknown): asserts x is Tensor {
  if (!(x instanceof Tensor)) {
    throw new TypeError(`${loss}: ${name} must be a Tensor, got ${describeValue(x)}`);
  }
}

/** Checks that `x` is a floating-point tensor. */
export function requireFloat(loss: string, name: string, x: unknown): asserts x is Tensor {
  requireArg(loss, name, x);
  if (!isFloat(x.dtype)) {
    throw new TypeError(
      `${loss}: ${name} must be floating point, got ${desc(x)} (cast it with cast(x, "float32"))`,
    );
  }
}

/**
 * Checks a float prediction and a target of exactly its shape and dtype (no broadcasting: PyTorch
 * warns on `[N]` against `[N, 1]`, we refuse).
 */
export function requireSameShape(loss: string, pred: unknown, target: unknown): void {
  requireFloat(loss, "prediction", pred);
  requireArg(loss, "target", target);
  if (!shapesEqual(pred.shape, target.shape)) {
    throw new Error(
      `${loss}: prediction ${desc(pred)} and target ${desc(target)} must have the same shape ` +
        `(no broadcasting; reshape one of them)`,
    );
  }
  if (target.dtype !== pred.dtype) {
    throw new TypeError(
      `${loss}: target ${desc(target)} must have the prediction's dtype ${pred.dtype} ` +
        `(cast it with cast(target, "${pred.dtype}"))`,
    );
  }
}

/** Validates the `reduction` option. */
export function checkReduction<R extends string>(
  loss: string,
  reduction: unknown,
  allowed: readonly R[],
): R {
  if (!allowed.includes(reduction as R)) {
    throw new RangeError(
      `${loss}: reduction must be ${allowed.map((r) => `"${r}"`).join(", ")}, got ${
        describeValue(reduction)
      }`,
    );
  }
  return reduction as R;
}

/** Applies a plain (unweighted) reduction to elementwise losses. */
export function reduce(loss: string, x: Tensor, reduction: Reduction | undefined): Tensor {
  const r = checkReduction(loss, reduction ?? "mean", ["mean", "sum", "none"] as const);
  return r === "mean" ? mean(x) : r === "sum" ? sum(x) : x;
}

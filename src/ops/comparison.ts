/**
 * Broadcasting comparisons, giving `bool` tensors (`equal`, `less`, ...), and `where`, the
 * elementwise choice by a `bool` condition.
 *
 * @module
 */
import { bind } from "../autodiff/bind.ts";
import { requireTensor } from "../core/check.ts";
import type { ComparePrim } from "../core/primitives.ts";
import type { Tensor } from "../core/tensor.ts";
import { scalar } from "./creation.ts";
import { promote, type TensorLike } from "./promotion.ts";

function compare(op: ComparePrim) {
  return (a: TensorLike, b: TensorLike): Tensor => bind(op, promote(op, a, b), {});
}

/**
 * `a == b` elementwise, as `bool`.
 *
 * @example
 * ```ts
 * import { equal, tensor } from "@fluxion/fluxion";
 * equal(tensor([1, 2]), 2); // [false, true]
 * ```
 */
export const equal: (a: TensorLike, b: TensorLike) => Tensor = compare("equal");
/**
 * `a != b` elementwise, as `bool`.
 *
 * @example
 * ```ts
 * import { notEqual, tensor } from "@fluxion/fluxion";
 * notEqual(tensor([1, 2]), 2); // [true, false]
 * ```
 */
export const notEqual: (a: TensorLike, b: TensorLike) => Tensor = compare("notEqual");
/**
 * `a > b` elementwise, as `bool`.
 *
 * @example
 * ```ts
 * import { greater, tensor } from "@fluxion/fluxion";
 * greater(tensor([1, 3]), 2); // [false, true]
 * ```
 */
export const greater: (a: TensorLike, b: TensorLike) => Tensor = compare("greater");
/**
 * `a >= b` elementwise, as `bool`.
 *
 * @example
 * ```ts
 * import { greaterEqual, tensor } from "@fluxion/fluxion";
 * greaterEqual(tensor([1, 2]), 2); // [false, true]
 * ```
 */
export const greaterEqual: (a: TensorLike, b: TensorLike) => Tensor = compare("greaterEqual");
/**
 * `a < b` elementwise, as `bool`.
 *
 * @example
 * ```ts
 * import { less, tensor } from "@fluxion/fluxion";
 * less(tensor([1, 3]), 2); // [true, false]
 * ```
 */
export const less: (a: TensorLike, b: TensorLike) => Tensor = compare("less");
/**
 * `a <= b` elementwise, as `bool`.
 *
 * @example
 * ```ts
 * import { lessEqual, tensor } from "@fluxion/fluxion";
 * lessEqual(tensor([2, 3]), 2); // [true, false]
 * ```
 */
export const lessEqual: (a: TensorLike, b: TensorLike) => Tensor = compare("lessEqual");

/**
 * Elementwise choice: `a` where `cond` is true, else `b` (all three broadcast). `cond` must be
 * `bool`; `a` and `b` are promoted to one dtype and may be numbers.
 *
 * @example
 * ```ts
 * import { greater, tensor, where } from "@fluxion/fluxion";
 * const x = tensor([-1, 2, -3]);
 * where(greater(x, 0), x, 0); // [0, 2, 0]
 * ```
 */
export function where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
  requireTensor("where", cond);
  if (typeof a === "number" && typeof b === "number") {
    a = scalar(a, "float32", cond.backend);
  }
  const [x, y] = promote("where", a, b);
  return bind("where", [cond, x, y], {});
}

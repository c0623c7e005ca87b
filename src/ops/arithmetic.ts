/**
 * Broadcasting arithmetic with type promotion and plain-number scalars: `add`, `sub`, `mul`,
 * `div`, `pow`, `maximum`, `minimum` and `square`.
 *
 * @module
 */
import { bind } from "../autodiff/bind.ts";
import { requireTensor } from "../core/check.ts";
import type { DType } from "../core/dtype.ts";
import type { BinaryPrim } from "../core/primitives.ts";
import type { Tensor } from "../core/tensor.ts";
import { promote, type TensorLike } from "./promotion.ts";

function binary(op: BinaryPrim, minimum?: DType) {
  return (a: TensorLike, b: TensorLike): Tensor => {
    const [x, y] = promote(op, a, b, minimum ?? "int32");
    return bind(op, [x, y], {});
  };
}

/** `a + b`, broadcasting.
 *
 * @example
 * ```ts
 * import { add, tensor } from "@fluxion/fluxion";
 * add(tensor([1, 2]), 10); // [11, 12]
 * ```
 */
export const add: (a: TensorLike, b: TensorLike) => Tensor = binary("add");
/**
 * `a - b`, broadcasting.
 *
 * @example
 * ```ts
 * import { sub, tensor } from "@fluxion/fluxion";
 * sub(tensor([[1], [2]]), tensor([1, 2])); // [[0, -1], [1, 0]]
 * ```
 */
export const sub: (a: TensorLike, b: TensorLike) => Tensor = binary("sub");
/**
 * `a * b`, broadcasting.
 *
 * @example
 * ```ts
 * import { mul, tensor } from "@fluxion/fluxion";
 * mul(tensor([1, 2]), 2); // [2, 4]
 * ```
 */
export const mul: (a: TensorLike, b: TensorLike) => Tensor = binary("mul");
/**
 * `a / b`, broadcasting; true division (integers give float32).
 *
 * @example
 * ```ts
 * import { div, tensor } from "@fluxion/fluxion";
 * div(tensor([1, 2], { dtype: "int32" }), 2); // [0.5, 1] float32
 * ```
 */
export const div: (a: TensorLike, b: TensorLike) => Tensor = binary("div", "float32");
/**
 * `a ** b`, broadcasting.
 *
 * @example
 * ```ts
 * import { pow, tensor } from "@fluxion/fluxion";
 * pow(tensor([1, 2, 3]), 2); // [1, 4, 9]
 * ```
 */
export const pow: (a: TensorLike, b: TensorLike) => Tensor = binary("pow");
/**
 * Elementwise maximum (NaN propagates).
 *
 * @example
 * ```ts
 * import { maximum, tensor } from "@fluxion/fluxion";
 * maximum(tensor([1, 5]), 3); // [3, 5]
 * ```
 */
export const maximum: (a: TensorLike, b: TensorLike) => Tensor = binary("maximum");
/**
 * Elementwise minimum (NaN propagates).
 *
 * @example
 * ```ts
 * import { minimum, tensor } from "@fluxion/fluxion";
 * minimum(tensor([1, 5]), 3); // [1, 3]
 * ```
 */
export const minimum: (a: TensorLike, b: TensorLike) => Tensor = binary("minimum");

/**
 * `x * x`.
 *
 * @example
 * ```ts
 * import { square, tensor } from "@fluxion/fluxion";
 * square(tensor([3])); // [9]
 * ```
 */
export function square(x: Tensor): Tensor {
  requireTensor("square", x);
  return mul(x, x);
}

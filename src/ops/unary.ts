/**
 * Unary elementwise math: `neg`, `abs`, `sign`, `relu` and the rounding functions keep integer
 * dtypes; `exp`, `log`, the trigonometric functions and `sigmoid` compute in floating point.
 *
 * @module
 */
import { bind } from "../autodiff/bind.ts";
import { requireTensor } from "../core/check.ts";
import { isFloat } from "../core/dtype.ts";
import type { UnaryPrim } from "../core/primitives.ts";
import type { Tensor } from "../core/tensor.ts";
import { cast } from "./cast.ts";

/** Unary op that keeps integer dtypes (bool becomes int32). */
function unaryKeep(op: UnaryPrim) {
  return (x: Tensor): Tensor => {
    requireTensor(op, x);
    return bind(op, [x.dtype === "bool" ? cast(x, "int32") : x], {});
  };
}

/** Unary op defined on reals: integer inputs are converted to float32 first. */
function unaryFloat(op: UnaryPrim) {
  return (x: Tensor): Tensor => {
    requireTensor(op, x);
    return bind(op, [isFloat(x.dtype) ? x : cast(x, "float32")], {});
  };
}

/**
 * `-x`.
 *
 * @example
 * ```ts
 * import { neg, tensor } from "@fluxion/fluxion";
 * neg(tensor([1, -2])); // [-1, 2]
 * ```
 */
export const neg: (x: Tensor) => Tensor = unaryKeep("neg");
/**
 * `|x|`.
 *
 * @example
 * ```ts
 * import { abs, tensor } from "@fluxion/fluxion";
 * abs(tensor([-1, 2])); // [1, 2]
 * ```
 */
export const abs: (x: Tensor) => Tensor = unaryKeep("abs");
/**
 * The sign of `x`: -1, 0 or 1.
 *
 * @example
 * ```ts
 * import { sign, tensor } from "@fluxion/fluxion";
 * sign(tensor([-3, 0, 2])); // [-1, 0, 1]
 * ```
 */
export const sign: (x: Tensor) => Tensor = unaryKeep("sign");
/**
 * `max(x, 0)`.
 *
 * @example
 * ```ts
 * import { relu, tensor } from "@fluxion/fluxion";
 * relu(tensor([-1, 2])); // [0, 2]
 * ```
 */
export const relu: (x: Tensor) => Tensor = unaryKeep("relu");
/**
 * Rounds down.
 *
 * @example
 * ```ts
 * import { floor, tensor } from "@fluxion/fluxion";
 * floor(tensor([1.5, -1.5])); // [1, -2]
 * ```
 */
export const floor: (x: Tensor) => Tensor = unaryKeep("floor");
/**
 * Rounds up.
 *
 * @example
 * ```ts
 * import { ceil, tensor } from "@fluxion/fluxion";
 * ceil(tensor([1.5, -1.5])); // [2, -1]
 * ```
 */
export const ceil: (x: Tensor) => Tensor = unaryKeep("ceil");
/**
 * Rounds to the nearest integer, halves to even (like NumPy).
 *
 * @example
 * ```ts
 * import { round, tensor } from "@fluxion/fluxion";
 * round(tensor([0.5, 1.5, 2.4])); // [0, 2, 2]
 * ```
 */
export const round: (x: Tensor) => Tensor = unaryKeep("round");
/**
 * `e^x`.
 *
 * @example
 * ```ts
 * import { exp, tensor } from "@fluxion/fluxion";
 * exp(tensor([0, 1])); // [1, 2.71828]
 * ```
 */
export const exp: (x: Tensor) => Tensor = unaryFloat("exp");
/**
 * Natural logarithm.
 *
 * @example
 * ```ts
 * import { log, tensor } from "@fluxion/fluxion";
 * log(tensor([1, Math.E])); // [0, 1]
 * ```
 */
export const log: (x: Tensor) => Tensor = unaryFloat("log");
/**
 * `log(1 + x)`, accurate near 0.
 *
 * @example
 * ```ts
 * import { log1p, tensor } from "@fluxion/fluxion";
 * log1p(tensor([1e-8])); // [1e-8]
 * ```
 */
export const log1p: (x: Tensor) => Tensor = unaryFloat("log1p");
/**
 * `e^x - 1`, accurate near 0.
 *
 * @example
 * ```ts
 * import { expm1, tensor } from "@fluxion/fluxion";
 * expm1(tensor([1e-8])); // [1e-8]
 * ```
 */
export const expm1: (x: Tensor) => Tensor = unaryFloat("expm1");
/**
 * Square root.
 *
 * @example
 * ```ts
 * import { sqrt, tensor } from "@fluxion/fluxion";
 * sqrt(tensor([4, 9])); // [2, 3]
 * ```
 */
export const sqrt: (x: Tensor) => Tensor = unaryFloat("sqrt");
/**
 * Sine.
 *
 * @example
 * ```ts
 * import { sin, tensor } from "@fluxion/fluxion";
 * sin(tensor([0])); // [0]
 * ```
 */
export const sin: (x: Tensor) => Tensor = unaryFloat("sin");
/**
 * Cosine.
 *
 * @example
 * ```ts
 * import { cos, tensor } from "@fluxion/fluxion";
 * cos(tensor([0])); // [1]
 * ```
 */
export const cos: (x: Tensor) => Tensor = unaryFloat("cos");
/**
 * Hyperbolic tangent.
 *
 * @example
 * ```ts
 * import { tanh, tensor } from "@fluxion/fluxion";
 * tanh(tensor([0])); // [0]
 * ```
 */
export const tanh: (x: Tensor) => Tensor = unaryFloat("tanh");
/**
 * The logistic function `1 / (1 + e^-x)`, computed without overflow.
 *
 * @example
 * ```ts
 * import { sigmoid, tensor } from "@fluxion/fluxion";
 * sigmoid(tensor([0])); // [0.5]
 * ```
 */
export const sigmoid: (x: Tensor) => Tensor = unaryFloat("sigmoid");

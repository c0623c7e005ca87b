/**
 * Elementwise ops: unary math, broadcasting arithmetic with type promotion and plain-number
 * scalars, comparisons, `where` and `cast`.
 *
 * @module
 */
import { bind } from "../autodiff/bind.ts";
import { describeValue, requireTensor } from "../core/check.ts";
import { checkDType, type DType, isFloat, promoteTypes } from "../core/dtype.ts";
import type { BinaryPrim, ComparePrim, UnaryPrim } from "../core/primitives.ts";
import { Tensor } from "../core/tensor.ts";
import { scalar } from "./creation.ts";

/**
 * A tensor, or a plain number standing for a scalar. */
export type TensorLike = Tensor | number;

/**
 * Converts `x` to `dtype` (a no-op when it already has it). Float to int truncates toward zero;
 * anything to `bool` tests for non-zero.
 *
 * @example
 * ```ts
 * import { cast, tensor } from "@fluxion/fluxion";
 * cast(tensor([1.7, -1.7]), "int32"); // [1, -1]
 * ```
 */
export function cast(x: Tensor, dtype: DType): Tensor {
  checkDType("cast", dtype);
  requireTensor("cast", x);
  return x.dtype === dtype ? x : bind("cast", [x], { dtype });
}

/**
 * The dtype a number takes next to a tensor of dtype `d`: numbers are "weak" and adopt the
 * tensor's type unless they would not fit (a fraction, or an integer outside the int32 range, next
 * to an integer tensor gives float32).
 */
function numberDType(d: DType, v: number): DType {
  if (isFloat(d)) return d;
  const fitsInt32 = Number.isInteger(v) && v >= -0x80000000 && v <= 0x7fffffff;
  return fitsInt32 ? (d === "bool" ? "int32" : d) : "float32";
}

/** Lifts two operands to tensors of one dtype (at least `minimum` in the promotion order). */
function promote(op: string, a: TensorLike, b: TensorLike, minimum?: DType): [Tensor, Tensor] {
  if (typeof a === "number" && typeof b === "number") a = scalar(a, "float32");
  if (typeof a !== "number" && !(a instanceof Tensor)) {
    throw new TypeError(`${op}: expected a Tensor or number, got ${describeValue(a)}`);
  }
  if (typeof b !== "number" && !(b instanceof Tensor)) {
    throw new TypeError(`${op}: expected a Tensor or number, got ${describeValue(b)}`);
  }
  // A number adopts its partner tensor's dtype unless it would not fit in it.
  let dtype = typeof a === "number"
    ? numberDType((b as Tensor).dtype, a)
    : typeof b === "number"
    ? numberDType(a.dtype, b)
    : promoteTypes(a.dtype, b.dtype);
  if (minimum) dtype = promoteTypes(dtype, minimum);
  const backend = (typeof a === "number" ? b as Tensor : a).backend;
  const ta = typeof a === "number" ? scalar(a, dtype, backend) : cast(a, dtype);
  const tb = typeof b === "number" ? scalar(b, dtype, backend) : cast(b, dtype);
  return [ta, tb];
}

function binary(op: BinaryPrim, minimum?: DType) {
  return (a: TensorLike, b: TensorLike): Tensor => {
    const [x, y] = promote(op, a, b, minimum ?? "int32");
    return bind(op, [x, y], {});
  };
}

function compare(op: ComparePrim) {
  return (a: TensorLike, b: TensorLike): Tensor => bind(op, promote(op, a, b), {});
}

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

/**
 * Operands of binary elementwise ops: the `TensorLike` type, and the lifting of plain numbers and
 * promotion of both operands to one dtype.
 *
 * @module
 */
import { describeValue } from "../core/check.ts";
import { type DType, isFloat, promoteTypes } from "../core/dtype.ts";
import { Tensor } from "../core/tensor.ts";
import { cast } from "./cast.ts";
import { scalar } from "./creation.ts";

/**
 * A tensor, or a plain number standing for a scalar. */
export type TensorLike = Tensor | number;

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
export function promote(
  op: string,
  a: TensorLike,
  b: TensorLike,
  minimum?: DType,
): [Tensor, Tensor] {
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

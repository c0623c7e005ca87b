/**
 * Element types of tensors and the rules that relate them.
 *
 * @module
 */

/**
 * The element type of a tensor. `float64` exists for gradient checking on the CPU backend;
 * `bool` is what comparisons return.
 *
 * @example
 * ```ts
 * import { zeros } from "@fluxion/fluxion";
 * const t = zeros([2], { dtype: "int32" });
 * console.log(t.dtype); // "int32"
 * ```
 */
export type DType = "float32" | "float64" | "int32" | "bool";

/** The typed array that holds the elements of each dtype. */
export type TypedArray = Float32Array | Float64Array | Int32Array | Uint8Array;

/** Every dtype, in promotion order (later wins when two are mixed). */
export const DTYPES: readonly DType[] = ["bool", "int32", "float32", "float64"];

const RANK: Record<DType, number> = { bool: 0, int32: 1, float32: 2, float64: 3 };

/** Whether `dtype` names a floating-point type (the only types that have gradients). */
export function isFloat(dtype: DType): boolean {
  return dtype === "float32" || dtype === "float64";
}

/** Throws unless `dtype` is one of the dtypes fluxion knows. */
export function checkDType(op: string, dtype: unknown): DType {
  if (typeof dtype === "string" && dtype in RANK) return dtype as DType;
  throw new TypeError(
    `${op}: unknown dtype ${JSON.stringify(dtype)}; expected one of ${DTYPES.join(", ")}`,
  );
}

/** The dtype both operands are converted to when `a` and `b` meet in a binary op. */
export function promoteTypes(a: DType, b: DType): DType {
  return RANK[a] >= RANK[b] ? a : b;
}

/** A new zero-filled typed array of `size` elements of `dtype`. */
export function allocate(dtype: DType, size: number): TypedArray {
  switch (dtype) {
    case "float32":
      return new Float32Array(size);
    case "float64":
      return new Float64Array(size);
    case "int32":
      return new Int32Array(size);
    case "bool":
      return new Uint8Array(size);
  }
}

/**
 * The dtype `tensor()` gives a typed array by default: its own for `Float32Array`,
 * `Float64Array` and `Int32Array`; `int32` for the narrower integer arrays (`Uint8Array`,
 * `Int8Array`, `Uint8ClampedArray`, `Int16Array`, `Uint16Array`, such as image bytes). Other
 * views (`Uint32Array`, BigInt arrays, `DataView`) need an explicit dtype, and this throws.
 */
export function dtypeOfArray(op: string, data: ArrayBufferView): DType {
  if (data instanceof Float32Array) return "float32";
  if (data instanceof Float64Array) return "float64";
  if (
    data instanceof Int32Array || data instanceof Uint8Array || data instanceof Int8Array ||
    data instanceof Uint8ClampedArray || data instanceof Int16Array || data instanceof Uint16Array
  ) return "int32";
  throw new TypeError(
    `${op}: cannot infer a dtype for a ${data.constructor.name}; pass { dtype } (one of ${
      DTYPES.join(", ")
    })`,
  );
}

/** Converts one JS number to the value `dtype` stores for it (truncating floats to int32). */
export function coerce(dtype: DType, value: number): number {
  switch (dtype) {
    case "int32":
      return value | 0;
    case "bool":
      return value ? 1 : 0;
    case "float32":
      return Math.fround(value);
    default:
      return value;
  }
}

/**
 * The closed set of primitives: the contract every backend implements and every VJP rule is
 * keyed by. User-facing ops are compositions of these.
 *
 * @module
 */
import type { DType } from "./dtype.ts";

/** Elementwise primitives of one operand. */
export const UNARY_PRIMS: readonly UnaryPrim[] = [
  "neg",
  "exp",
  "log",
  "log1p",
  "expm1",
  "sqrt",
  "abs",
  "sign",
  "sin",
  "cos",
  "tanh",
  "sigmoid",
  "relu",
  "floor",
  "ceil",
  "round",
];
/** Elementwise arithmetic primitives of two operands (NumPy broadcasting, one dtype). */
export const BINARY_PRIMS: readonly BinaryPrim[] = [
  "add",
  "sub",
  "mul",
  "div",
  "pow",
  "maximum",
  "minimum",
];
/** Elementwise comparisons (NumPy broadcasting); they return `bool`. */
export const COMPARE_PRIMS: readonly ComparePrim[] = [
  "equal",
  "notEqual",
  "greater",
  "greaterEqual",
  "less",
  "lessEqual",
];

/** A unary primitive's name. */
export type UnaryPrim =
  | "neg"
  | "exp"
  | "log"
  | "log1p"
  | "expm1"
  | "sqrt"
  | "abs"
  | "sign"
  | "sin"
  | "cos"
  | "tanh"
  | "sigmoid"
  | "relu"
  | "floor"
  | "ceil"
  | "round";
/** A binary arithmetic primitive's name. */
export type BinaryPrim = "add" | "sub" | "mul" | "div" | "pow" | "maximum" | "minimum";
/** A comparison primitive's name. */
export type ComparePrim = "equal" | "notEqual" | "greater" | "greaterEqual" | "less" | "lessEqual";

/** Padding of the two spatial dimensions: `[top, bottom, left, right]`. */
export type Padding4 = readonly [number, number, number, number];
/** A pair of sizes for the two spatial dimensions: `[height, width]`. */
export type Pair = readonly [number, number];

/** Parameters of `conv2d` and its two gradients. */
export interface ConvParams {
  /** Step between windows, `[sh, sw]`. */
  readonly stride: Pair;
  /** Zero padding, `[top, bottom, left, right]`. */
  readonly padding: Padding4;
  /** Spacing between kernel taps, `[dh, dw]`. */
  readonly dilation: Pair;
  /** Number of channel groups. */
  readonly groups: number;
}

/** Parameters of the pooling primitives. */
export interface PoolParams {
  /** Window size, `[kh, kw]`. */
  readonly kernel: Pair;
  /** Step between windows, `[sh, sw]`. */
  readonly stride: Pair;
  /** Implicit padding, `[top, bottom, left, right]` (−∞ for max, zeros for average). */
  readonly padding: Padding4;
  /** Average pooling only: whether padded zeros count in the divisor (PyTorch's default). */
  readonly countIncludePad: boolean;
}

/** The parameters of a primitive that takes none. */
export type NoParams = Record<string, never>;

/** The parameters each primitive takes, keyed by primitive name. */
export type PrimParams =
  & { [K in UnaryPrim | BinaryPrim | ComparePrim]: NoParams }
  & {
    where: NoParams;
    cast: { readonly dtype: DType };
    sum: { readonly axes: readonly number[]; readonly keepdims: boolean };
    max: { readonly axes: readonly number[]; readonly keepdims: boolean };
    min: { readonly axes: readonly number[]; readonly keepdims: boolean };
    argmax: { readonly axis: number; readonly keepdims: boolean };
    argmin: { readonly axis: number; readonly keepdims: boolean };
    matmul: NoParams;
    reshape: { readonly shape: readonly number[] };
    transpose: { readonly perm: readonly number[] };
    broadcastTo: { readonly shape: readonly number[] };
    slice: {
      readonly starts: readonly number[];
      readonly ends: readonly number[];
      readonly steps: readonly number[];
    };
    /** Per axis `[low, high, interior]`: elements added before, after, and between neighbours. */
    pad: {
      readonly widths: readonly (readonly [number, number, number])[];
      readonly value: number;
    };
    concat: { readonly axis: number };
    gather: { readonly axis: number };
    scatterAdd: { readonly axis: number };
    conv2d: ConvParams;
    conv2dBackwardInput: ConvParams & { readonly inputShape: readonly number[] };
    conv2dBackwardFilter: ConvParams & { readonly filterShape: readonly number[] };
    maxPool2d: PoolParams;
    maxPool2dArgmax: PoolParams;
    avgPool2d: PoolParams;
    avgPool2dBackward: PoolParams & { readonly inputShape: readonly number[] };
  };

/** A primitive's name. */
export type PrimName = keyof PrimParams;

/** Whether `name` is a unary primitive. */
export function isUnaryPrim(name: string): name is UnaryPrim {
  return (UNARY_PRIMS as readonly string[]).includes(name);
}
/** Whether `name` is a binary arithmetic primitive. */
export function isBinaryPrim(name: string): name is BinaryPrim {
  return (BINARY_PRIMS as readonly string[]).includes(name);
}
/** Whether `name` is a comparison primitive. */
export function isComparePrim(name: string): name is ComparePrim {
  return (COMPARE_PRIMS as readonly string[]).includes(name);
}

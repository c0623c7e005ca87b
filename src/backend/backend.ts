/**
 * The backend contract: what a backend implements so that every op, gradient and model runs on it.
 *
 * @module
 */
import type { DType, TypedArray } from "../core/dtype.ts";
import type {
  BinaryPrim,
  ComparePrim,
  PrimName,
  PrimParams,
  UnaryPrim,
} from "../core/primitives.ts";
import type { Shape } from "../core/shape.ts";

/** What a backend sees of an input tensor: its storage, shape and dtype. */
export interface BackendInput<S = unknown> {
  /** The backend's handle to the elements (row-major, contiguous). */
  readonly storage: S;
  /** The tensor's shape. */
  readonly shape: Shape;
  /** The tensor's dtype. */
  readonly dtype: DType;
}

/** A range of valid element values, for `Backend.checkRange`. */
export interface ValueRange {
  /** The smallest valid value. */
  readonly lo: number;
  /** The largest valid value (or the first invalid one, when `hiInclusive` is false). */
  readonly hi: number;
  /** Whether `hi` itself is valid. */
  readonly hiInclusive: boolean;
  /** A value that is valid wherever it appears (an `ignoreIndex`). */
  readonly skip?: number;
}

/** The shape and dtype a primitive's output must have (already validated). */
export interface OutputSpec {
  /** Output shape. */
  readonly shape: Shape;
  /** Output dtype. */
  readonly dtype: DType;
}

/**
 * A backend: storage for tensor elements plus one implementation of each primitive. Inputs are
 * validated before `run` is called, and storage is never mutated once created, so backends may
 * share storage between tensors (a reshape may return its input's storage).
 */
export interface Backend<S = unknown> {
  /** The backend's name, such as `"cpu"`. */
  readonly name: string;
  /** Storage holding `data` (the backend may keep the array; callers must not mutate it). */
  fromArray(data: TypedArray, shape: Shape, dtype: DType): S;
  /** A fresh copy of the elements of `storage`. */
  read(storage: S, dtype: DType, shape: Shape): Promise<TypedArray>;
  /** A fresh copy of the elements, synchronously, or `undefined` if this backend cannot. */
  readSync(storage: S, dtype: DType, shape: Shape): TypedArray | undefined;
  /** Runs primitive `prim` on `inputs`, producing storage for an output described by `out`. */
  run<P extends PrimName>(
    prim: P,
    inputs: readonly BackendInput<S>[],
    params: PrimParams[P],
    out: OutputSpec,
  ): S;
  /**
   * Uniform random numbers in [0, 1) from a counter-based PRNG key (two uint32 words); every
   * backend must produce the same bits for the same key (see `random`).
   */
  randomUniform(key: readonly [number, number], shape: Shape, dtype: DType): S;
  /** The bytes `storage` occupies on this backend (counted once however many tensors share it). */
  storageBytes?(storage: S): number;
  /**
   * Called once when the last tensor holding `storage` is disposed or collected, so the backend
   * can reuse its memory (GPU buffers return to a pool, CPU blocks to the WebAssembly heap);
   * omitted where the garbage collector frees storage.
   */
  release?(storage: S): void;
  /**
   * Fused kernels for updates that would otherwise take several primitives (optimizer steps).
   * Each returns `undefined` where it does not apply; callers then compose primitives, which
   * must give the same results.
   */
  readonly fused?: FusedKernels<S>;
  /**
   * For backends that cannot read data synchronously: checks that every element of `storage`
   * lies in `range` without waiting, and reports the first that does not (as
   * `describe(index, value)`) when data is next read back.
   */
  checkRange?(
    storage: S,
    dtype: DType,
    range: ValueRange,
    describe: (index: number, value: number) => string,
  ): void;
  /** The dtypes this backend stores; ops on others are errors that say so. */
  readonly dtypes?: readonly DType[];
}

/**
 * The constants of one Adam step (see `optim.adam`), for a backend's fused kernel: with
 * `g' = negate ? -g : g`, `mu' = mu * beta1 + g' * oneMinusBeta1`,
 * `nu' = nu * beta2 + (g' * g') * oneMinusBeta2` and
 * `u = (mu' / (sqrt(nu') / bc2Sqrt + eps)) * negStepSize`, each operation rounded to the dtype.
 *
 * @example
 * ```ts
 * import type { AdamConstants } from "@fluxion/fluxion";
 * const c: AdamConstants = {
 *   beta1: 0.9, oneMinusBeta1: 0.1, beta2: 0.999, oneMinusBeta2: 0.001,
 *   bc2Sqrt: Math.sqrt(1 - 0.999), eps: 1e-8, negStepSize: -1e-3 / (1 - 0.9), negate: false,
 * };
 * ```
 */
export interface AdamConstants {
  /** The first moment's decay. */
  readonly beta1: number;
  /** `1 - beta1`. */
  readonly oneMinusBeta1: number;
  /** The second moment's decay. */
  readonly beta2: number;
  /** `1 - beta2`. */
  readonly oneMinusBeta2: number;
  /** `sqrt(1 - beta2^t)` at step `t`. */
  readonly bc2Sqrt: number;
  /** Added to the denominator. */
  readonly eps: number;
  /** `-lr / (1 - beta1^t)`. */
  readonly negStepSize: number;
  /** Negate the gradient first (maximize). */
  readonly negate: boolean;
}

/**
 * A backend's optional fused kernels (see `Backend.fused`).
 *
 * @example
 * ```ts
 * import type { FusedKernels } from "@fluxion/fluxion";
 * const none: FusedKernels<Float32Array> = {}; // a backend without fused kernels
 * ```
 */
export interface FusedKernels<S> {
  /** The most buffers (inputs plus outputs) one fused elementwise pass may bind (default 8). */
  readonly maxBuffers?: number;
  /**
   * One Adam step for a parameter: storage for the update, the new first moment and the new
   * second moment from the gradient and the old moments (equal shapes and dtypes), or
   * `undefined` where this backend does not fuse it.
   */
  adam?(
    g: BackendInput<S>,
    mu: BackendInput<S>,
    nu: BackendInput<S>,
    c: AdamConstants,
  ): [S, S, S] | undefined;
  /**
   * One pass over a fused elementwise program (see `ElementwiseProgram`, made by `compile`):
   * every output has shape `shape`; each input has that shape or broadcasts to it. Returns the
   * outputs' storage, or `undefined` where this backend does not fuse it (callers then run the
   * steps as primitives).
   */
  elementwise?(
    program: ElementwiseProgram,
    inputs: readonly BackendInput<S>[],
    shape: Shape,
  ): S[] | undefined;
  /**
   * A product (`matmul` or `conv2d` on `inputs` with `params`, output `out`) with a fused
   * elementwise program applied to each result before it is stored (bias + activation): the
   * program's input `acc` is the product, `extras` its other inputs in order; one output, of
   * the product's shape. `undefined` where this backend does not fuse it.
   */
  epilogue?(
    prim: "matmul" | "conv2d",
    inputs: readonly BackendInput<S>[],
    params: PrimParams["matmul" | "conv2d"],
    out: OutputSpec,
    program: ElementwiseProgram,
    acc: number,
    extras: readonly BackendInput<S>[],
  ): S | undefined;
}

/** The dtypes a fused elementwise program computes in. */
export type FusedDType = "float32" | "bool";

/**
 * One step of an `ElementwiseProgram`: a primitive applied to earlier values, or a float32
 * literal. Each step's result is rounded to its dtype, as the primitive's kernel rounds it.
 *
 * @example
 * ```ts
 * import type { ElementwiseStep } from "@fluxion/fluxion";
 * const s: ElementwiseStep = { op: "mul", args: [0, 1], dtype: "float32" };
 * ```
 */
export interface ElementwiseStep {
  /** A unary, binary or comparison primitive, `where`, `cast`, or `literal`. */
  readonly op: UnaryPrim | BinaryPrim | ComparePrim | "where" | "cast" | "literal";
  /** The values it reads: inputs are values `0 .. inputs.length - 1`, then steps in order. */
  readonly args: readonly number[];
  /** Its result's dtype. */
  readonly dtype: FusedDType;
  /** For `literal`: the value (a float32). */
  readonly value?: number;
}

/**
 * A chain of elementwise primitives fused into one pass by `compile`: read each input element
 * (broadcast to the output shape), run the steps, write the chosen values.
 *
 * @example
 * ```ts
 * import type { ElementwiseProgram } from "@fluxion/fluxion";
 * // relu(x + b): x [n, m], b [m]
 * const p: ElementwiseProgram = {
 *   inputs: ["float32", "float32"],
 *   steps: [{ op: "add", args: [0, 1], dtype: "float32" }, { op: "relu", args: [2], dtype: "float32" }],
 *   outputs: [3],
 * };
 * ```
 */
export interface ElementwiseProgram {
  /** The inputs' dtypes. */
  readonly inputs: readonly FusedDType[];
  /** The steps, in order. */
  readonly steps: readonly ElementwiseStep[];
  /** The values written out, by index (one output each). */
  readonly outputs: readonly number[];
}

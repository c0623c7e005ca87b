/**
 * Creating tensors: from JS data, filled, ranges and identity matrices.
 *
 * @module
 */
import type { Backend } from "../backend/backend.ts";
import { type BackendName, defaultBackend, resolveBackend } from "../backend/registry.ts";
import {
  allocate,
  checkDType,
  coerce,
  type DType,
  dtypeOfArray,
  type TypedArray,
} from "../core/dtype.ts";
import { checkShape, fmtShape, type Shape, sizeOf } from "../core/shape.ts";
import { type NestedArray, Tensor } from "../core/tensor.ts";
import { requireTensor } from "../core/check.ts";
import { rememberHostMade, rememberHostScalar } from "../core/trace_hooks.ts";

/** Options for creation functions. */
export interface CreateOptions {
  /** Element type; default `float32` (or the typed array's own type for typed-array input). */
  dtype?: DType;
  /** The backend to create on, by name (`"cpu"`, `"webgpu"`) or object; default the default. */
  backend?: Backend | BackendName;
}

/** Options for `tensor()`. */
export interface TensorOptions extends CreateOptions {
  /** The shape, required to give flat data (a typed array or flat list) more than one dimension. */
  shape?: readonly number[];
}

/**
 * Typed arrays `tensor()` accepts without an explicit dtype: the storage types of the dtypes plus
 * the narrow integer arrays (image bytes and the like), which become `int32`.
 */
export type ArrayData =
  | TypedArray
  | Int8Array
  | Uint8ClampedArray
  | Int16Array
  | Uint16Array;

/** Wraps a typed array the caller hands over (it must not be mutated afterwards). */
export function fromTypedArray(
  data: TypedArray,
  shape: Shape,
  dtype: DType,
  backendOrName?: Backend | BackendName,
): Tensor {
  const backend = resolveBackend("tensor", backendOrName);
  const t = new Tensor(backend, backend.fromArray(data, shape, dtype), shape, dtype);
  rememberHostMade(t);
  if (data.length === 1) rememberHostScalar(t, data[0]);
  return t;
}

function inferShape(data: NestedArray, path = "value"): number[] {
  if (!Array.isArray(data)) {
    if (typeof data !== "number" && typeof data !== "boolean") {
      throw new TypeError(`tensor: ${path} is ${typeof data}, not a number or boolean`);
    }
    return [];
  }
  if (data.length === 0) return [0];
  const inner = inferShape(data[0], `${path}[0]`);
  for (let i = 1; i < data.length; i++) {
    const s = inferShape(data[i], `${path}[${i}]`);
    if (s.length !== inner.length || s.some((d, j) => d !== inner[j])) {
      throw new Error(
        `tensor: ragged nested array: ${path}[0] has shape ${
          fmtShape(inner)
        } but ${path}[${i}] has ${fmtShape(s)}`,
      );
    }
  }
  return [data.length, ...inner];
}

/**
 * A tensor from nested arrays, a flat list or a typed array. Nested arrays give their shape;
 * flat data takes `opts.shape`. The data is copied. The default dtype is `float32`, or `bool` for
 * booleans, or the typed array's own (`Float64Array` gives `float64`, `Int32Array` and the
 * narrower integer arrays such as image bytes in a `Uint8Array` give `int32`).
 *
 * @example
 * ```ts
 * import { tensor } from "@fluxion/fluxion";
 * const a = tensor([[1, 2, 3], [4, 5, 6]]); // shape [2, 3], float32
 * const b = tensor(new Float32Array([1, 2, 3, 4]), { shape: [2, 2] });
 * const i = tensor([0, 2, 1], { dtype: "int32" });
 * ```
 */
export function tensor(data: NestedArray | ArrayData, opts: TensorOptions = {}): Tensor {
  const isTyped = ArrayBuffer.isView(data);
  let flat: ArrayLike<number | boolean>;
  let shape: number[];
  if (isTyped) {
    if (data instanceof DataView || typeof (data as TypedArray).length !== "number") {
      throw new TypeError("tensor: a DataView is not supported; pass a typed array");
    }
    const view: ArrayBufferView = data as ArrayBufferView;
    if (view instanceof BigInt64Array || view instanceof BigUint64Array) {
      throw new TypeError(
        `tensor: a ${view.constructor.name} is not supported; convert it to an Int32Array or Float64Array`,
      );
    }
    flat = data as TypedArray;
    shape = [flat.length];
  } else {
    shape = inferShape(data as NestedArray);
    flat = Array.isArray(data) ? (data as unknown[]).flat(Infinity) as (number | boolean)[] : [
      data as number,
    ];
  }
  const first = isTyped ? undefined : flat[0];
  const dtype = checkDType(
    "tensor",
    opts.dtype ??
      (isTyped
        ? dtypeOfArray("tensor", data as ArrayBufferView)
        : typeof first === "boolean"
        ? "bool"
        : "float32"),
  );
  if (opts.shape !== undefined) {
    const target = checkShape("tensor", opts.shape);
    if (sizeOf(target) !== flat.length) {
      throw new Error(
        `tensor: shape ${fmtShape(target)} needs ${
          sizeOf(target)
        } elements, data has ${flat.length}`,
      );
    }
    shape = [...target];
  }
  const arr = allocate(dtype, flat.length);
  if (isTyped && (dtype === "float32" || dtype === "float64")) {
    arr.set(flat as TypedArray);
    return fromTypedArray(arr, shape, dtype, opts.backend);
  }
  for (let i = 0; i < flat.length; i++) {
    const v = Number(flat[i]);
    if (dtype === "int32") {
      if (!Number.isInteger(v)) {
        throw new TypeError(
          `tensor: value ${flat[i]} at flat index ${i} is not an integer (dtype ${dtype})`,
        );
      }
      if (v < -0x80000000 || v > 0x7fffffff) {
        throw new RangeError(
          `tensor: value ${flat[i]} at flat index ${i} is out of range for int32 [-2^31, 2^31 - 1]`,
        );
      }
    }
    arr[i] = coerce(dtype, v);
  }
  return fromTypedArray(arr, shape, dtype, opts.backend);
}

/**
 * A tensor of the given shape with every element `value`.
 *
 * @example
 * ```ts
 * import { full } from "@fluxion/fluxion";
 * const sevens = full([2, 3], 7, { dtype: "int32" });
 * ```
 */
export function full(shape: readonly number[], value: number, opts: CreateOptions = {}): Tensor {
  return filled("full", shape, value, opts);
}

/** `full` under the name of the public function that called it (for error messages). */
function filled(
  op: string,
  shape: readonly number[],
  value: number,
  opts: CreateOptions,
): Tensor {
  const s = checkShape(op, shape);
  const dtype = checkDType(op, opts.dtype ?? "float32");
  if (typeof value !== "number") {
    throw new TypeError(`${op}: fill value must be a number, got ${typeof value}`);
  }
  if (dtype === "int32") checkInt32(op, value, "fill value");
  const arr = allocate(dtype, sizeOf(s));
  if (value !== 0) arr.fill(coerce(dtype, value));
  return fromTypedArray(arr, s, dtype, opts.backend);
}

/** Throws unless `v` is an integer int32 can hold exactly. */
function checkInt32(op: string, v: number, what: string): void {
  if (!Number.isInteger(v) || v < -0x80000000 || v > 0x7fffffff) {
    throw new RangeError(`${op}: ${what} ${v} is not an int32 (an integer in [-2^31, 2^31 - 1])`);
  }
}

/**
 * A tensor of zeros.
 *
 * @example
 * ```ts
 * import { zeros } from "@fluxion/fluxion";
 * const z = zeros([3, 4]);
 * ```
 */
export function zeros(shape: readonly number[], opts: CreateOptions = {}): Tensor {
  return filled("zeros", shape, 0, opts);
}

/**
 * A tensor of ones.
 *
 * @example
 * ```ts
 * import { ones } from "@fluxion/fluxion";
 * const o = ones([2, 2], { dtype: "float64" });
 * ```
 */
export function ones(shape: readonly number[], opts: CreateOptions = {}): Tensor {
  return filled("ones", shape, 1, opts);
}

/**
 * Zeros with the shape, dtype and backend of `x` (dtype overridable).
 *
 * @example
 * ```ts
 * import { tensor, zerosLike } from "@fluxion/fluxion";
 * const z = zerosLike(tensor([1, 2, 3])); // [0, 0, 0]
 * ```
 */
export function zerosLike(x: Tensor, opts: CreateOptions = {}): Tensor {
  requireTensor("zerosLike", x);
  return filled("zerosLike", x.shape, 0, {
    dtype: opts.dtype ?? x.dtype,
    backend: opts.backend ?? x.backend,
  });
}

/**
 * Ones with the shape, dtype and backend of `x` (dtype overridable).
 *
 * @example
 * ```ts
 * import { onesLike, tensor } from "@fluxion/fluxion";
 * const o = onesLike(tensor([[1, 2]])); // [[1, 1]]
 * ```
 */
export function onesLike(x: Tensor, opts: CreateOptions = {}): Tensor {
  requireTensor("onesLike", x);
  return filled("onesLike", x.shape, 1, {
    dtype: opts.dtype ?? x.dtype,
    backend: opts.backend ?? x.backend,
  });
}

/**
 * Evenly spaced values in `[start, stop)` with step `step`, like `numpy.arange`. With one argument
 * it counts from 0. The dtype defaults to `int32` when all arguments are integers, else `float32`.
 *
 * @example
 * ```ts
 * import { arange } from "@fluxion/fluxion";
 * arange(5); // [0, 1, 2, 3, 4] int32
 * arange(0, 1, 0.25); // [0, 0.25, 0.5, 0.75] float32
 * ```
 */
export function arange(start: number, stop?: number, step = 1, opts: CreateOptions = {}): Tensor {
  if (stop === undefined) [start, stop] = [0, start];
  if (![start, stop, step].every(Number.isFinite) || step === 0) {
    throw new RangeError(
      `arange: start, stop and step must be finite and step non-zero (got ${start}, ${stop}, ${step})`,
    );
  }
  const n = Math.max(0, Math.ceil((stop - start) / step));
  const dtype = opts.dtype ??
    ([start, stop, step].every(Number.isInteger) ? "int32" : "float32");
  const arr = allocate(checkDType("arange", dtype), n);
  if (dtype === "int32" && n > 0) {
    checkInt32("arange", start, "start");
    checkInt32("arange", start + (n - 1) * step, "last value");
  }
  for (let i = 0; i < n; i++) arr[i] = start + i * step;
  return fromTypedArray(arr, [n], dtype, opts.backend);
}

/**
 * `num` evenly spaced values from `start` to `stop` inclusive, like `numpy.linspace`.
 *
 * @example
 * ```ts
 * import { linspace } from "@fluxion/fluxion";
 * linspace(0, 1, 5); // [0, 0.25, 0.5, 0.75, 1]
 * ```
 */
export function linspace(
  start: number,
  stop: number,
  num: number,
  opts: CreateOptions = {},
): Tensor {
  if (!Number.isInteger(num) || num < 0) {
    throw new RangeError(`linspace: num must be a non-negative integer, got ${num}`);
  }
  const dtype = checkDType("linspace", opts.dtype ?? "float32");
  const arr = allocate(dtype, num);
  const step = num > 1 ? (stop - start) / (num - 1) : 0;
  for (let i = 0; i < num; i++) arr[i] = i === num - 1 && num > 1 ? stop : start + i * step;
  return fromTypedArray(arr, [num], dtype, opts.backend);
}

/**
 * An `n` x `m` matrix with ones on the diagonal (`m` defaults to `n`).
 *
 * @example
 * ```ts
 * import { eye } from "@fluxion/fluxion";
 * eye(3); // 3x3 identity
 * ```
 */
export function eye(n: number, m: number = n, opts: CreateOptions = {}): Tensor {
  checkShape("eye", [n, m]);
  const dtype = checkDType("eye", opts.dtype ?? "float32");
  const arr = allocate(dtype, n * m);
  for (let i = 0; i < Math.min(n, m); i++) arr[i * m + i] = 1;
  return fromTypedArray(arr, [n, m], dtype, opts.backend);
}

/** A scalar tensor of `dtype` on `backend` (used to lift plain numbers into ops). */
export function scalar(value: number, dtype: DType, backend: Backend = defaultBackend()): Tensor {
  const arr = allocate(dtype, 1);
  arr[0] = coerce(dtype, value);
  return fromTypedArray(arr, [], dtype, backend);
}

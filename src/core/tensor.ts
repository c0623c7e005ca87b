/**
 * The immutable tensor value.
 *
 * @module
 */
import { traceObserver } from "./trace_hooks.ts";
import type { Backend } from "../backend/backend.ts";
import type { DType, TypedArray } from "./dtype.ts";
import { formatValues } from "./format.ts";
import { fmtShape, type Shape, sizeOf, stridesOf } from "./shape.ts";
import { disposedError, disposeTensor, isDisposed, track } from "./lifetime.ts";

/** Nested JS arrays of numbers (or booleans), as `tensor()` accepts and `array()` returns. */
export type NestedArray = number | boolean | readonly NestedArray[];

/**
 * An immutable n-dimensional array. Its elements live on a backend (the CPU or a GPU), so reading
 * them is asynchronous: `await t.data()`. Nothing in fluxion mutates a tensor; every op returns a
 * new one.
 *
 * @example
 * ```ts
 * import { tensor } from "@fluxion/fluxion";
 * const t = tensor([[1, 2], [3, 4]]);
 * console.log(t.shape, t.dtype); // [2, 2] "float32"
 * console.log(await t.data()); // Float32Array [1, 2, 3, 4]
 * ```
 */
export class Tensor {
  /** The size of each dimension, outermost first. */
  readonly shape: Shape;
  /** The element type. */
  readonly dtype: DType;
  /** The backend that holds the elements. */
  readonly backend: Backend;
  /** The backend's handle to the elements; for backends and fluxion internals. */
  readonly storage: unknown;

  /**
   * Wraps backend storage; use `tensor()`, `zeros()` and the other creation functions instead.
   * @internal
   */
  constructor(backend: Backend, storage: unknown, shape: Shape, dtype: DType) {
    this.backend = backend;
    this.storage = storage;
    this.shape = Object.freeze([...shape]);
    this.dtype = dtype;
    track(this);
    traceObserver()?.created(this);
  }

  /**
   * Whether this tensor was released by `dispose`, a `using` declaration, or the end of the
   * `grad`/`scoped` call that created it; a disposed tensor cannot be read or computed with.
   */
  get disposed(): boolean {
    return isDisposed(this);
  }

  /**
   * Releases the tensor's storage now (GPU buffers return to the pool); what `using` calls.
   *
   * @example
   * ```ts
   * import { tensor } from "@fluxion/fluxion";
   * {
   *   using t = tensor([1, 2, 3]);
   *   console.log(await t.data());
   * } // t is released here
   * ```
   */
  [Symbol.dispose](): void {
    disposeTensor(this);
  }

  /** The number of elements. */
  get size(): number {
    return sizeOf(this.shape);
  }

  /** The number of dimensions. */
  get rank(): number {
    return this.shape.length;
  }

  /** A fresh copy of the elements in row-major order (`Uint8Array` of 0/1 for `bool`). */
  data(): Promise<TypedArray> {
    if (isDisposed(this)) return Promise.reject(disposedError("data", this));
    traceObserver()?.read("data", this);
    return this.backend.read(this.storage, this.dtype, this.shape);
  }

  /**
   * A fresh copy of the elements, synchronously; only backends that hold data in host memory
   * (the CPU backend) can do this, others throw and ask for `await t.data()`.
   */
  dataSync(): TypedArray {
    if (isDisposed(this)) throw disposedError("dataSync", this);
    traceObserver()?.read("dataSync", this);
    const d = this.backend.readSync(this.storage, this.dtype, this.shape);
    if (d === undefined) {
      throw new Error(
        `dataSync: tensor ${
          fmtShape(this.shape)
        } lives on the ${this.backend.name} backend, which cannot be read synchronously; use await t.data()`,
      );
    }
    return d;
  }

  /** The elements as nested JS arrays (booleans for `bool`). */
  array(): Promise<NestedArray> {
    // A read while tracing throws here, not in a promise nobody awaits.
    traceObserver()?.read("array", this);
    return this.data().then((d) => toNested(d, this.shape, this.dtype));
  }

  /** The single element of a tensor of size 1, as a number. */
  item(): Promise<number> {
    traceObserver()?.read("item", this);
    if (this.size !== 1) {
      return Promise.reject(
        new Error(`item: tensor ${fmtShape(this.shape)} has ${this.size} elements, not 1`),
      );
    }
    return this.data().then((d) => d[0]);
  }

  /**
   * Shape, dtype and the values (abbreviated when large), like `Tensor([2,2] float32) [[1., 2.],
   * ...]`; for a tensor on the GPU only its shape, dtype and backend (reading the values waits,
   * so use `await t.data()`).
   */
  toString(): string {
    const head = `Tensor(${fmtShape(this.shape)} ${this.dtype}${
      this.backend.name === "cpu" ? "" : `, ${this.backend.name}`
    })`;
    if (isDisposed(this)) return `${head} <disposed>`;
    // While tracing, values are those of the trace call only: show none.
    if (traceObserver() !== null) return `${head} <traced: no values while tracing>`;
    const data = this.backend.readSync(this.storage, this.dtype, this.shape);
    if (data === undefined) return `${head} <on ${this.backend.name}; await t.data() to read>`;
    return `${head}\n${formatValues(data, this.shape, this.dtype)}`;
  }

  /**
   * The elements as JSON: `{ shape, dtype, data }` with `data` nested like `array()` (for
   * backends readable synchronously; others give `{ shape, dtype, backend }`).
   */
  toJSON(): { shape: number[]; dtype: DType; data?: NestedArray; backend?: string } {
    const data = isDisposed(this)
      ? undefined
      : this.backend.readSync(this.storage, this.dtype, this.shape);
    const head = { shape: [...this.shape], dtype: this.dtype };
    return data === undefined
      ? { ...head, backend: this.backend.name }
      : { ...head, data: toNested(data, this.shape, this.dtype) };
  }

  /**
   * Deno's console.log hook: `toString()`, with continuation lines indented to where the tensor
   * sits, so tensors inside objects print in place.
   */
  [Symbol.for("Deno.customInspect")](
    _inspect?: unknown,
    options?: { indentationLvl?: number },
  ): string {
    const indent = " ".repeat(options?.indentationLvl ?? 0);
    return this.toString().replaceAll("\n", `\n${indent}`);
  }
}

function toNested(data: TypedArray, shape: Shape, dtype: DType): NestedArray {
  const strides = stridesOf(shape);
  const conv = (v: number) => dtype === "bool" ? v !== 0 : v;
  const go = (dim: number, offset: number): NestedArray =>
    dim === shape.length
      ? conv(data[offset])
      : Array.from({ length: shape[dim] }, (_, i) => go(dim + 1, offset + i * strides[dim]));
  return go(0, 0);
}

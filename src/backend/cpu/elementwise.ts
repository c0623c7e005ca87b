/**
 * CPU kernels for the elementwise primitives: unary math, broadcasting binary arithmetic,
 * comparisons, `where` and `cast`.
 *
 * @module
 */
import { allocate, type TypedArray } from "../../core/dtype.ts";
import {
  BINARY_PRIMS,
  type BinaryPrim,
  COMPARE_PRIMS,
  type ComparePrim,
  UNARY_PRIMS,
  type UnaryPrim,
} from "../../core/primitives.ts";
import { broadcastStrides, shapesEqual, sizeOf } from "../../core/shape.ts";
import type { CpuInput, CpuKernel, CpuKernelTable } from "./kernel.ts";
import { forEachRow } from "./strided.ts";

/** The scalar function of each unary primitive. */
export const UNARY_FNS: Record<UnaryPrim, (x: number) => number> = {
  neg: (x) => -x,
  exp: Math.exp,
  log: Math.log,
  log1p: Math.log1p,
  expm1: Math.expm1,
  sqrt: Math.sqrt,
  abs: Math.abs,
  sign: (x) => (x > 0 ? 1 : x < 0 ? -1 : x), // keeps NaN and signed zero
  sin: Math.sin,
  cos: Math.cos,
  tanh: Math.tanh,
  sigmoid: (x) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x))),
  relu: (x) => (x > 0 ? x : x === x ? 0 : x), // NaN stays NaN
  floor: Math.floor,
  ceil: Math.ceil,
  // Round half to even, as NumPy and PyTorch do.
  round: (x) => {
    const r = Math.round(x);
    return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
  },
};

/** The scalar function of each binary primitive. */
export const BINARY_FNS: Record<BinaryPrim, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  pow: Math.pow,
  // NaN propagates through maximum/minimum, as in NumPy and PyTorch.
  maximum: (a, b) => (a > b || a !== a ? a : b),
  minimum: (a, b) => (a < b || a !== a ? a : b),
};

/** The scalar predicate of each comparison primitive (1 for true). */
export const COMPARE_FNS: Record<ComparePrim, (a: number, b: number) => number> = {
  equal: (a, b) => (a === b ? 1 : 0),
  notEqual: (a, b) => (a !== b ? 1 : 0),
  greater: (a, b) => (a > b ? 1 : 0),
  greaterEqual: (a, b) => (a >= b ? 1 : 0),
  less: (a, b) => (a < b ? 1 : 0),
  lessEqual: (a, b) => (a <= b ? 1 : 0),
};

function unaryKernel(op: UnaryPrim): CpuKernel<UnaryPrim> {
  const f = UNARY_FNS[op];
  return ([x], _p, out) => {
    const src = x.storage;
    const dst = allocate(out.dtype, src.length);
    if (op === "relu") {
      for (let i = 0; i < src.length; i++) {
        const v = src[i];
        dst[i] = v > 0 ? v : v === v ? 0 : v;
      }
    } else if (op === "neg") {
      for (let i = 0; i < src.length; i++) dst[i] = -src[i];
    } else {
      for (let i = 0; i < src.length; i++) dst[i] = f(src[i]);
    }
    return dst;
  };
}

/** Applies `f` to `a` and `b` broadcast to the output shape, writing into `dst`. */
function broadcast2(
  a: CpuInput,
  b: CpuInput,
  shape: readonly number[],
  dst: TypedArray,
  f: (x: number, y: number) => number,
  fast?: (x: TypedArray, y: TypedArray, out: TypedArray) => boolean,
): TypedArray {
  const x = a.storage;
  const y = b.storage;
  if (shapesEqual(a.shape, b.shape) && fast?.(x, y, dst)) return dst;
  if (shapesEqual(a.shape, b.shape)) {
    for (let i = 0; i < dst.length; i++) dst[i] = f(x[i], y[i]);
    return dst;
  }
  if (y.length === 1 && shapesEqual(a.shape, shape)) {
    const v = y[0];
    for (let i = 0; i < dst.length; i++) dst[i] = f(x[i], v);
    return dst;
  }
  if (x.length === 1 && shapesEqual(b.shape, shape)) {
    const v = x[0];
    for (let i = 0; i < dst.length; i++) dst[i] = f(v, y[i]);
    return dst;
  }
  const sa = broadcastStrides(a.shape, shape);
  const sb = broadcastStrides(b.shape, shape);
  const inner = shape.length ? shape[shape.length - 1] : 1;
  const ia = shape.length ? sa[sa.length - 1] : 0;
  const ib = shape.length ? sb[sb.length - 1] : 0;
  forEachRow(shape, [sa, sb], (o, [oa, ob]) => {
    for (let i = 0; i < inner; i++) dst[o + i] = f(x[oa + i * ia], y[ob + i * ib]);
  });
  return dst;
}

/** Tight same-shape loops for the arithmetic that dominates training. */
const FAST: Partial<Record<BinaryPrim, (x: TypedArray, y: TypedArray, o: TypedArray) => boolean>> =
  {
    add: (x, y, o) => {
      for (let i = 0; i < o.length; i++) o[i] = x[i] + y[i];
      return true;
    },
    sub: (x, y, o) => {
      for (let i = 0; i < o.length; i++) o[i] = x[i] - y[i];
      return true;
    },
    mul: (x, y, o) => {
      for (let i = 0; i < o.length; i++) o[i] = x[i] * y[i];
      return true;
    },
  };

function binaryKernel(op: BinaryPrim): CpuKernel<BinaryPrim> {
  const f = BINARY_FNS[op];
  return ([a, b], _p, out) =>
    broadcast2(a, b, out.shape, allocate(out.dtype, sizeOf(out.shape)), f, FAST[op]);
}

function compareKernel(op: ComparePrim): CpuKernel<ComparePrim> {
  const f = COMPARE_FNS[op];
  return ([a, b], _p, out) => broadcast2(a, b, out.shape, allocate("bool", sizeOf(out.shape)), f);
}

const whereKernel: CpuKernel<"where"> = ([c, a, b], _p, out) => {
  const shape = out.shape;
  const dst = allocate(out.dtype, sizeOf(shape));
  const [cs, as, bs] = [c, a, b].map((t) => broadcastStrides(t.shape, shape));
  const last = shape.length - 1;
  const inner = shape.length ? shape[last] : 1;
  const [ic, ia, ib] = shape.length ? [cs[last], as[last], bs[last]] : [0, 0, 0];
  const cv = c.storage, av = a.storage, bv = b.storage;
  forEachRow(shape, [cs, as, bs], (o, [oc, oa, ob]) => {
    for (let i = 0; i < inner; i++) {
      dst[o + i] = cv[oc + i * ic] ? av[oa + i * ia] : bv[ob + i * ib];
    }
  });
  return dst;
};

const castKernel: CpuKernel<"cast"> = ([x], p) => {
  const src = x.storage;
  const dst = allocate(p.dtype, src.length);
  if (p.dtype === "bool") {
    for (let i = 0; i < src.length; i++) dst[i] = src[i] !== 0 ? 1 : 0;
  } else if (p.dtype === "int32") {
    // Truncation toward zero (typed-array conversion); NaN becomes 0 like C casts on most targets.
    for (let i = 0; i < src.length; i++) dst[i] = Math.trunc(src[i]);
  } else {
    dst.set(src);
  }
  return dst;
};

const table: Record<string, unknown> = { where: whereKernel, cast: castKernel };
for (const op of UNARY_PRIMS) table[op] = unaryKernel(op);
for (const op of BINARY_PRIMS) table[op] = binaryKernel(op);
for (const op of COMPARE_PRIMS) table[op] = compareKernel(op);

/** CPU kernels of the elementwise primitives, keyed by primitive name. */
export const elementwiseKernels: CpuKernelTable<
  UnaryPrim | BinaryPrim | ComparePrim | "where" | "cast"
> = table as CpuKernelTable<UnaryPrim | BinaryPrim | ComparePrim | "where" | "cast">;

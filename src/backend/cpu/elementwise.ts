/**
 * CPU kernels for the elementwise primitives: unary math, broadcasting binary arithmetic,
 * comparisons, `where` and `cast`.
 *
 * Every op has its own loop, written out in a table keyed by op, so V8 compiles each one for its
 * own arithmetic; a shared loop calling a per-op function slows down several times once a few
 * ops have run through it. Binary loops walk one row with a stride per operand (0 broadcasts), so
 * the same loop serves equal shapes, scalars and general broadcasting.
 *
 * @module
 */
import type { TypedArray } from "../../core/dtype.ts";
import { allocate, release } from "./alloc.ts";
import type { BinaryPrim, ComparePrim, UnaryPrim } from "../../core/primitives.ts";
import { broadcastStrides, fmtShape, shapesEqual, sizeOf } from "../../core/shape.ts";
import type { CpuInput, CpuKernel, CpuKernelTable } from "./kernel.ts";
import { forEachRow } from "./strided.ts";
import { binaryRow, compareRow, unaryF32, whereRow } from "./wasm/elementwise.ts";

type A = TypedArray;
/** `o[i] = op(x[i])` for `i < n`. */
type UnaryLoop = (x: A, o: A, n: number) => void;
/** `o[oo + i] = op(x[xo + i*xs], y[yo + i*ys])` for `i < n`. */
type RowLoop = (
  x: A,
  xo: number,
  xs: number,
  y: A,
  yo: number,
  ys: number,
  o: A,
  oo: number,
  n: number,
) => void;

const sigmoid = (v: number) => (v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v)));
// Round half to even, as NumPy and PyTorch do.
const roundEven = (v: number) => {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
};

/** The loop of each unary primitive. */
const UNARY: Record<UnaryPrim, UnaryLoop> = {
  neg: (x, o, n) => {
    for (let i = 0; i < n; i++) o[i] = -x[i];
  },
  exp: (x, o, n) => {
    for (let i = 0; i < n; i++) o[i] = Math.exp(x[i]);
  },
  log: (x, o, n) => {
    for (let i = 0; i < n; i++) o[i] = Math.log(x[i]);
  },
  log1p: (x, o, n) => {
    for (let i = 0; i < n; i++) o[i] = Math.log1p(x[i]);
  },
  expm1: (x, o, n) => {
    for (let i = 0; i < n; i++) o[i] = Math.expm1(x[i]);
  },
  sqrt: (x, o, n) => {
    for (let i = 0; i < n; i++) o[i] = Math.sqrt(x[i]);
  },
  abs: (x, o, n) => {
    for (let i = 0; i < n; i++) o[i] = Math.abs(x[i]);
  },
  // Keeps NaN and signed zero.
  sign: (x, o, n) => {
    for (let i = 0; i < n; i++) {
      const v = x[i];
      o[i] = v > 0 ? 1 : v < 0 ? -1 : v;
    }
  },
  sin: (x, o, n) => {
    for (let i = 0; i < n; i++) o[i] = Math.sin(x[i]);
  },
  cos: (x, o, n) => {
    for (let i = 0; i < n; i++) o[i] = Math.cos(x[i]);
  },
  tanh: (x, o, n) => {
    for (let i = 0; i < n; i++) o[i] = Math.tanh(x[i]);
  },
  sigmoid: (x, o, n) => {
    for (let i = 0; i < n; i++) o[i] = sigmoid(x[i]);
  },
  // Nearly branch-free for float32 and int32 data: (v + |v|) / 2 is exact in float64 for their
  // values and keeps NaN (only -Infinity needs a rarely taken branch), where a sign test
  // mispredicts on half the elements of real data (8x slower). float64 data could overflow
  // there, so it takes the sign test.
  relu: (x, o, n) => {
    if (x instanceof Float64Array) {
      for (let i = 0; i < n; i++) {
        const v = x[i];
        o[i] = v > 0 ? v : v === v ? 0 : v;
      }
    } else {
      for (let i = 0; i < n; i++) {
        const v = x[i];
        o[i] = v === -Infinity ? 0 : (v + Math.abs(v)) * 0.5;
      }
    }
  },
  floor: (x, o, n) => {
    for (let i = 0; i < n; i++) o[i] = Math.floor(x[i]);
  },
  ceil: (x, o, n) => {
    for (let i = 0; i < n; i++) o[i] = Math.ceil(x[i]);
  },
  round: (x, o, n) => {
    for (let i = 0; i < n; i++) o[i] = roundEven(x[i]);
  },
};

/** The row loop of each binary primitive (float semantics; int32 overrides below). */
const BINARY: Record<BinaryPrim, RowLoop> = {
  add: (x, xo, xs, y, yo, ys, o, oo, n) => {
    for (let i = 0; i < n; i++) o[oo + i] = x[xo + i * xs] + y[yo + i * ys];
  },
  sub: (x, xo, xs, y, yo, ys, o, oo, n) => {
    for (let i = 0; i < n; i++) o[oo + i] = x[xo + i * xs] - y[yo + i * ys];
  },
  mul: (x, xo, xs, y, yo, ys, o, oo, n) => {
    for (let i = 0; i < n; i++) o[oo + i] = x[xo + i * xs] * y[yo + i * ys];
  },
  div: (x, xo, xs, y, yo, ys, o, oo, n) => {
    for (let i = 0; i < n; i++) o[oo + i] = x[xo + i * xs] / y[yo + i * ys];
  },
  pow: (x, xo, xs, y, yo, ys, o, oo, n) => {
    for (let i = 0; i < n; i++) o[oo + i] = Math.pow(x[xo + i * xs], y[yo + i * ys]);
  },
  // NaN propagates through maximum/minimum, as in NumPy and PyTorch.
  maximum: (x, xo, xs, y, yo, ys, o, oo, n) => {
    for (let i = 0; i < n; i++) {
      const a = x[xo + i * xs], b = y[yo + i * ys];
      o[oo + i] = a > b || a !== a ? a : b;
    }
  },
  minimum: (x, xo, xs, y, yo, ys, o, oo, n) => {
    for (let i = 0; i < n; i++) {
      const a = x[xo + i * xs], b = y[yo + i * ys];
      o[oo + i] = a < b || a !== a ? a : b;
    }
  },
};

/** int32 loops where float arithmetic would round before wrapping. */
const INT32: Partial<Record<BinaryPrim, RowLoop>> = {
  // The exact low 32 bits of the product (float64 would round products past 2^53 first).
  mul: (x, xo, xs, y, yo, ys, o, oo, n) => {
    for (let i = 0; i < n; i++) o[oo + i] = Math.imul(x[xo + i * xs], y[yo + i * ys]);
  },
  pow: (x, xo, xs, y, yo, ys, o, oo, n) => {
    for (let i = 0; i < n; i++) {
      const b = y[yo + i * ys];
      if (b < 0) {
        throw new RangeError(
          `pow: integer base raised to the negative power ${b}; cast to a float dtype first`,
        );
      }
      let r = 1, base = x[xo + i * xs], e = b;
      for (; e > 0; e >>>= 1, base = Math.imul(base, base)) if (e & 1) r = Math.imul(r, base);
      o[oo + i] = r;
    }
  },
};

/**
 * The row loop of each comparison (1 for true). `+(a > b)` compiles without a branch; a `? 1 : 0`
 * mispredicts on half the elements of real data and runs about 6x slower.
 */
const COMPARE: Record<ComparePrim, RowLoop> = {
  equal: (x, xo, xs, y, yo, ys, o, oo, n) => {
    for (let i = 0; i < n; i++) o[oo + i] = +(x[xo + i * xs] === y[yo + i * ys]);
  },
  notEqual: (x, xo, xs, y, yo, ys, o, oo, n) => {
    for (let i = 0; i < n; i++) o[oo + i] = +(x[xo + i * xs] !== y[yo + i * ys]);
  },
  greater: (x, xo, xs, y, yo, ys, o, oo, n) => {
    for (let i = 0; i < n; i++) o[oo + i] = +(x[xo + i * xs] > y[yo + i * ys]);
  },
  greaterEqual: (x, xo, xs, y, yo, ys, o, oo, n) => {
    for (let i = 0; i < n; i++) o[oo + i] = +(x[xo + i * xs] >= y[yo + i * ys]);
  },
  less: (x, xo, xs, y, yo, ys, o, oo, n) => {
    for (let i = 0; i < n; i++) o[oo + i] = +(x[xo + i * xs] < y[yo + i * ys]);
  },
  lessEqual: (x, xo, xs, y, yo, ys, o, oo, n) => {
    for (let i = 0; i < n; i++) o[oo + i] = +(x[xo + i * xs] <= y[yo + i * ys]);
  },
};

/** Runs `row` over `a` and `b` broadcast to `shape`, writing into `dst`. */
function broadcast2(a: CpuInput, b: CpuInput, shape: readonly number[], dst: A, row: RowLoop): A {
  const x = a.storage;
  const y = b.storage;
  if (shapesEqual(a.shape, b.shape)) row(x, 0, 1, y, 0, 1, dst, 0, dst.length);
  else {
    const strides = [broadcastStrides(a.shape, shape), broadcastStrides(b.shape, shape)];
    forEachRow(shape, strides, (o, [oa, ob], n, [sa, sb]) => row(x, oa, sa, y, ob, sb, dst, o, n));
  }
  return dst;
}

const isF32 = (...xs: A[]): boolean => xs.every((x) => x instanceof Float32Array);

function unaryKernel(op: UnaryPrim): CpuKernel<UnaryPrim> {
  const loop = UNARY[op];
  return ([x], _p, out) => {
    const dst = allocate(out.dtype, x.storage.length, false);
    const simd = isF32(x.storage, dst) &&
      unaryF32(op, x.storage as Float32Array, dst as Float32Array);
    if (!simd) loop(x.storage, dst, dst.length);
    return dst;
  };
}

// float32 operands in the WebAssembly heap take the SIMD row loops of `wasm/elementwise.ts`.
function binaryKernel(op: BinaryPrim): CpuKernel<BinaryPrim> {
  return ([a, b], _p, out) => {
    const row = (out.dtype === "int32" && INT32[op]) || BINARY[op];
    const dst = allocate(out.dtype, sizeOf(out.shape), false);
    const simd = isF32(a.storage, b.storage, dst)
      ? binaryRow(
        op,
        a.storage as Float32Array,
        b.storage as Float32Array,
        dst as Float32Array,
        row,
      )
      : undefined;
    return broadcast2(a, b, out.shape, dst, (simd as RowLoop | undefined) ?? row);
  };
}

function compareKernel(op: ComparePrim): CpuKernel<ComparePrim> {
  return ([a, b], _p, out) => {
    const dst = allocate("bool", sizeOf(out.shape), false) as Uint8Array;
    const row = COMPARE[op];
    const simd = isF32(a.storage, b.storage)
      ? compareRow(op, a.storage as Float32Array, b.storage as Float32Array, dst, row)
      : undefined;
    return broadcast2(a, b, out.shape, dst, (simd as RowLoop | undefined) ?? row);
  };
}

const whereKernel: CpuKernel<"where"> = ([c, a, b], _p, out) => {
  const shape = out.shape;
  const dst = allocate(out.dtype, sizeOf(shape), false);
  const strides = [c, a, b].map((t) => broadcastStrides(t.shape, shape));
  const cv = c.storage, av = a.storage, bv = b.storage;
  const simd = isF32(av, bv, dst)
    ? whereRow(cv as Uint8Array, av as Float32Array, bv as Float32Array, dst as Float32Array)
    : undefined;
  // Select without a branch: bool storage holds exactly 0 or 1, so it indexes a two-slot buffer
  // (exact for every dtype's values); a `c ? a : b` mispredicts on real masks (3x slower).
  const pick = new Float64Array(2);
  forEachRow(shape, strides, (o, [oc, oa, ob], n, [ic, ia, ib]) => {
    if (simd && n >= 16 && ic === 1 && ia <= 1 && ib <= 1) return simd(oc, oa, ia, ob, ib, o, n);
    for (let i = 0; i < n; i++) {
      pick[0] = bv[ob + i * ib];
      pick[1] = av[oa + i * ia];
      dst[o + i] = pick[cv[oc + i * ic]];
    }
  });
  return dst;
};

const castKernel: CpuKernel<"cast"> = ([x], p) => {
  const src = x.storage;
  const dst = allocate(p.dtype, src.length, false);
  if (p.dtype === "bool") {
    for (let i = 0; i < src.length; i++) dst[i] = +(src[i] !== 0);
  } else if (p.dtype === "int32") {
    // Truncation toward zero, as C and PyTorch cast; values int32 cannot hold are an error
    // rather than a silent wrap (NaN and infinities included).
    for (let i = 0; i < src.length; i++) {
      const v = Math.trunc(src[i]);
      if (!(v >= -0x80000000 && v <= 0x7fffffff)) {
        release(dst); // the output never becomes a tensor
        throw new RangeError(
          `cast: element ${i} of ${fmtShape(x.shape)} ${x.dtype} is ${
            src[i]
          }, which int32 cannot hold`,
        );
      }
      dst[i] = v;
    }
  } else {
    dst.set(src);
  }
  return dst;
};

const table: Record<string, unknown> = { where: whereKernel, cast: castKernel };
for (const op of Object.keys(UNARY) as UnaryPrim[]) table[op] = unaryKernel(op);
for (const op of Object.keys(BINARY) as BinaryPrim[]) table[op] = binaryKernel(op);
for (const op of Object.keys(COMPARE) as ComparePrim[]) table[op] = compareKernel(op);

/** CPU kernels of the elementwise primitives, keyed by primitive name. */
export const elementwiseKernels: CpuKernelTable<
  UnaryPrim | BinaryPrim | ComparePrim | "where" | "cast"
> = table as CpuKernelTable<UnaryPrim | BinaryPrim | ComparePrim | "where" | "cast">;

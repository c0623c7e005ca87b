/**
 * Gradient-checking helpers for the autodiff tests (not a test file itself).
 *
 * - `Gen`: a seeded generator (mulberry32) of float64 tensors, with options to keep values
 *   positive or away from the kinks of non-smooth functions.
 * - `checkGrad`: reverse mode (`grad` with every argument and `vjp`) against central finite
 *   differences of `sum(f(...args) * r)` for a fixed random cotangent `r`.
 * - `checkJvp`: the adjoint identity `<u, J v> = <J^T u, v>` between `jvp` and `vjp`, and `J v`
 *   against a central finite difference along `v`.
 *
 * The oracles are independent of the code under test: finite differences evaluate `f` forward
 * only (no tapes), and every sum is taken in JS float64.
 */
import { AssertionError } from "node:assert";
import { grad, jvp, mul, sum, type Tensor, tensor, vjp } from "../../mod.ts";
import { mulberry32 } from "../test_rng.ts";

/** Counts of the checks performed, so a test can report how many ran. */
export const counter = { checks: 0 };

export { mulberry32 } from "../test_rng.ts";

/** Options of `Gen.tensor`. */
export interface GenOptions {
  /** Lower bound (default -2, or 0.2 with `positive`). */
  lo?: number;
  /** Upper bound (default 2). */
  hi?: number;
  /** Draw from [0.2, hi) (or [lo, hi) when `lo` is given and positive). */
  positive?: boolean;
  /** Redraw any value for which this returns true (e.g. too close to a kink). */
  avoid?: (v: number) => boolean;
}

/** A predicate true within `margin` of any integer (kinks of floor, ceil, sign, abs, relu). */
export const nearInteger = (margin = 0.05) => (v: number) => Math.abs(v - Math.round(v)) < margin;

/** A predicate true within `margin` of any half-integer (kinks of round). */
export const nearHalfInteger = (margin = 0.05) => (v: number) =>
  Math.abs(v - 0.5 - Math.round(v - 0.5)) < margin;

/** Seeded generator of float64 tensors. */
export class Gen {
  readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  /** A float in [lo, hi). */
  uniform(lo = -1, hi = 1): number {
    return lo + (hi - lo) * this.next();
  }
  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  /** Values for a tensor of `shape`. */
  values(shape: readonly number[], opts: GenOptions = {}): Float64Array {
    const lo = opts.lo ?? (opts.positive ? 0.2 : -2);
    const hi = opts.hi ?? 2;
    const n = shape.reduce((a, b) => a * b, 1);
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let v = this.uniform(lo, hi);
      for (let tries = 0; opts.avoid?.(v); tries++) {
        if (tries > 1000) throw new Error("Gen: avoid() rejects everything");
        v = this.uniform(lo, hi);
      }
      out[i] = v;
    }
    return out;
  }
  /** A float64 tensor of `shape`. */
  tensor(shape: readonly number[], opts: GenOptions = {}): Tensor {
    return f64(this.values(shape, opts), shape);
  }
  /** An int32 tensor of `shape` with values in [lo, hi). */
  ints(shape: readonly number[], lo: number, hi: number): Tensor {
    const n = shape.reduce((a, b) => a * b, 1);
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = lo + this.int(hi - lo);
    return tensor(out, { shape, dtype: "int32" });
  }
  /** A bool tensor of `shape`, true with probability `p`. */
  bools(shape: readonly number[], p = 0.5): Tensor {
    const n = shape.reduce((a, b) => a * b, 1);
    const out: boolean[] = [];
    for (let i = 0; i < n; i++) out.push(this.next() < p);
    return tensor(out, { shape, dtype: "bool" });
  }
  /** A random permutation of [0, n). */
  perm(n: number): number[] {
    const p = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [p[i], p[j]] = [p[j], p[i]];
    }
    return p;
  }
}

/** A float64 tensor of `shape` holding `data`. */
export function f64(data: ArrayLike<number>, shape: readonly number[]): Tensor {
  return tensor(Float64Array.from(data), { shape, dtype: "float64" });
}

/** The elements of a tensor as JS numbers (float64). */
export function read(t: Tensor): Float64Array {
  return Float64Array.from(t.dataSync() as ArrayLike<number>);
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`dot: lengths ${a.length} and ${b.length}`);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function closeOrThrow(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  rtol: number,
  atol: number,
  what: string,
): void {
  if (actual.length !== expected.length) {
    throw new AssertionError({
      message: `${what}: length ${actual.length}, expected ${expected.length}`,
    });
  }
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) {
      throw new AssertionError({
        message: `${what}: element ${i}: analytic ${a} vs finite difference ${e} ` +
          `(rtol ${rtol}, atol ${atol})\n  analytic: [${Array.from(actual).join(", ")}]\n` +
          `  numeric:  [${Array.from(expected).join(", ")}]`,
      });
    }
  }
}

/** Tolerances and step of the checks. */
export interface CheckOptions {
  /** Finite-difference step (default 1e-6). */
  eps?: number;
  /** Relative tolerance (default 1e-5). */
  rtol?: number;
  /** Absolute tolerance (default 1e-6). */
  atol?: number;
  /** Seed of the random cotangent and directions (default 1234). */
  seed?: number;
  /** A label for error messages. */
  name?: string;
}

type Fn = (...args: Tensor[]) => Tensor;

/** A random tensor with `like`'s shape and dtype. */
function randomLike(g: Gen, like: Tensor): Tensor {
  return tensor(g.values(like.shape, { lo: -1, hi: 1 }), {
    shape: like.shape,
    dtype: like.dtype,
  });
}

/** `sum(f(...args) * r)` in JS float64, evaluated without any tape. */
function scalarize(f: Fn, args: Tensor[], r: Float64Array): number {
  return dot(read(f(...args)), r);
}

/** Central finite differences of `L(args) = sum(f(args) * r)` in every element of every arg. */
export function numericGrad(f: Fn, args: Tensor[], r: Float64Array, eps: number): Float64Array[] {
  return args.map((x, i) => {
    const base = read(x);
    const out = new Float64Array(base.length);
    const at = (j: number, v: number) => {
      const d = Float64Array.from(base);
      d[j] = v;
      const moved = [...args];
      moved[i] = tensor(d, { shape: x.shape, dtype: x.dtype });
      return scalarize(f, moved, r);
    };
    for (let j = 0; j < base.length; j++) {
      out[j] = (at(j, base[j] + eps) - at(j, base[j] - eps)) / (2 * eps);
    }
    return out;
  });
}

/**
 * Checks `grad` (all arguments) and `vjp` of `f` against central finite differences of
 * `sum(f(...args) * r)` for a random fixed cotangent `r`. Counts one check.
 */
export function checkGrad(f: Fn, args: Tensor[], opts: CheckOptions = {}): void {
  const { eps = 1e-6, rtol = 1e-5, atol = 1e-6, seed = 1234, name = f.name || "f" } = opts;
  const g = new Gen(seed);
  const y = f(...args);
  const r = randomLike(g, y);
  const rv = read(r);
  const numeric = numericGrad(f, args, rv, eps);

  // grad of the scalarized function with respect to every argument.
  // sum(f * r) uses the ops mul and sum, which are checked too: an error in their rules shows
  // up as a disagreement with the finite differences, which never use them.
  const loss = (...xs: Tensor[]) => sum(mul(f(...xs), r));
  const grads = grad(loss, { argnums: args.map((_, i) => i) })(...args) as Tensor[];
  if (!Array.isArray(grads) || grads.length !== args.length) {
    throw new AssertionError({ message: `${name}: grad returned ${grads}` });
  }
  grads.forEach((gi, i) => {
    if (!sameShape(gi.shape, args[i].shape) || gi.dtype !== args[i].dtype) {
      throw new AssertionError({
        message: `${name}: grad ${i} has shape [${gi.shape}] ${gi.dtype}, argument has ` +
          `[${args[i].shape}] ${args[i].dtype}`,
      });
    }
    closeOrThrow(read(gi), numeric[i], rtol, atol, `${name}: grad of argument ${i}`);
  });

  // vjp with the same cotangent gives the same numbers.
  const [y2, pullback] = vjp(f, ...args);
  // (Equal up to rounding: a customVjp's fwd may compute the value differently from f.)
  closeOrThrow(read(y2), read(y), 1e-12, 1e-12, `${name}: vjp's primal output`);
  const cts = pullback(r);
  cts.forEach((c, i) => {
    if (!sameShape(c.shape, args[i].shape)) {
      throw new AssertionError({ message: `${name}: vjp cotangent ${i} has shape [${c.shape}]` });
    }
    closeOrThrow(read(c), numeric[i], rtol, atol, `${name}: vjp cotangent of argument ${i}`);
  });
  counter.checks++;
}

/**
 * Checks forward mode against reverse mode and finite differences: with random `u` (output
 * shape) and `v` (argument shapes), `<u, J v> = <J^T u, v>`, and `J v` equals the central
 * difference `(f(x + eps v) - f(x - eps v)) / (2 eps)`. Counts one check.
 */
export function checkJvp(f: Fn, args: Tensor[], opts: CheckOptions = {}): void {
  const { eps = 1e-6, rtol = 1e-5, atol = 1e-6, seed = 4321, name = f.name || "f" } = opts;
  const g = new Gen(seed);
  const vs = args.map((x) => randomLike(g, x));
  const [y, jv] = jvp(f, args, vs);
  if (!sameShape(jv.shape, y.shape)) {
    throw new AssertionError({
      message: `${name}: jvp tangent shape [${jv.shape}] differs from output [${y.shape}]`,
    });
  }
  const u = randomLike(g, y);
  const [, pullback] = vjp(f, ...args);
  const jtu = pullback(u);
  const lhs = dot(read(u), read(jv));
  const rhs = jtu.reduce((s, c, i) => s + dot(read(c), read(vs[i])), 0);
  closeOrThrow([lhs], [rhs], rtol, atol, `${name}: <u, Jv> vs <J^T u, v>`);

  const shifted = (sgn: number) =>
    read(f(...args.map((x, i) => {
      const xv = read(x);
      const vv = read(vs[i]);
      return tensor(xv.map((a, j) => a + sgn * eps * vv[j]), { shape: x.shape, dtype: x.dtype });
    })));
  const plus = shifted(1);
  const minus = shifted(-1);
  const fd = plus.map((p, j) => (p - minus[j]) / (2 * eps));
  closeOrThrow(read(jv), fd, rtol, atol, `${name}: jvp vs finite difference`);
  counter.checks++;
}

/**
 * Explicit-key random numbers: every random function takes a key, and the same key always gives
 * the same numbers on every backend (Threefry-2x32, see `threefry.ts` for the exact recipe).
 * Keys are split, never reused: `const [k1, k2] = random.split(key)`.
 *
 * @module
 */
import { traceObserver } from "../core/trace_hooks.ts";
import type { Backend } from "../backend/backend.ts";
import { type BackendName, resolveBackend } from "../backend/registry.ts";
import { checkDType, type DType, isFloat } from "../core/dtype.ts";
import { checkShape } from "../core/shape.ts";
import { Tensor } from "../core/tensor.ts";
import { describeValue } from "../core/check.ts";
import { fromTypedArray } from "../ops/creation.ts";
import { add, mul } from "../ops/arithmetic.ts";
import { less } from "../ops/comparison.ts";
import { cos, floor, log1p, neg, sqrt } from "../ops/unary.ts";
import { cast } from "../ops/cast.ts";
import { foldIn as foldInRaw, keyFromSeed, randomWords, splitKey } from "../backend/threefry.ts";

/**
 * A PRNG key: two uint32 words. Make one with `random.key(seed)`, derive more with
 * `random.split`.
 *
 * @example
 * ```ts
 * import { random } from "@fluxion/fluxion";
 * const k = random.key(0);
 * console.log(k.toString()); // "Key(0x00000000, 0x00000000)"
 * ```
 */
export class Key {
  /** The two uint32 words. */
  readonly words: readonly [number, number];
  /** Wraps two uint32 words; use `random.key(seed)` instead. */
  constructor(words: readonly [number, number]) {
    this.words = Object.freeze([words[0] >>> 0, words[1] >>> 0]) as readonly [number, number];
  }
  /** `Key(0x..., 0x...)`. */
  toString(): string {
    const h = (w: number) => `0x${w.toString(16).padStart(8, "0")}`;
    return `Key(${h(this.words[0])}, ${h(this.words[1])})`;
  }
}

function checkKey(op: string, k: unknown): Key {
  if (!(k instanceof Key)) {
    throw new TypeError(
      `${op}: expected a Key from random.key(seed) or random.split, got ${describeValue(k)}`,
    );
  }
  return k;
}

/**
 * A key from an integer seed in [0, 2^53].
 *
 * @example
 * ```ts
 * import { random } from "@fluxion/fluxion";
 * const key = random.key(42);
 * ```
 */
export function key(seed: number): Key {
  return new Key(keyFromSeed(seed));
}

/**
 * `n` new independent keys from `k` (default 2).
 *
 * @example
 * ```ts
 * import { random } from "@fluxion/fluxion";
 * const [initKey, dropoutKey] = random.split(random.key(0));
 * ```
 */
export function split(k: Key, n = 2): Key[] {
  const out = splitKey(checkKey("random.split", k).words, n).map((w) => new Key(w));
  out.forEach((c, i) => traceObserver()?.key(c, "keySplit", { n, i }, k));
  return out;
}

/**
 * A new key derived from `k` and a uint32 `data` (a step number, a layer index).
 *
 * @example
 * ```ts
 * import { random } from "@fluxion/fluxion";
 * const stepKey = random.foldIn(random.key(0), 17);
 * ```
 */
export function foldIn(k: Key, data: number): Key {
  const out = new Key(foldInRaw(checkKey("random.foldIn", k).words, data));
  traceObserver()?.key(out, "keyFoldIn", { data }, k);
  return out;
}

/** Options of the sampling functions. */
export interface RandomOptions {
  /** A floating-point dtype (default `float32`). */
  dtype?: DType;
  /** Where to create the result, by name or object (default: the default backend). */
  backend?: Backend | BackendName;
}

function floatDType(op: string, d: DType | undefined): DType {
  const dtype = checkDType(op, d ?? "float32");
  if (!isFloat(dtype)) throw new TypeError(`${op}: dtype must be float32 or float64, got ${dtype}`);
  return dtype;
}

/**
 * Uniform samples in `[minval, maxval)`.
 *
 * @example
 * ```ts
 * import { random } from "@fluxion/fluxion";
 * const u = random.uniform(random.key(0), [2, 3], { minval: -1, maxval: 1 });
 * ```
 */
export function uniform(
  k: Key,
  shape: readonly number[],
  opts: RandomOptions & { minval?: number; maxval?: number } = {},
): Tensor {
  checkKey("random.uniform", k);
  const s = checkShape("random.uniform", shape);
  const dtype = floatDType("random.uniform", opts.dtype);
  const backend = resolveBackend("random.uniform", opts.backend);
  const u = new Tensor(backend, backend.randomUniform(k.words, s, dtype), s, dtype);
  traceObserver()?.random(u, "randomUniform", { dtype, backend: backend.name }, k);
  const { minval = 0, maxval = 1 } = opts;
  if (minval === 0 && maxval === 1) return u;
  return add(mul(u, maxval - minval), minval);
}

/**
 * Standard normal samples (then scaled to `mean` and `std`), by the Box-Muller transform of two
 * uniform draws.
 *
 * @example
 * ```ts
 * import { random } from "@fluxion/fluxion";
 * const w = random.normal(random.key(1), [128, 784], { std: 0.01 });
 * ```
 */
export function normal(
  k: Key,
  shape: readonly number[],
  opts: RandomOptions & { mean?: number; std?: number } = {},
): Tensor {
  checkKey("random.normal", k);
  const [k1, k2] = split(k);
  const u1 = uniform(k1, shape, opts);
  const u2 = uniform(k2, shape, opts);
  // sqrt(-2 log(1 - u1)) * cos(2 pi u2); 1 - u1 lies in (0, 1], so the log is finite.
  const radius = sqrt(mul(neg(log1p(neg(u1))), 2));
  const z = mul(radius, cos(mul(u2, 2 * Math.PI)));
  const { mean = 0, std = 1 } = opts;
  return mean === 0 && std === 1 ? z : add(mul(z, std), mean);
}

/**
 * Integers drawn uniformly from `[low, high)` (int32), for labels and indices. The range may span
 * at most 2^24 values (each sample comes from one float32 uniform draw).
 *
 * @example
 * ```ts
 * import { random } from "@fluxion/fluxion";
 * const labels = random.randint(random.key(4), [64], 0, 10);
 * ```
 */
export function randint(
  k: Key,
  shape: readonly number[],
  low: number,
  high: number,
  opts: { backend?: Backend | BackendName } = {},
): Tensor {
  checkKey("random.randint", k);
  if (!Number.isInteger(low) || !Number.isInteger(high) || high <= low || high - low > 2 ** 24) {
    throw new RangeError(
      `random.randint: needs integers low < high with high - low <= 2^24, got [${low}, ${high})`,
    );
  }
  if (low < -(2 ** 31) || high > 2 ** 31) {
    throw new RangeError(`random.randint: [${low}, ${high}) does not fit in int32`);
  }
  const u = uniform(k, shape, { dtype: "float32", backend: opts.backend });
  // u * range < range for u < 1 (exact for range <= 2^24), so floor lands in [0, range).
  return add(cast(floor(mul(u, high - low)), "int32"), low);
}

/**
 * `bool` samples that are true with probability `p`.
 *
 * @example
 * ```ts
 * import { random } from "@fluxion/fluxion";
 * const keep = random.bernoulli(random.key(2), 0.9, [4, 4]);
 * ```
 */
export function bernoulli(
  k: Key,
  p: number,
  shape: readonly number[],
  opts: { backend?: Backend | BackendName } = {},
): Tensor {
  checkKey("random.bernoulli", k);
  if (typeof p !== "number" || !(p >= 0 && p <= 1)) {
    throw new RangeError(`random.bernoulli: p must be a probability in [0, 1], got ${p}`);
  }
  return less(uniform(k, shape, { dtype: "float32", backend: opts.backend }), p);
}

/**
 * A random permutation of `0 .. n-1` (int32): the indices sorted by one random word each (ties
 * by index), so it is defined by the key's word stream alone.
 *
 * @example
 * ```ts
 * import { random } from "@fluxion/fluxion";
 * const order = random.permutation(random.key(3), 10);
 * ```
 */
export function permutation(
  k: Key,
  n: number,
  opts: { backend?: Backend | BackendName } = {},
): Tensor {
  checkKey("random.permutation", k);
  if (traceObserver() !== null) {
    // It sorts on the host by the key's random words: a trace would freeze one order.
    throw new Error(
      "random.permutation: cannot be traced (it orders on the host); compute the permutation " +
        "outside the traced or compiled function and pass it in",
    );
  }
  if (!Number.isInteger(n) || n < 0) {
    throw new RangeError(`random.permutation: n must be a non-negative integer, got ${n}`);
  }
  const words = randomWords(k.words, n);
  const order = Int32Array.from({ length: n }, (_, i) => i);
  order.sort((a, b) => words[a] - words[b] || a - b);
  return fromTypedArray(order, [n], "int32", opts.backend);
}

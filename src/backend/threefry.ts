/**
 * Threefry-2x32, the counter-based pseudo-random number generator behind fluxion's `random`
 * module, and the exact recipes that turn its output into keys and uniform numbers. Every backend
 * (this TypeScript reference and the WebGPU kernels) produces the same bits for the same key, so
 * everything below is specified exactly; a change to any of it changes every random number.
 *
 * ## Threefry-2x32, 20 rounds (Random123; the same function as JAX's `threefry_2x32`)
 *
 * All arithmetic is on unsigned 32-bit words, additions wrap modulo 2^32, and `rotl(v, r)` is a
 * left rotation of a 32-bit word by `r` bits. With key `(k0, k1)` and counter `(x0, x1)`:
 *
 * 1. Key schedule: `ks = [k0, k1, k0 ^ k1 ^ 0x1BD11BDA]`.
 * 2. `x0 += ks[0]; x1 += ks[1]`.
 * 3. For `i = 0, 1, 2, 3, 4`: four rounds, each `x0 += x1; x1 = rotl(x1, r); x1 ^= x0`, with
 *    `r` taken in turn from `[13, 15, 26, 6]` when `i` is even and from `[17, 29, 16, 24]` when `i`
 *    is odd; then the key injection `x0 += ks[(i + 1) % 3]; x1 += ks[(i + 2) % 3] + (i + 1)`.
 * 4. The result is `(x0, x1)`.
 *
 * ## Keys
 *
 * A raw key is a pair of uint32 words `[k0, k1]`.
 *
 * - {@linkcode keyFromSeed}: seed `s` (an integer in [0, 2^53]) gives
 *   `[floor(s / 2^32), s mod 2^32]`, like JAX's `PRNGKey(s)`.
 * - {@linkcode splitKey}: child `i` of key `k` is `threefry2x32(k0, k1, i, 0xFFFFFFFF)`.
 * - {@linkcode foldIn}: key `k` folded with uint32 `d` is `threefry2x32(k0, k1, d, 0xFFFFFFFE)`.
 *
 * Random bits use counters whose second word is 0 (see below), so the counters of derived keys
 * (second word `0xFFFFFFFF` or `0xFFFFFFFE`) never coincide with them: a child key is independent
 * of its parent's bits as long as fewer than 2^32 - 2 pairs of words are drawn from one key.
 *
 * ## Bits and uniform numbers
 *
 * - {@linkcode randomWords}: word stream of a key: words `2j` and `2j + 1` are the two outputs of
 *   `threefry2x32(k0, k1, j, 0)`, for `j = 0, 1, 2, ...`.
 * - {@linkcode uniformBits}, float32: element `i` is `(w[i] >>> 8) * 2^-24`, from word `i`
 *   of the stream; every value is exactly representable and lies in [0, 1).
 * - {@linkcode uniformBits}, float64: element `i` is
 *   `((w[2i] >>> 5) * 2^26 + (w[2i + 1] >>> 6)) * 2^-53`, from words `2i` and `2i + 1`
 *   (53 random bits); it lies in [0, 1).
 *
 * @module
 */

const PARITY = 0x1bd11bda;

/**
 * The Threefry-2x32 block function with 20 rounds (Random123's `threefry2x32_20`, JAX's
 * `threefry_2x32`): maps a key `(k0, k1)` and a counter `(x0, x1)`, all uint32, to two
 * pseudo-random uint32 words. See the module documentation for the exact definition.
 *
 * @param k0 First key word (uint32).
 * @param k1 Second key word (uint32).
 * @param x0 First counter word (uint32).
 * @param x1 Second counter word (uint32).
 * @returns The two output words, as non-negative numbers below 2^32.
 *
 * @example
 * ```ts
 * import * as random from "./threefry.ts";
 * // Random123's known-answer test: key (0, 0), counter (0, 0).
 * const [a, b] = random.threefry2x32(0, 0, 0, 0);
 * console.log(a.toString(16), b.toString(16)); // "6b200159" "99ba4efe"
 * ```
 */
export function threefry2x32(
  k0: number,
  k1: number,
  x0: number,
  x1: number,
): [number, number] {
  threefryInto(k0 >>> 0, k1 >>> 0, x0 >>> 0, x1 >>> 0, SCRATCH, 0);
  return [SCRATCH[0], SCRATCH[1]];
}

const SCRATCH = new Uint32Array(2);

/**
 * Writes threefry2x32(k, x) to out[at], out[at + 1]. Inputs must already be uint32. The 20
 * rounds are unrolled: each `(x1 << r) | (x1 >>> (32 - r))` is rotl, and `| 0` / `>>> 0`
 * keep words in 32 bits (int32 internally; the store into the Uint32Array reinterprets them).
 */
function threefryInto(
  k0: number,
  k1: number,
  c0: number,
  c1: number,
  out: Uint32Array,
  at: number,
): void {
  const k2 = (k0 ^ k1 ^ PARITY) | 0;
  let x0 = (c0 + k0) | 0;
  let x1 = (c1 + k1) | 0;

  // Rounds 1-4: rotations 13, 15, 26, 6; injection i = 0.
  x0 = (x0 + x1) | 0;
  x1 = ((x1 << 13) | (x1 >>> 19)) ^ x0;
  x0 = (x0 + x1) | 0;
  x1 = ((x1 << 15) | (x1 >>> 17)) ^ x0;
  x0 = (x0 + x1) | 0;
  x1 = ((x1 << 26) | (x1 >>> 6)) ^ x0;
  x0 = (x0 + x1) | 0;
  x1 = ((x1 << 6) | (x1 >>> 26)) ^ x0;
  x0 = (x0 + k1) | 0;
  x1 = (x1 + k2 + 1) | 0;

  // Rounds 5-8: rotations 17, 29, 16, 24; injection i = 1.
  x0 = (x0 + x1) | 0;
  x1 = ((x1 << 17) | (x1 >>> 15)) ^ x0;
  x0 = (x0 + x1) | 0;
  x1 = ((x1 << 29) | (x1 >>> 3)) ^ x0;
  x0 = (x0 + x1) | 0;
  x1 = ((x1 << 16) | (x1 >>> 16)) ^ x0;
  x0 = (x0 + x1) | 0;
  x1 = ((x1 << 24) | (x1 >>> 8)) ^ x0;
  x0 = (x0 + k2) | 0;
  x1 = (x1 + k0 + 2) | 0;

  // Rounds 9-12: rotations 13, 15, 26, 6; injection i = 2.
  x0 = (x0 + x1) | 0;
  x1 = ((x1 << 13) | (x1 >>> 19)) ^ x0;
  x0 = (x0 + x1) | 0;
  x1 = ((x1 << 15) | (x1 >>> 17)) ^ x0;
  x0 = (x0 + x1) | 0;
  x1 = ((x1 << 26) | (x1 >>> 6)) ^ x0;
  x0 = (x0 + x1) | 0;
  x1 = ((x1 << 6) | (x1 >>> 26)) ^ x0;
  x0 = (x0 + k0) | 0;
  x1 = (x1 + k1 + 3) | 0;

  // Rounds 13-16: rotations 17, 29, 16, 24; injection i = 3.
  x0 = (x0 + x1) | 0;
  x1 = ((x1 << 17) | (x1 >>> 15)) ^ x0;
  x0 = (x0 + x1) | 0;
  x1 = ((x1 << 29) | (x1 >>> 3)) ^ x0;
  x0 = (x0 + x1) | 0;
  x1 = ((x1 << 16) | (x1 >>> 16)) ^ x0;
  x0 = (x0 + x1) | 0;
  x1 = ((x1 << 24) | (x1 >>> 8)) ^ x0;
  x0 = (x0 + k1) | 0;
  x1 = (x1 + k2 + 4) | 0;

  // Rounds 17-20: rotations 13, 15, 26, 6; injection i = 4.
  x0 = (x0 + x1) | 0;
  x1 = ((x1 << 13) | (x1 >>> 19)) ^ x0;
  x0 = (x0 + x1) | 0;
  x1 = ((x1 << 15) | (x1 >>> 17)) ^ x0;
  x0 = (x0 + x1) | 0;
  x1 = ((x1 << 26) | (x1 >>> 6)) ^ x0;
  x0 = (x0 + x1) | 0;
  x1 = ((x1 << 6) | (x1 >>> 26)) ^ x0;
  x0 = (x0 + k2) | 0;
  x1 = (x1 + k0 + 5) | 0;

  out[at] = x0;
  out[at + 1] = x1;
}

function isWord(w: unknown): boolean {
  return typeof w === "number" && Number.isInteger(w) && w >= 0 && w <= 0xffffffff;
}

function checkKey(key: readonly [number, number], op: string): void {
  if (
    key == null || key.length !== 2 ||
    !isWord(key[0]) || !isWord(key[1])
  ) {
    throw new TypeError(`${op}: a key is a pair of uint32 words [k0, k1], got ${String(key)}`);
  }
}

/**
 * The raw key for an integer seed, like JAX's `PRNGKey(seed)`: the high and low 32 bits of the
 * seed, `[floor(seed / 2^32), seed mod 2^32]`.
 *
 * @param seed A non-negative integer no larger than 2^53.
 * @returns The key words `[hi, lo]`.
 * @throws {RangeError} If `seed` is negative, not an integer, or above 2^53.
 *
 * @example
 * ```ts
 * import * as random from "./threefry.ts";
 * console.log(random.keyFromSeed(42)); // [0, 42]
 * console.log(random.keyFromSeed(2 ** 32 + 7)); // [1, 7]
 * ```
 */
export function keyFromSeed(seed: number): [number, number] {
  if (typeof seed !== "number" || !Number.isInteger(seed) || seed < 0 || seed > 2 ** 53) {
    throw new RangeError(
      `random.key: the seed must be an integer in [0, 2^53], got ${String(seed)}`,
    );
  }
  const hi = Math.floor(seed / 0x100000000);
  const lo = seed - hi * 0x100000000;
  return [hi >>> 0, lo >>> 0];
}

/**
 * Splits a key into `n` new keys: key `i` is `threefry2x32(k0, k1, i, 0xFFFFFFFF)`. The new keys
 * are independent of each other and of the bits drawn from the parent key.
 *
 * @param key The parent key `[k0, k1]`.
 * @param n How many keys to make (a non-negative integer, at most 2^32).
 * @returns `n` fresh keys.
 *
 * @example
 * ```ts
 * import * as random from "./threefry.ts";
 * const [a, b] = random.splitKey(random.keyFromSeed(0), 2);
 * console.log(a, b); // two different pairs of uint32 words
 * ```
 */
export function splitKey(key: readonly [number, number], n: number): [number, number][] {
  checkKey(key, "random.split");
  if (!Number.isInteger(n) || n < 0 || n > 0x100000000) {
    throw new RangeError(`random.split: n must be an integer in [0, 2^32], got ${String(n)}`);
  }
  const words = new Uint32Array(2);
  const keys: [number, number][] = new Array(n);
  for (let i = 0; i < n; i++) {
    threefryInto(key[0], key[1], i >>> 0, 0xffffffff, words, 0);
    keys[i] = [words[0], words[1]];
  }
  return keys;
}

/**
 * Derives a new key from a key and a uint32 (a step number, a layer index):
 * `threefry2x32(k0, k1, data, 0xFFFFFFFE)`.
 *
 * @param key The key `[k0, k1]`.
 * @param data An integer; it is taken modulo 2^32.
 * @returns The derived key.
 *
 * @example
 * ```ts
 * import * as random from "./threefry.ts";
 * const base = random.keyFromSeed(0);
 * const step3 = random.foldIn(base, 3); // the same key every time for step 3
 * console.log(step3);
 * ```
 */
export function foldIn(key: readonly [number, number], data: number): [number, number] {
  checkKey(key, "random.foldIn");
  if (!Number.isInteger(data)) {
    throw new RangeError(`random.foldIn: data must be an integer, got ${String(data)}`);
  }
  return threefry2x32(key[0], key[1], data >>> 0, 0xfffffffe);
}

/**
 * The first `count` words of a key's random stream: words `2j` and `2j + 1` are the two outputs
 * of `threefry2x32(k0, k1, j, 0)`.
 *
 * @param key The key `[k0, k1]`.
 * @param count How many uint32 words to produce (at most 2^33).
 * @returns The words.
 *
 * @example
 * ```ts
 * import * as random from "./threefry.ts";
 * const words = random.randomWords(random.keyFromSeed(0), 4);
 * console.log(words); // Uint32Array of 4 words, the same on every run and every backend
 * ```
 */
export function randomWords(key: readonly [number, number], count: number): Uint32Array {
  checkKey(key, "random.bits");
  if (!Number.isInteger(count) || count < 0 || count > 2 ** 33) {
    throw new RangeError(`random.bits: count must be a non-negative integer, got ${String(count)}`);
  }
  const out = new Uint32Array(count);
  const k0 = key[0], k1 = key[1];
  const pairs = Math.floor(count / 2);
  for (let j = 0; j < pairs; j++) threefryInto(k0, k1, j >>> 0, 0, out, 2 * j);
  if (count % 2 === 1) {
    threefryInto(k0, k1, pairs >>> 0, 0, SCRATCH, 0);
    out[count - 1] = SCRATCH[0];
  }
  return out;
}

const TWO_M24 = 2 ** -24;
const TWO_M53 = 2 ** -53;
const TWO_26 = 2 ** 26;
const CHUNK_PAIRS = 4096;

/**
 * Fills `out` with uniform numbers in [0, 1) drawn from a key's random stream. A `Float32Array`
 * element `i` is `(w[i] >>> 8) * 2^-24`; a `Float64Array` element `i` is
 * `((w[2i] >>> 5) * 2^26 + (w[2i + 1] >>> 6)) * 2^-53`, where `w` is the stream of
 * {@linkcode randomWords}. Every backend's `randomUniform` produces exactly these values.
 *
 * @param key The key `[k0, k1]`.
 * @param out The array to fill; its length sets how many numbers are drawn.
 *
 * @example
 * ```ts
 * import * as random from "./threefry.ts";
 * const u = new Float32Array(3);
 * random.uniformBits(random.keyFromSeed(0), u);
 * console.log(u); // three numbers in [0, 1)
 * ```
 */
export function uniformBits(
  key: readonly [number, number],
  out: Float32Array | Float64Array,
): void {
  checkKey(key, "random.uniform");
  const k0 = key[0], k1 = key[1];
  const n = out.length;
  const wordsNeeded = out instanceof Float32Array ? n : 2 * n;
  const buf = new Uint32Array(2 * CHUNK_PAIRS);
  let j = 0; // next counter
  let word = 0; // index of buf[0] in the word stream
  while (word < wordsNeeded) {
    const chunkWords = Math.min(2 * CHUNK_PAIRS, wordsNeeded - word);
    const pairs = (chunkWords + 1) >>> 1;
    for (let p = 0; p < pairs; p++, j++) threefryInto(k0, k1, j >>> 0, 0, buf, 2 * p);
    if (out instanceof Float32Array) {
      for (let w = 0; w < chunkWords; w++) out[word + w] = (buf[w] >>> 8) * TWO_M24;
    } else {
      const e0 = word >>> 1;
      const count = chunkWords >>> 1;
      for (let e = 0; e < count; e++) {
        out[e0 + e] = ((buf[2 * e] >>> 5) * TWO_26 + (buf[2 * e + 1] >>> 6)) * TWO_M53;
      }
    }
    word += chunkWords;
  }
}

/**
 * Keyed orders of indices without tensors (internal to `data`).
 *
 * @module
 */
import { Key } from "../random/random.ts";
import { randomWords } from "../backend/threefry.ts";

/**
 * The order `random.permutation(key, n)` gives, as plain indices: 0..n-1 sorted by one Threefry
 * word each (ties by index). Computed here without a tensor so pipelines need no backend.
 */
export function permutationOrder(fn: string, key: Key, n: number): Int32Array {
  if (!(key instanceof Key)) {
    throw new TypeError(`${fn}: expected a Key from random.key(seed) or random.split`);
  }
  const words = randomWords(key.words, n);
  const order = Int32Array.from({ length: n }, (_, i) => i);
  order.sort((a, b) => words[a] - words[b] || a - b);
  return order;
}

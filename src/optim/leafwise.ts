/**
 * Helpers the optimizers share: walking gradients, parameters and state trees leaf by leaf, and
 * PyTorch's gradient preprocessing (maximize, then L2 weight decay).
 *
 * @module
 */
import type { Tensor } from "../core/tensor.ts";
import { add, mul } from "../ops/arithmetic.ts";
import { neg } from "../ops/unary.ts";
import { flatten, unflatten } from "../tree/structure.ts";
import { zip } from "../tree/traverse.ts";

/**
 * Calls `fn` on each leaf of `grads` with the corresponding leaves of the trees in `others`
 * (which must have the structure of `grads`), and returns one tree per key in `outKeys` (the keys
 * of `fn`'s result), each with the structure of `grads`. Structure mismatches throw an Error naming `op` and the path.
 */
export function leafwise<O extends string>(
  op: string,
  grads: unknown,
  others: Record<string, unknown>,
  outKeys: readonly O[],
  fn: (g: Tensor, x: Record<string, Tensor>) => Record<O, Tensor>,
): Record<O, unknown> {
  const names = Object.keys(others);
  let rows: Tensor[][];
  try {
    rows = zip(grads, ...names.map((n) => others[n]));
  } catch (e) {
    const msg = e instanceof Error ? e.message.replace(/^tree\.zip: /, "") : String(e);
    const which = ["gradients", ...names].join(", ");
    throw new Error(`${op}: the trees (${which}) must have one structure: ${msg}`);
  }
  const [, def] = flatten(grads);
  const outs = outKeys.map(() => [] as Tensor[]);
  for (const row of rows) {
    const x: Record<string, Tensor> = {};
    names.forEach((n, i) => (x[n] = row[i + 1]));
    const r = fn(row[0], x);
    outKeys.forEach((k, j) => outs[j].push(r[k]));
  }
  const result = {} as Record<O, unknown>;
  outKeys.forEach((k, j) => (result[k] = unflatten(def, outs[j])));
  return result;
}

/**
 * The gradient as PyTorch's optimizers first transform it: negated when `maximize`, then plus
 * `weightDecay * param` (L2 decay) when `weightDecay` is not 0.
 */
export function decayedGrad(
  g: Tensor,
  p: Tensor | undefined,
  maximize: boolean,
  wd: number,
): Tensor {
  const d = maximize ? neg(g) : g;
  return wd !== 0 ? add(d, mul(p!, wd)) : d;
}

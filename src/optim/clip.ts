/**
 * Gradient clipping: `clipByGlobalNorm` (PyTorch's `clip_grad_norm_`) and `clipByValue`
 * (`clip_grad_value_`).
 *
 * @module
 */
import type { Tensor } from "../core/tensor.ts";
import { add, div, maximum, minimum, mul } from "../ops/arithmetic.ts";
import { sum } from "../ops/reduce.ts";
import { sqrt } from "../ops/unary.ts";
import { leaves } from "../tree/structure.ts";
import { map } from "../tree/traverse.ts";
import type { GradientTransformation } from "./transform.ts";

/** The state of the stateless transformations (an empty object). */
export type EmptyState = Record<string, never>;

/**
 * The global L2 norm of a tree's leaves, `sqrt(sum of every element squared)`, as a scalar tensor.
 *
 * @example
 * ```ts
 * import { optim, tensor } from "@fluxion/fluxion";
 * const n = optim.globalNorm({ a: tensor([3]), b: tensor([4]) }); // 5
 * ```
 */
export function globalNorm(tree: unknown): Tensor {
  const ls = leaves(tree);
  if (ls.length === 0) throw new Error("globalNorm: the tree has no tensor leaves");
  let total: Tensor | undefined;
  for (const g of ls) {
    const s = sum(mul(g, g));
    total = total === undefined ? s : add(total, s);
  }
  return sqrt(total!);
}

/**
 * Scales the whole gradient tree down when its global L2 norm exceeds `maxNorm`, as
 * `torch.nn.utils.clip_grad_norm_`: every leaf is multiplied by
 * `min(1, maxNorm / (totalNorm + 1e-6))`. The factor stays a tensor (no read back to the host).
 *
 * @param maxNorm The largest norm allowed (> 0).
 * @returns The transformation.
 *
 * @example
 * ```ts
 * import { optim } from "@fluxion/fluxion";
 * const opt = optim.chain(optim.clipByGlobalNorm(1.0), optim.sgd({ lr: 0.1 }));
 * ```
 */
export function clipByGlobalNorm(maxNorm: number): GradientTransformation<EmptyState> {
  if (typeof maxNorm !== "number" || !(maxNorm > 0)) {
    throw new RangeError(`clipByGlobalNorm: maxNorm must be a number > 0, got ${String(maxNorm)}`);
  }
  return {
    init: () => ({}),
    update(grads, state) {
      if (leaves(grads).length === 0) return [grads, state];
      const coef = minimum(div(maxNorm, add(globalNorm(grads), 1e-6)), 1);
      return [map((g: Tensor) => mul(g, coef), grads), state];
    },
  };
}

/**
 * Clamps every gradient element to `[-limit, limit]`, as `torch.nn.utils.clip_grad_value_`.
 *
 * @param limit The largest magnitude allowed (>= 0).
 * @returns The transformation.
 *
 * @example
 * ```ts
 * import { optim } from "@fluxion/fluxion";
 * const opt = optim.chain(optim.clipByValue(0.5), optim.adam());
 * ```
 */
export function clipByValue(limit: number): GradientTransformation<EmptyState> {
  if (typeof limit !== "number" || !(limit >= 0)) {
    throw new RangeError(`clipByValue: limit must be a number >= 0, got ${String(limit)}`);
  }
  return {
    init: () => ({}),
    update: (grads, state) => [
      map((g: Tensor) => minimum(maximum(g, -limit), limit), grads),
      state,
    ],
  };
}

/**
 * `addDecayedWeights`: adds `weightDecay * params` to the updates, optionally under a mask.
 *
 * @module
 */
import type { Tensor } from "../core/tensor.ts";
import { add, mul } from "../ops/arithmetic.ts";
import type { EmptyState } from "./clip.ts";
import { leafwise } from "./leafwise.ts";
import { type Mask, maskFlags } from "../tree/mask.ts";
import { checkRange, requireParams } from "./checks.ts";
import type { GradientTransformation } from "./transform.ts";

/** Options of {@linkcode addDecayedWeights}. */
export interface AddDecayedWeightsOptions {
  /** Which parameters to decay (default: all); the others' updates pass through unchanged. */
  mask?: Mask;
}

/**
 * Adds `weightDecay * p` to each update (`optax.add_decayed_weights`). Before an optimizer's
 * scaling this is PyTorch's L2 `weight_decay`; `chain(addDecayedWeights(wd),
 * scaleByLearningRate(lr))` is `torch.optim.SGD(lr=lr, weight_decay=wd)`. With a mask only the
 * selected leaves are decayed (commonly: not biases and norm scales).
 *
 * @param weightDecay The decay factor (>= 0).
 * @param opts `mask`: a tree of booleans or a predicate over parameter paths.
 * @returns The transformation; its `update` needs the parameters.
 *
 * @example
 * ```ts
 * import { optim } from "@fluxion/fluxion";
 * const opt = optim.chain(
 *   optim.addDecayedWeights(5e-4, { mask: (path) => path.endsWith(".weight") }),
 *   optim.sgd({ lr: 0.1, momentum: 0.9 }),
 * );
 * ```
 */
export function addDecayedWeights(
  weightDecay: number,
  opts: AddDecayedWeightsOptions = {},
): GradientTransformation<EmptyState> {
  const op = "addDecayedWeights";
  const wd = checkRange(op, "weightDecay", weightDecay, 0);
  return {
    init: () => ({}),
    update(grads, state, params) {
      if (wd === 0) return [grads, state];
      const p = requireParams(op, params);
      const flags = opts.mask === undefined ? undefined : maskFlags(op, p, opts.mask);
      let i = 0;
      const r = leafwise(op, grads, { p }, ["u"] as const, (g: Tensor, x) => {
        const on = flags === undefined || flags[i++];
        return { u: on ? add(g, mul(x.p, wd)) : g };
      });
      return [r.u as typeof grads, state];
    },
  };
}

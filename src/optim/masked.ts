/**
 * Masks over parameter trees (`Mask`: a tree of booleans or a predicate over parameter paths)
 * and `masked`, which applies a transformation to the selected leaves and freezes the rest.
 *
 * @module
 */
import { Tensor } from "../core/tensor.ts";
import { isPlainObject, sortedKeys } from "../tree/containers.ts";
import { zerosLike } from "../ops/creation.ts";
import { neg } from "../ops/unary.ts";
import { flatten, unflatten } from "../tree/structure.ts";
import type { GradientTransformation } from "./transform.ts";
import { type Mask, maskFlags } from "../tree/mask.ts";

export { type Mask, maskFlags, type MaskTree } from "../tree/mask.ts";

const DROP = Symbol("dropped");

/**
 * `tree` with only the selected tensor leaves (flags in tree order): unselected leaves leave
 * their objects, and become `null` (static data) in arrays so indices keep their meaning. The
 * paths of the kept leaves are unchanged, so tree-shaped masks inside the inner transformation
 * still fit.
 */
function prune(tree: unknown, flags: readonly boolean[]): unknown {
  let i = 0;
  const go = (v: unknown): unknown => {
    if (v instanceof Tensor) return flags[i++] ? v : DROP;
    if (Array.isArray(v)) {
      return v.map((c) => {
        const r = go(c);
        return r === DROP ? null : r;
      });
    }
    if (isPlainObject(v)) {
      const out: Record<string, unknown> = {};
      for (const k of sortedKeys(v)) {
        const r = go(v[k]);
        if (r !== DROP) out[k] = r;
      }
      return out;
    }
    return v;
  };
  return go(tree);
}

/** The state of {@linkcode masked}: the inner transformation's state over the selected leaves. */
export interface MaskedState<S> {
  /** The inner state, for the parameter tree pruned to the selected leaves. */
  readonly inner: S;
}

/**
 * Applies `inner` only to the leaves the mask selects (`true`); the others get zero updates, so
 * {@linkcode applyUpdates} leaves them bitwise unchanged (frozen, as for fine-tuning). Unlike
 * `optax.masked`, which passes the gradients of unselected leaves through, this freezes them.
 *
 * The inner transformation sees the parameter tree pruned to the selected leaves (same names and
 * nesting, frozen leaves left out), so masks inside it work as usual; its state covers only those
 * leaves (no moments are kept for frozen parameters).
 *
 * @param inner The transformation for the selected leaves.
 * @param mask A tree of booleans (or a prefix of one) or a predicate over paths.
 * @returns The masked transformation.
 *
 * @example
 * ```ts
 * import { optim, tensor } from "@fluxion/fluxion";
 * const params = { conv1: { weight: tensor([1]) }, fc: { weight: tensor([2]) } };
 * // fine-tune fc only; conv1 is frozen
 * const opt = optim.masked(optim.adam({ lr: 1e-3 }), (path) => !path.startsWith("conv1."));
 * const [updates] = opt.update(
 *   { conv1: { weight: tensor([5]) }, fc: { weight: tensor([5]) } },
 *   opt.init(params),
 *   params,
 * );
 * const next = optim.applyUpdates(params, updates); // conv1.weight is still [1]
 * ```
 */
export function masked<S>(
  inner: GradientTransformation<S>,
  mask: Mask,
): GradientTransformation<MaskedState<S>> {
  const op = "masked";
  if (inner === null || typeof inner !== "object" || typeof inner.update !== "function") {
    throw new TypeError(`${op}: the first argument must be a gradient transformation`);
  }
  return {
    init: (params) => ({ inner: inner.init(prune(params, maskFlags(op, params, mask))) }),
    update(grads, state, params) {
      const flags = maskFlags(op, grads, mask);
      const [leaves, def] = flatten(grads);
      const subParams = params === undefined ? undefined : prune(params, flags);
      const [u, innerState] = inner.update(prune(grads, flags), state.inner, subParams);
      const kept = flatten(u)[0];
      if (kept.length !== flags.filter(Boolean).length) {
        throw new Error(
          `${op}: the inner transformation returned ${kept.length} updates for ${
            flags.filter(Boolean).length
          } selected parameters`,
        );
      }
      let j = 0;
      // Frozen leaves get -0 updates: p + (-0) is bitwise p, even for p = -0.
      const out = leaves.map((g, i) => (flags[i] ? kept[j++] : neg(zerosLike(g))));
      return [unflatten(def, out), { inner: innerState }];
    },
  };
}

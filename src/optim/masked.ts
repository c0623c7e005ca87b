/**
 * Masks over parameter trees (`Mask`: a tree of booleans or a predicate over parameter paths)
 * and `masked`, which applies a transformation to the selected leaves and freezes the rest.
 *
 * @module
 */
import type { Tensor } from "../core/tensor.ts";
import { zerosLike } from "../ops/creation.ts";
import { neg } from "../ops/unary.ts";
import { flatten, unflatten } from "../tree/structure.ts";
import { flattenWithPaths } from "../tree/traverse.ts";
import type { GradientTransformation } from "./transform.ts";
import { type Mask, maskFlags } from "../tree/mask.ts";

export { type Mask, maskFlags, type MaskTree } from "../tree/mask.ts";

/** The selected leaves of `tree` as an object keyed by their paths. */
function select(op: string, tree: unknown, flags: readonly boolean[]): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  flattenWithPaths(tree).forEach(([path, leaf], i) => {
    if (!flags[i]) return;
    if (Object.hasOwn(out, path)) throw new Error(`${op}: two leaves share the path "${path}"`);
    out[path] = leaf;
  });
  return out;
}

/** The state of {@linkcode masked}: the inner transformation's state over the selected leaves. */
export interface MaskedState<S> {
  /** The inner state, for a tree of the selected leaves keyed by their paths. */
  readonly inner: S;
}

/**
 * Applies `inner` only to the leaves the mask selects (`true`); the others get zero updates, so
 * {@linkcode applyUpdates} leaves them bitwise unchanged (frozen, as for fine-tuning). Unlike
 * `optax.masked`, which passes the gradients of unselected leaves through, this freezes them.
 *
 * The inner transformation sees the selected leaves as a flat object keyed by their paths
 * (`{"fc.weight": ...}`), so a mask inside it must be a predicate over paths; its state covers
 * only those leaves (no moments are kept for frozen parameters).
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
    init: (params) => ({ inner: inner.init(select(op, params, maskFlags(op, params, mask))) }),
    update(grads, state, params) {
      const flags = maskFlags(op, grads, mask);
      const [leaves, def] = flatten(grads);
      const paths = flattenWithPaths(grads).map(([p]) => p);
      const sub = select(op, grads, flags);
      const subParams = params === undefined ? undefined : select(op, params, flags);
      const [u, innerState] = inner.update(sub, state.inner, subParams);
      const out = leaves.map((g, i) => (flags[i] ? u[paths[i]] : neg(zerosLike(g))));
      return [unflatten(def, out), { inner: innerState }];
    },
  };
}

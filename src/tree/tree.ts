/**
 * Pytrees: nested plain objects and arrays whose leaves are tensors, the shape of parameters,
 * gradients and optimizer state.
 *
 * - Containers are arrays (`Array.isArray`) and plain objects (prototype `Object.prototype` or
 *   `null`). Their children are visited in a fixed order: arrays by index, objects by their own
 *   enumerable string keys sorted with the default JS string sort (so `{b, a}` and `{a, b}` give
 *   the same order, like JAX).
 * - Leaves are `Tensor`s.
 * - Anything else (numbers, strings, booleans, `null`, `undefined`, class instances, typed arrays,
 *   functions) is static data: kept in place in the structure, never a leaf, never mapped.
 *
 * Two trees have the same structure when they have the same containers (array lengths, object key
 * sets) and tensors and static values in the same places; the static values themselves are not
 * compared, and functions of several trees keep the first tree's. Paths name a place in a tree by
 * its keys and indices joined with `.`, like PyTorch `state_dict` names (`"layers.0.weight"`); the
 * root is `""`.
 *
 * @example
 * ```ts
 * import { tensor, tree } from "@fluxion/fluxion";
 * const params = { fc1: { weight: tensor([[1, 2]]), bias: tensor([0]) }, scale: 2 };
 * console.log(tree.flattenWithPaths(params).map(([path]) => path)); // ["fc1.bias", "fc1.weight"]
 * ```
 *
 * @module
 */
// The namespace is everything these two modules export (and nothing else: helpers they share live
// in containers.ts). `export *` keeps the members and their JSDoc in `deno doc`, which lists no
// members for named re-exports in a namespace module.
export * from "./structure.ts";
export * from "./traverse.ts";

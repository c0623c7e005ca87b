/**
 * Masks over parameter trees: a tree of booleans shaped like the parameters (a boolean may stand
 * for a whole subtree), or a predicate over each leaf's dotted path. One definition serves the
 * optimizers (`optim.masked`, which read masks through `maskFlags`), the regularizers and the
 * fine-tuning helpers (`nn.maskTree` builds one).
 *
 * @module
 */
import type { Tensor } from "../core/tensor.ts";
import { flatten } from "./structure.ts";
import { kindOf, quotePath, sortedKeys } from "./containers.ts";
import { flattenWithPaths } from "./traverse.ts";

/**
 * A tree of booleans with the structure of the parameters, or a prefix of it: a boolean in place
 * of a subtree applies to every leaf under it (`{ conv1: false, fc: true }`).
 *
 * @example
 * ```ts
 * import type { optim } from "@fluxion/fluxion";
 * const trainHead: optim.MaskTree = { backbone: false, head: { weight: true, bias: true } };
 * ```
 */
export type MaskTree = boolean | readonly MaskTree[] | { readonly [key: string]: MaskTree };

/**
 * Which leaves a transformation applies to: a {@linkcode MaskTree}, or a predicate called with each
 * leaf's path (keys joined by `.`, like `state_dict` names: `"conv1.weight"`) and the leaf.
 *
 * @example
 * ```ts
 * import type { optim } from "@fluxion/fluxion";
 * // everything except the layers under conv1 and conv2
 * const notConv: optim.Mask = (path) => !/^conv[12]\./.test(path);
 * ```
 */
export type Mask = MaskTree | ((path: string, leaf: Tensor) => boolean);

/**
 * The mask's value for each tensor leaf of `tree`, in tree order. Throws naming `op` and the path
 * where a mask tree does not fit the tree or a predicate returns a non-boolean.
 *
 * @example
 * ```ts
 * import { optim, zeros } from "@fluxion/fluxion";
 * const params = { body: { weight: zeros([2]) }, head: { bias: zeros([1]), weight: zeros([2]) } };
 * optim.maskFlags("example", params, { body: false, head: true }); // [false, true, true]
 * ```
 */
export function maskFlags(op: string, tree: unknown, mask: Mask): boolean[] {
  if (typeof mask === "function") {
    return flattenWithPaths(tree).map(([path, leaf]) => {
      const v = mask(path, leaf);
      if (typeof v !== "boolean") {
        throw new TypeError(`${op}: the mask predicate returned ${String(v)} for "${path}"`);
      }
      return v;
    });
  }
  const out: boolean[] = [];
  const path: (string | number)[] = [];
  const go = (t: unknown, m: unknown): void => {
    const kind = kindOf(t);
    if (kind === "static") return;
    if (typeof m === "boolean") {
      if (kind === "leaf") out.push(m);
      else out.push(...flatten(t)[0].map(() => m));
      return;
    }
    const fail = (why: string): never => {
      throw new Error(`${op}: the mask does not fit the parameters at ${quotePath(path)}: ${why}`);
    };
    if (kind === "leaf") fail("expected a boolean for a tensor");
    if (kind === "array") {
      const arr = t as readonly unknown[];
      if (!Array.isArray(m) || m.length !== arr.length) {
        fail(`expected a boolean or an array of length ${arr.length}`);
      }
      arr.forEach((c, i) => {
        path.push(i);
        go(c, (m as unknown[])[i]);
        path.pop();
      });
      return;
    }
    if (m === null || typeof m !== "object" || Array.isArray(m)) {
      fail("expected a boolean or an object");
    }
    const obj = t as Record<string, unknown>;
    for (const k of sortedKeys(obj)) {
      path.push(k);
      const mk = (m as Record<string, unknown>)[k];
      if (mk === undefined && kindOf(obj[k]) !== "static") fail("the mask has no entry");
      go(obj[k], mk);
      path.pop();
    }
  };
  go(tree, mask);
  return out;
}

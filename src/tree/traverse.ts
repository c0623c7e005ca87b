/**
 * Walking pytrees of the same structure together: `map`, `zip`, `flattenWithPaths` and
 * `structureEqual`, with errors that name the first path where the structures differ.
 *
 * @module
 */
import { Tensor } from "../core/tensor.ts";
import {
  isPlainObject,
  joinPath,
  kindOf,
  quotePath,
  sortedKeys,
  staticToString,
} from "./containers.ts";

function describe(v: unknown): string {
  if (v instanceof Tensor) return `a Tensor ${JSON.stringify(v.shape)} ${v.dtype}`;
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  if (isPlainObject(v)) return `an object with keys [${sortedKeys(v).join(", ")}]`;
  return `static data (${staticToString(v)})`;
}

/** Thrown when trees' structures differ (so structureEqual can tell it from other errors). */
class StructureMismatch extends Error {
  override name = "Error";
}

/**
 * Walks `trees[0]`, checking that every other tree has the same structure, and rebuilds it with
 * each leaf replaced by `onLeaf(corresponding leaves of all trees, path)`. Static data and the
 * container shapes come from `trees[0]`. Throws an Error naming `op` and the first path where
 * the trees differ, or where `trees[0]` contains itself.
 */
function walk(
  op: string,
  trees: readonly unknown[],
  onLeaf: (leaves: Tensor[], path: readonly (string | number)[]) => unknown,
): unknown {
  const path: (string | number)[] = [];
  const ancestors = new Set<unknown>();

  const mismatch = (i: number, expected: unknown, got: unknown): never => {
    let detail = "";
    if (isPlainObject(expected) && isPlainObject(got)) {
      const want = new Set(Object.keys(expected));
      const have = new Set(Object.keys(got));
      const missing = [...want].filter((k) => !have.has(k)).sort();
      const extra = [...have].filter((k) => !want.has(k)).sort();
      const parts = [];
      if (missing.length > 0) parts.push(`missing ${missing.join(", ")}`);
      if (extra.length > 0) parts.push(`extra ${extra.join(", ")}`);
      detail = ` (${parts.join("; ")})`;
    }
    throw new StructureMismatch(
      `${op}: tree ${i} differs from tree 0 at ${quotePath(path)}: expected ${
        describe(expected)
      }, got ${describe(got)}${detail}`,
    );
  };

  const go = (nodes: readonly unknown[]): unknown => {
    const first = nodes[0];
    const kind = kindOf(first);
    for (let i = 1; i < nodes.length; i++) {
      if (kindOf(nodes[i]) !== kind) mismatch(i, first, nodes[i]);
    }
    if (kind === "leaf") return onLeaf(nodes as Tensor[], path);
    if (kind === "static") return first;
    if (ancestors.has(first)) {
      throw new Error(
        `${op}: the tree contains itself at ${quotePath(path)}; pytrees must be acyclic`,
      );
    }
    ancestors.add(first);
    let result: unknown;
    if (kind === "array") {
      const arr = first as readonly unknown[];
      for (let i = 1; i < nodes.length; i++) {
        if ((nodes[i] as readonly unknown[]).length !== arr.length) mismatch(i, first, nodes[i]);
      }
      const out: unknown[] = new Array(arr.length);
      for (let j = 0; j < arr.length; j++) {
        path.push(j);
        out[j] = go(nodes.map((n) => (n as readonly unknown[])[j]));
        path.pop();
      }
      result = out;
    } else {
      const obj = first as Record<string, unknown>;
      const keys = sortedKeys(obj);
      for (let i = 1; i < nodes.length; i++) {
        const other = sortedKeys(nodes[i] as Record<string, unknown>);
        if (other.length !== keys.length || other.some((k, j) => k !== keys[j])) {
          mismatch(i, first, nodes[i]);
        }
      }
      const out: Record<string, unknown> = Object.getPrototypeOf(obj) === null
        ? Object.create(null)
        : {};
      for (const k of keys) {
        path.push(k);
        const v = go(nodes.map((n) => (n as Record<string, unknown>)[k]));
        path.pop();
        Object.defineProperty(out, k, {
          value: v,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      result = out;
    }
    ancestors.delete(first);
    return result;
  };

  return go(trees);
}

/**
 * Applies `fn` to the corresponding leaves of one or more trees of the same structure, like
 * `jax.tree_util.tree_map`. The result has the first tree's structure and static data, with each
 * leaf replaced by `fn(leafOfTree0, leafOfTree1, ...)`.
 *
 * @param fn Maps the leaves at one place in all trees to the new leaf.
 * @param tree The first tree; it gives the result its structure and type.
 * @param rest Further trees of the same structure.
 * @returns A new tree; the inputs are not modified.
 * @throws {Error} Naming the first path where a tree's structure differs from the first tree's.
 *
 * @example
 * ```ts
 * import { mul, sub, tensor, tree } from "@fluxion/fluxion";
 * const params = { w: tensor([1, 2]), b: tensor([0.5]) };
 * const grads = { w: tensor([0.1, 0.1]), b: tensor([1]) };
 * const doubled = tree.map((x) => mul(x, 2), params);
 * const stepped = tree.map((p, g) => sub(p, mul(g, 0.1)), params, grads);
 * ```
 */
export function map<T>(
  fn: (...leaves: Tensor[]) => Tensor,
  tree: T,
  ...rest: NoInfer<T>[]
): T {
  if (typeof fn !== "function") {
    throw new TypeError(`tree.map: the first argument must be a function, got ${typeof fn}`);
  }
  return walk("tree.map", [tree, ...rest], (ls) => fn(...ls)) as T;
}

/**
 * The corresponding leaves of several trees of the same structure, in tree order: element `i`
 * holds leaf `i` of every tree.
 *
 * @param trees Trees of the same structure.
 * @returns One array per leaf position, each with one tensor per tree.
 * @throws {Error} Naming the first path where a tree's structure differs from the first tree's.
 *
 * @example
 * ```ts
 * import { tensor, tree } from "@fluxion/fluxion";
 * const a = { x: tensor([1]), y: tensor([2]) };
 * const b = { x: tensor([3]), y: tensor([4]) };
 * for (const [ai, bi] of tree.zip(a, b)) console.log(ai, bi); // x's pair, then y's
 * ```
 */
export function zip(...trees: readonly unknown[]): Tensor[][] {
  if (trees.length === 0) return [];
  const out: Tensor[][] = [];
  walk("tree.zip", trees, (ls) => out.push(ls));
  return out;
}

/**
 * The leaves of a tree with their paths: keys and indices joined by `.`, like PyTorch
 * `state_dict` names (`"fc1.weight"`, `"layers.0.bias"`); a tensor at the root has path `""`.
 *
 * @param tree Any value.
 * @returns `[path, leaf]` pairs in tree order.
 *
 * @example
 * ```ts
 * import { tensor, tree } from "@fluxion/fluxion";
 * const params = {
 *   fc1: { weight: tensor([[1]]), bias: tensor([0]) },
 *   layers: [{ weight: tensor([1]) }],
 * };
 * console.log(tree.flattenWithPaths(params).map(([p]) => p));
 * // ["fc1.bias", "fc1.weight", "layers.0.weight"]
 * ```
 */
export function flattenWithPaths(tree: unknown): [string, Tensor][] {
  const out: [string, Tensor][] = [];
  walk("tree.flattenWithPaths", [tree], (ls, path) => out.push([joinPath(path), ls[0]]));
  return out;
}

/**
 * Whether two trees have the same structure: the same containers (array lengths, object key
 * sets) with tensors and static data in the same places. Static values and tensor shapes are not
 * compared. `structureEqual(a, b)` is true exactly when `map(f, a, b)` accepts the pair.
 *
 * @param a A tree.
 * @param b Another tree.
 * @returns `true` if the structures match.
 *
 * @example
 * ```ts
 * import { tensor, tree } from "@fluxion/fluxion";
 * console.log(tree.structureEqual({ a: tensor([1]) }, { a: tensor([2, 3]) })); // true
 * console.log(tree.structureEqual({ a: tensor([1]) }, { b: tensor([1]) })); // false
 * ```
 */
export function structureEqual(a: unknown, b: unknown): boolean {
  try {
    walk("tree.structureEqual", [a, b], () => undefined);
    return true;
  } catch (e) {
    if (e instanceof StructureMismatch) return false;
    throw e;
  }
}

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
import { Tensor } from "../core/tensor.ts";

/**
 * A pytree: a tensor, an array of pytrees, a plain object of pytrees, or static data. Every
 * function in this module accepts any value (non-container values other than tensors are static
 * data), so this type is a guide for annotations rather than a requirement.
 *
 * @example
 * ```ts
 * import { tensor, type tree } from "@fluxion/fluxion";
 * const params: tree.PyTree = { layers: [{ weight: tensor([[1]]) }], note: "static", n: 3 };
 * ```
 */
export type PyTree =
  | Tensor
  | readonly PyTree[]
  | { readonly [key: string]: PyTree }
  | number
  | string
  | boolean
  | null
  | undefined;

/**
 * The structure of a pytree with its leaves taken out, as returned by {@linkcode flatten};
 * {@linkcode unflatten} puts leaves back. Static data is part of the definition. The type
 * parameter records the type of the tree it came from, so `unflatten` can return that type.
 *
 * @example
 * ```ts
 * import { tensor, tree } from "@fluxion/fluxion";
 * const [leaves, def] = tree.flatten({ w: tensor([1]), n: 3, xs: [tensor([2])] });
 * console.log(def.numLeaves); // 2
 * console.log(def.toString()); // "{n: 3, w: *, xs: [*]}"
 * ```
 */
export interface TreeDef<T = PyTree> {
  /** The number of tensor leaves the structure holds. */
  readonly numLeaves: number;
  /** The structure as text: `*` for each leaf, static data as written in JS. */
  toString(): string;
}

type Node =
  | { readonly kind: "leaf" }
  | { readonly kind: "static"; readonly value: unknown }
  | { readonly kind: "array"; readonly children: readonly Node[] }
  | {
    readonly kind: "object";
    readonly keys: readonly string[];
    readonly children: readonly Node[];
    readonly nullProto: boolean;
  };

class TreeDefImpl<T> implements TreeDef<T> {
  readonly numLeaves: number;
  readonly node: Node;
  constructor(node: Node, numLeaves: number) {
    this.node = node;
    this.numLeaves = numLeaves;
  }
  toString(): string {
    return nodeToString(this.node);
  }
  [Symbol.for("Deno.customInspect")](): string {
    return `TreeDef(${this.toString()})`;
  }
}

const LEAF: Node = Object.freeze({ kind: "leaf" });

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function sortedKeys(o: Record<string, unknown>): string[] {
  return Object.keys(o).sort();
}

function joinPath(path: readonly (string | number)[]): string {
  return path.join(".");
}

function quotePath(path: readonly (string | number)[]): string {
  return path.length === 0 ? "the root" : `"${joinPath(path)}"`;
}

function staticToString(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "bigint") return `${v}n`;
  if (typeof v === "function") return `<function ${v.name || "anonymous"}>`;
  if (v !== null && typeof v === "object") {
    const name = Object.getPrototypeOf(v)?.constructor?.name;
    return `<${typeof name === "string" && name !== "" ? name : "object"}>`;
  }
  return String(v);
}

function keyToString(k: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k);
}

function nodeToString(node: Node): string {
  switch (node.kind) {
    case "leaf":
      return "*";
    case "static":
      return staticToString(node.value);
    case "array":
      return `[${node.children.map(nodeToString).join(", ")}]`;
    case "object":
      return `{${
        node.keys.map((k, i) => `${keyToString(k)}: ${nodeToString(node.children[i])}`).join(", ")
      }}`;
  }
}

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

type Kind = "leaf" | "array" | "object" | "static";

function kindOf(v: unknown): Kind {
  if (v instanceof Tensor) return "leaf";
  if (Array.isArray(v)) return "array";
  if (isPlainObject(v)) return "object";
  return "static";
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
 * Builds the structure node of `tree`, pushing its leaves onto `leaves` in order.
 */
function build(op: string, tree: unknown, leaves: Tensor[]): Node {
  const path: (string | number)[] = [];
  const ancestors = new Set<unknown>();
  const go = (v: unknown): Node => {
    const kind = kindOf(v);
    if (kind === "leaf") {
      leaves.push(v as Tensor);
      return LEAF;
    }
    if (kind === "static") return { kind: "static", value: v };
    if (ancestors.has(v)) {
      throw new Error(
        `${op}: the tree contains itself at ${quotePath(path)}; pytrees must be acyclic`,
      );
    }
    ancestors.add(v);
    let node: Node;
    if (kind === "array") {
      const arr = v as readonly unknown[];
      const children: Node[] = new Array(arr.length);
      for (let j = 0; j < arr.length; j++) {
        path.push(j);
        children[j] = go(arr[j]);
        path.pop();
      }
      node = { kind: "array", children };
    } else {
      const obj = v as Record<string, unknown>;
      const keys = sortedKeys(obj);
      const children = keys.map((k) => {
        path.push(k);
        const c = go(obj[k]);
        path.pop();
        return c;
      });
      node = { kind: "object", keys, children, nullProto: Object.getPrototypeOf(obj) === null };
    }
    ancestors.delete(v);
    return node;
  };
  return go(tree);
}

/**
 * The tensor leaves of a tree, in tree order (arrays by index, object keys sorted).
 *
 * @param tree Any value; see the module documentation for what counts as a container.
 * @returns The leaves.
 *
 * @example
 * ```ts
 * import { tensor, tree } from "@fluxion/fluxion";
 * const ls = tree.leaves({ b: tensor([2]), a: [tensor([1]), 5] });
 * console.log(ls.length); // 2: a.0 then b
 * ```
 */
export function leaves(tree: unknown): Tensor[] {
  const out: Tensor[] = [];
  build("tree.leaves", tree, out);
  return out;
}

/**
 * Splits a tree into its tensor leaves (in tree order) and its structure.
 *
 * @param tree Any value.
 * @returns The leaves and a {@linkcode TreeDef} that {@linkcode unflatten} can refill.
 *
 * @example
 * ```ts
 * import { tensor, tree } from "@fluxion/fluxion";
 * const [ls, def] = tree.flatten({ w: tensor([1, 2]), b: tensor([0]) });
 * const again = tree.unflatten(def, ls); // { b, w } with the same tensors
 * console.log(def.toString(), again); // "{b: *, w: *}"
 * ```
 */
export function flatten<T>(tree: T): [Tensor[], TreeDef<T>] {
  const out: Tensor[] = [];
  const node = build("tree.flatten", tree, out);
  return [out, new TreeDefImpl<T>(node, out.length)];
}

/**
 * Rebuilds a tree from a structure and leaves in tree order; the inverse of {@linkcode flatten}.
 * Containers are fresh (plain objects get their keys in sorted order); static data is restored.
 *
 * @param def A structure from {@linkcode flatten}.
 * @param leaves Exactly `def.numLeaves` tensors.
 * @returns The tree.
 * @throws {Error} If the number of leaves differs from `def.numLeaves`.
 *
 * @example
 * ```ts
 * import { tensor, tree } from "@fluxion/fluxion";
 * const [, def] = tree.flatten({ a: tensor([1]), b: [tensor([2]), null] });
 * const t = tree.unflatten(def, [tensor([10]), tensor([20])]);
 * console.log(def.toString()); // "{a: *, b: [*, null]}"
 * ```
 */
export function unflatten<T = PyTree>(def: TreeDef<T>, leaves: readonly Tensor[]): T {
  if (!(def instanceof TreeDefImpl)) {
    throw new TypeError("tree.unflatten: def must be a TreeDef returned by tree.flatten");
  }
  if (leaves.length !== def.numLeaves) {
    throw new Error(
      `tree.unflatten: expected ${def.numLeaves} leaves for the structure ${def.toString()}, ` +
        `got ${leaves.length}`,
    );
  }
  let next = 0;
  const go = (node: Node): unknown => {
    switch (node.kind) {
      case "leaf":
        return leaves[next++];
      case "static":
        return node.value;
      case "array":
        return node.children.map(go);
      case "object": {
        const out: Record<string, unknown> = node.nullProto ? Object.create(null) : {};
        node.keys.forEach((k, i) => {
          Object.defineProperty(out, k, {
            value: go(node.children[i]),
            enumerable: true,
            writable: true,
            configurable: true,
          });
        });
        return out;
      }
    }
  };
  return go(def.node) as T;
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

/**
 * The structure of a pytree: the `PyTree` and `TreeDef` types, and `flatten`, `unflatten` and
 * `leaves`, which take a tree apart into its tensor leaves and put it back together.
 *
 * @module
 */
import type { Tensor } from "../core/tensor.ts";
import { kindOf, quotePath, sortedKeys, staticToString } from "./containers.ts";

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

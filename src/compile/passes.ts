/**
 * Graph passes that keep what a graph computes: dead-code elimination, constant folding and
 * common-subexpression elimination. Each returns a new graph with nodes renumbered in execution
 * order.
 *
 * @module
 */
import { bind } from "../autodiff/bind.ts";
import { unscope } from "../core/lifetime.ts";
import type { PrimName } from "../core/primitives.ts";
import { shapeRules } from "../core/shape_rules.ts";
import type { Tensor } from "../core/tensor.ts";
import { Graph, type GraphNode } from "./graph.ts";

/** `g` keeping only the nodes `keep` marks (inputs always stay), renumbered, with uses mapped. */
function rebuild(g: Graph, keep: (n: GraphNode) => boolean, target: (id: number) => number): Graph {
  const newId = new Map<number, number>();
  const nodes: GraphNode[] = [];
  for (const n of g.nodes) {
    if (target(n.id) !== n.id || !(keep(n) || n.op === "input")) continue;
    const id = nodes.length;
    newId.set(n.id, id);
    nodes.push({ ...n, id, inputs: n.inputs.map((i) => newId.get(target(i))!) });
  }
  const map = (i: number) => newId.get(target(i))!;
  return new Graph(nodes, g.inputs.map(map), g.outputs.map(map));
}

/** Parameters as a key: JSON, with NaN, the infinities and -0 kept apart. */
function paramsKey(params: unknown): string {
  return JSON.stringify(
    params,
    (_k, v) =>
      typeof v === "number" && (!Number.isFinite(v) || Object.is(v, -0))
        ? `#${v === 0 ? "-0" : v}`
        : v,
  ) ?? "";
}

/** `g` without the ops no output depends on. */
export function eliminateDeadCode(g: Graph): Graph {
  const live = new Set<number>(g.outputs);
  for (let i = g.nodes.length - 1; i >= 0; i--) {
    if (live.has(i)) { for (const j of g.nodes[i].inputs) live.add(j); }
  }
  return rebuild(g, (n) => live.has(n.id), (id) => id);
}

/**
 * `g` with repeated computations merged: an op with the same name, parameters and inputs as an
 * earlier one (all ops are pure; random samples depend only on their key) is replaced by it;
 * constants merge when they are the same tensor.
 */
export function eliminateCommonSubexpressions(g: Graph): Graph {
  const canonical = new Map<number, number>();
  const seen = new Map<string, number>();
  const constIds = new Map<unknown, number>();
  const target = (id: number) => canonical.get(id) ?? id;
  for (const n of g.nodes) {
    if (n.op === "input" || n.op === "keyInput") continue;
    let first: number | undefined;
    if (n.op === "const") {
      first = constIds.get(n.value);
      if (first === undefined) constIds.set(n.value, n.id);
    } else {
      const key = `${n.op}|${paramsKey(n.params)}|${n.inputs.map(target).join(",")}|` +
        `${n.dtype}[${n.shape.join(",")}]`;
      first = seen.get(key);
      if (first === undefined) seen.set(key, n.id);
    }
    if (first !== undefined) canonical.set(n.id, first);
  }
  return rebuild(g, () => true, target);
}

/**
 * `g` with every primitive whose inputs are all constants computed once, now, and kept as a
 * constant (a number turned into a tensor and then negated, say), so replay does not redo it.
 */
export function foldConstants(g: Graph): Graph {
  const nodes: GraphNode[] = [];
  for (const n of g.nodes) {
    const ins = n.inputs.map((i) => nodes[i]);
    if (
      !Object.hasOwn(shapeRules, n.op) || ins.length === 0 || !ins.every((x) => x.op === "const")
    ) {
      nodes.push(n);
      continue;
    }
    const value: Tensor = bind(n.op as PrimName, ins.map((x) => x.value!), n.params as never);
    unscope(value);
    nodes.push({ ...n, op: "const", params: null, inputs: [], value });
  }
  return eliminateDeadCode(new Graph(nodes, g.inputs, g.outputs));
}

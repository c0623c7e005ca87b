/**
 * Epilogue fusion: an elementwise op or fused pass that reads the result of a matmul or conv2d
 * (bias + activation, a ReLU's gradient mask) is applied inside the product's kernel as each
 * result is stored (`Backend.fused.epilogue`), so the product's output never makes a round trip
 * through memory. Runs after elementwise fusion; the product must have no other use.
 *
 * @module
 */
import type { ElementwiseProgram, FusedDType } from "../backend/backend.ts";
import type { PrimParams } from "../core/primitives.ts";
import { isBinaryPrim, isUnaryPrim } from "../core/primitives.ts";
import { shapesEqual } from "../core/shape.ts";
import type { FusedParams } from "./fusion.ts";
import { Graph, type GraphNode } from "./graph.ts";

/** The parameters of an `epilogue` node: the product and the program applied to its results. */
export interface EpilogueParams {
  /** The product's primitive. */
  readonly prim: "matmul" | "conv2d";
  /** Its parameters. */
  readonly primParams: PrimParams["matmul" | "conv2d"];
  /** How many of the node's inputs are the product's (the rest are the program's). */
  readonly primInputs: number;
  /** The program (and its members, to run as primitives where a backend does not fuse it). */
  readonly tail: FusedParams;
  /** The program's input that is the product. */
  readonly acc: number;
}

const PRODUCTS = new Set(["matmul", "conv2d"]);

/** A one-step program (and members) for elementwise primitive `x`. */
function single(x: GraphNode, g: Graph): FusedParams | undefined {
  const op = x.op;
  const ok = isUnaryPrim(op) || isBinaryPrim(op) || op === "where" || op === "cast";
  if (!ok || x.dtype !== "float32" || new Set(x.inputs).size !== x.inputs.length) return undefined;
  const dtypes = x.inputs.map((i) => g.nodes[i].dtype);
  if (!dtypes.every((d) => d === "float32" || d === "bool")) return undefined;
  const ids = x.inputs.map((_, k) => -1 - k);
  const program: ElementwiseProgram = {
    inputs: dtypes as FusedDType[],
    steps: [{ op: op as never, args: ids.map((_, k) => k), dtype: "float32" }],
    outputs: [ids.length],
  };
  const member: GraphNode = { ...x, id: -100, inputs: ids };
  return { program, members: [member], inputIds: ids, outputIds: [-100], constants: [] };
}

/** `g` with each product whose only reader is an elementwise pass fused with it. */
export function fuseEpilogues(g: Graph): Graph {
  const uses = new Map<number, number>();
  for (const n of g.nodes) for (const i of n.inputs) uses.set(i, (uses.get(i) ?? 0) + 1);
  for (const o of g.outputs) uses.set(o, (uses.get(o) ?? 0) + 1);
  const absorbed = new Set<number>();
  const replaced = new Map<number, GraphNode>();
  for (const x of g.nodes) {
    const tail = x.op === "fused"
      ? (x.params as FusedParams).outputIds.length === 1 ? x.params as FusedParams : undefined
      : single(x, g);
    if (tail === undefined || x.dtype !== "float32") continue;
    const acc = x.inputs.findIndex((i) => {
      const m = g.nodes[i];
      return PRODUCTS.has(m.op) && m.dtype === "float32" && uses.get(i) === 1 &&
        shapesEqual(m.shape, x.shape);
    });
    if (acc < 0) continue;
    const m = g.nodes[x.inputs[acc]];
    const params: EpilogueParams = {
      prim: m.op as "matmul" | "conv2d",
      primParams: m.params as PrimParams["matmul" | "conv2d"],
      primInputs: m.inputs.length,
      tail,
      acc,
    };
    absorbed.add(m.id);
    replaced.set(x.id, {
      ...x,
      op: "epilogue",
      params,
      inputs: [...m.inputs, ...x.inputs.filter((_, k) => k !== acc)],
    });
  }
  const nodes: GraphNode[] = [];
  const newId = new Map<number, number>();
  for (const n of g.nodes) {
    if (absorbed.has(n.id)) continue;
    const node = replaced.get(n.id) ?? n;
    newId.set(n.id, nodes.length);
    nodes.push({ ...node, id: nodes.length, inputs: node.inputs.map((i) => newId.get(i)!) });
  }
  const map = (i: number) => newId.get(i)!;
  return new Graph(nodes, g.inputs.map(map), g.outputs.map(map));
}

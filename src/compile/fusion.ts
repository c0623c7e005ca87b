/**
 * Elementwise fusion: chains of elementwise primitives (unary math, broadcasting arithmetic,
 * comparisons, `where`, casts to float32) become one `fused` node that a backend runs in one pass
 * (`Backend.fused.elementwise`: generated WGSL on WebGPU, a generated loop on the CPU). Scalar
 * constants known on the host become literals in the program instead of inputs.
 *
 * A producer joins its consumers' group when every use of it is in that group and its shape is
 * the group's (so nothing outside needs it, and no cycle can form through another node); a
 * member that is also a graph output is written out as well. Groups respect the binding limit:
 * at most the backend's `fused.maxBuffers` buffers (inputs and outputs; 8 unless it says more)
 * and 4 broadcast inputs per pass.
 *
 * @module
 */
import type { ElementwiseProgram, ElementwiseStep, FusedDType } from "../backend/backend.ts";
import { isBinaryPrim, isComparePrim, isUnaryPrim } from "../core/primitives.ts";
import { shapesEqual, sizeOf } from "../core/shape.ts";
import { hostScalar } from "../core/trace_hooks.ts";
import type { Tensor } from "../core/tensor.ts";
import { Graph, type GraphNode } from "./graph.ts";

/** Buffers (inputs plus outputs) per fused pass when a backend does not say: WebGPU's default. */
export const MAX_BUFFERS = 8;
/** At most this many inputs that broadcast (WebGPU's fused kernel has strides for four). */
export const MAX_BROADCAST = 4;

/** The parameters of a `fused` node: the program and the ids its outputs had before fusion. */
export interface FusedParams {
  /** The program. */
  readonly program: ElementwiseProgram;
  /** The member nodes, as they were (to run as primitives where a backend does not fuse). */
  readonly members: readonly GraphNode[];
  /** The pre-fusion ids of the program's inputs. */
  readonly inputIds: readonly number[];
  /** The pre-fusion ids of the program's outputs. */
  readonly outputIds: readonly number[];
  /** The constants the program holds as literals, by pre-fusion id. */
  readonly constants: readonly (readonly [number, Tensor])[];
}

const FUSED_DTYPES = new Set(["float32", "bool"]);

/** Whether `n` is an elementwise op that fusion handles. */
function elementwise(n: GraphNode, g: Graph): boolean {
  const op = n.op;
  // Arithmetic in float32 only; comparisons and where may read bools.
  const kind = ((isUnaryPrim(op) || isBinaryPrim(op)) && n.dtype === "float32") ||
    isComparePrim(op) || op === "where" || (op === "cast" && n.dtype === "float32");
  return kind && FUSED_DTYPES.has(n.dtype) &&
    n.inputs.every((i) => FUSED_DTYPES.has(g.nodes[i].dtype));
}

/** A scalar float32 constant's value, when known on the host (then it becomes a literal). */
export function literalValue(n: GraphNode): number | undefined {
  if (n.op !== "const" || n.dtype !== "float32" || sizeOf(n.shape) !== 1) return undefined;
  const t = n.value!;
  const known = hostScalar(t);
  if (known !== undefined) return known;
  return t.backend.readSync(t.storage, t.dtype, t.shape)?.[0];
}

interface Group {
  readonly shape: readonly number[];
  readonly members: Set<number>;
}

/**
 * The external inputs and the outputs of a group's members. With `ahead`, a direct producer
 * that will join the group when its turn comes (elementwise, the group's shape, used only inside
 * it) is counted by its own inputs instead, so a chain is not cut short by producers not yet
 * visited (the new moments of an Adam update, say).
 */
function boundary(
  g: Graph,
  members: ReadonlySet<number>,
  root: number,
  isOutput: ReadonlySet<number>,
  ahead?: (id: number) => boolean,
) {
  const inputs: number[] = [];
  const within = new Set(members);
  const visit = (m: number, depth: number) => {
    for (const i of g.nodes[m].inputs) {
      if (within.has(i) || inputs.includes(i) || literalValue(g.nodes[i]) !== undefined) continue;
      if (depth === 0 && ahead?.(i) && users(g, i).every((u) => within.has(u))) {
        within.add(i);
        visit(i, 1);
      } else inputs.push(i);
    }
  };
  for (const m of [...members].sort((a, b) => a - b)) visit(m, 0);
  const outputs = [root, ...[...members].filter((m) => m !== root && isOutput.has(m)).sort()];
  return { inputs, outputs };
}

const userCache = new WeakMap<Graph, Map<number, number[]>>();

/** The nodes that read node `id`. */
function users(g: Graph, id: number): readonly number[] {
  let map = userCache.get(g);
  if (map === undefined) {
    map = new Map();
    for (const n of g.nodes) for (const i of n.inputs) map.set(i, [...(map.get(i) ?? []), n.id]);
    userCache.set(g, map);
  }
  return map.get(id) ?? [];
}

/** Whether a group with these inputs and outputs fits one pass of at most `maxBuffers`. */
function fits(
  g: Graph,
  shape: readonly number[],
  inputs: number[],
  outputs: number[],
  maxBuffers: number,
): boolean {
  const broadcast = inputs.filter((i) => {
    const s = g.nodes[i].shape;
    return !shapesEqual(s, shape) && sizeOf(s) !== 1;
  });
  return inputs.length > 0 && inputs.length + outputs.length <= maxBuffers &&
    broadcast.length <= MAX_BROADCAST;
}

/** The program computing group `members` from `inputs` into `outputs`. */
function program(
  g: Graph,
  members: readonly number[],
  inputs: readonly number[],
  outputs: readonly number[],
): ElementwiseProgram {
  const index = new Map<number, number>();
  inputs.forEach((id, k) => index.set(id, k));
  const steps: ElementwiseStep[] = [];
  const valueOf = (id: number): number => {
    const known = index.get(id);
    if (known !== undefined) return known;
    const v = literalValue(g.nodes[id])!;
    steps.push({ op: "literal", args: [], dtype: "float32", value: v });
    const k = inputs.length + steps.length - 1;
    index.set(id, k);
    return k;
  };
  for (const m of members) {
    const n = g.nodes[m];
    const args = n.inputs.map(valueOf);
    steps.push({ op: n.op as ElementwiseStep["op"], args, dtype: n.dtype as FusedDType });
    index.set(m, inputs.length + steps.length - 1);
  }
  return {
    inputs: inputs.map((i) => g.nodes[i].dtype as FusedDType),
    steps,
    outputs: outputs.map((o) => index.get(o)!),
  };
}

/**
 * `g` with its elementwise chains fused: each group of two or more elementwise ops becomes a
 * `fused` node (its first output) followed by `fusedOutput` nodes for any further outputs.
 */
export function fuseElementwise(g: Graph, maxBuffers: number = MAX_BUFFERS): Graph {
  const isOutput = new Set(g.outputs);
  const groupOf = new Map<number, Group>();
  const roots = new Map<Group, number>();
  for (let id = g.nodes.length - 1; id >= 0; id--) {
    const n = g.nodes[id];
    if (!elementwise(n, g)) continue;
    const us = users(g, id);
    const target = us.length > 0 ? groupOf.get(us[0]) : undefined;
    if (
      target !== undefined && us.every((u) => groupOf.get(u) === target) &&
      shapesEqual(n.shape, target.shape)
    ) {
      const members = new Set([...target.members, id]);
      const ahead = (i: number) =>
        elementwise(g.nodes[i], g) && shapesEqual(g.nodes[i].shape, n.shape);
      const { inputs, outputs } = boundary(g, members, roots.get(target)!, isOutput, ahead);
      if (fits(g, target.shape, inputs, outputs, maxBuffers)) {
        target.members.add(id);
        groupOf.set(id, target);
        continue;
      }
    }
    const fresh: Group = { shape: n.shape, members: new Set([id]) };
    groupOf.set(id, fresh);
    roots.set(fresh, id);
  }
  const checked = new Map<Group, boolean>();
  const groupFits = (group: Group): boolean => {
    let ok = checked.get(group);
    if (ok === undefined) {
      const { inputs, outputs } = boundary(g, group.members, roots.get(group)!, isOutput);
      ok = fits(g, group.shape, inputs, outputs, maxBuffers);
      checked.set(group, ok);
    }
    return ok;
  };
  // Rebuild: a group's node goes where its root was (every input comes earlier).
  const nodes: GraphNode[] = [];
  const newId = new Map<number, number>();
  const map = (i: number) => newId.get(i)!;
  for (const n of g.nodes) {
    const group = groupOf.get(n.id);
    if (group !== undefined && !groupFits(group)) {
      // A producer counted ahead did not join after all: run the group as primitives.
      for (const m of group.members) groupOf.delete(m);
    }
    const current = groupOf.get(n.id);
    if (current === undefined || current.members.size < 2) {
      newId.set(n.id, nodes.length);
      nodes.push({ ...n, id: nodes.length, inputs: n.inputs.map(map) });
      continue;
    }
    if (roots.get(current) !== n.id) continue;
    const members = [...current.members].sort((a, b) => a - b);
    const { inputs, outputs } = boundary(g, current.members, n.id, isOutput);
    const params: FusedParams = {
      program: program(g, members, inputs, outputs),
      members: members.map((m) => g.nodes[m]),
      inputIds: inputs,
      outputIds: outputs,
      constants: members.flatMap((m) => g.nodes[m].inputs)
        .filter((i) => !current.members.has(i) && !inputs.includes(i))
        .map((i) => [i, g.nodes[i].value!] as const),
    };
    const fusedId = nodes.length;
    nodes.push({ ...n, id: fusedId, op: "fused", params, inputs: inputs.map(map) });
    newId.set(n.id, fusedId);
    outputs.slice(1).forEach((o, k) => {
      newId.set(o, nodes.length);
      const out = g.nodes[o];
      nodes.push({
        id: nodes.length,
        op: "fusedOutput",
        params: { index: k + 1 },
        inputs: [fusedId],
        shape: out.shape,
        dtype: out.dtype,
      });
    });
  }
  return new Graph(nodes, g.inputs.map(map), g.outputs.map(map));
}

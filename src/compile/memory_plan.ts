/**
 * The static memory plan of a compiled graph: when each value's buffer is released (right after
 * its last use, never during the dispatch that reads it), and how buffers are reused by liveness:
 * values whose lifetimes do not overlap share a buffer slot of their size. Replay releases each
 * buffer where the plan says, and the backend's pool hands it to the next allocation of that
 * size, so the plan's peak is what replay needs at most (plus the arguments and constants).
 *
 * @module
 */
import { sizeOf } from "../core/shape.ts";
import type { DType } from "../core/dtype.ts";
import type { Graph, GraphNode } from "./graph.ts";

const BYTES: Record<DType, number> = { float32: 4, float64: 8, int32: 4, bool: 1 };

/** Ops whose value shares its input's buffer (no allocation). */
const ALIASES = new Set(["reshape", "stopGradient", "customVjp", "fusedOutput"]);
/** Nodes that are not computed by the plan (arguments, constants, random keys). */
const SOURCES = new Set(["input", "const", "keyInput", "keyConst", "keySplit", "keyFoldIn"]);

/** A compiled graph's memory plan (see the module doc). */
export interface MemoryPlan {
  /** For each node, the nodes whose last use it is (released after it runs). */
  readonly frees: readonly (readonly number[])[];
  /** Buffer slots after reuse by liveness. */
  readonly slots: number;
  /** Bytes of those slots: the most the intermediates and outputs take at once. */
  readonly peakBytes: number;
  /** Bytes of all values the graph computes, had none been reused. */
  readonly totalBytes: number;
}

/** Whether node `n` gets a buffer of its own. */
function allocates(n: GraphNode): boolean {
  return !SOURCES.has(n.op) && !ALIASES.has(n.op);
}

/** The memory plan of `g` (see `MemoryPlan`). */
export function planMemory(g: Graph): MemoryPlan {
  const last = new Array<number>(g.nodes.length).fill(-1);
  for (const n of g.nodes) for (const i of n.inputs) last[i] = n.id;
  const outputs = new Set(g.outputs);
  // An alias keeps its source alive: a source's buffer lives until its aliases' last use.
  const root = g.nodes.map((n) => n.id);
  for (const n of g.nodes) if (ALIASES.has(n.op)) root[n.id] = root[n.inputs[0]];
  const end = new Array<number>(g.nodes.length).fill(-1);
  for (const n of g.nodes) {
    const r = root[n.id];
    const until = outputs.has(n.id) ? Infinity : Math.max(last[n.id], n.id);
    end[r] = Math.max(end[r], until);
  }
  const frees: number[][] = g.nodes.map(() => []);
  for (const n of g.nodes) {
    if (SOURCES.has(n.op) || outputs.has(n.id)) continue;
    frees[Math.max(last[n.id], n.id)].push(n.id);
  }
  // Greedy slot assignment in execution order: a slot frees after its value's last use.
  const free: number[] = [];
  const slotBytes: number[] = [];
  const releasing: [number, number][] = [];
  let totalBytes = 0;
  for (const n of g.nodes) {
    if (allocates(n)) {
      const bytes = sizeOf(n.shape) * BYTES[n.dtype];
      totalBytes += bytes;
      const k = free.findIndex((s) => slotBytes[s] === bytes);
      const slot = k >= 0 ? free.splice(k, 1)[0] : slotBytes.push(bytes) - 1;
      if (end[n.id] !== Infinity) releasing.push([end[n.id], slot]);
    }
    for (let i = releasing.length - 1; i >= 0; i--) {
      if (releasing[i][0] <= n.id) free.push(releasing.splice(i, 1)[0][1]);
    }
  }
  return {
    frees,
    slots: slotBytes.length,
    peakBytes: slotBytes.reduce((a, b) => a + b, 0),
    totalBytes,
  };
}

/**
 * Replay of a planned graph without per-op bookkeeping: each node calls its backend's kernel on
 * storage directly (shapes and dtypes were checked when the graph was traced), fused nodes run
 * as one pass, and every buffer is released right after its last use (see `planMemory`). Only the
 * outputs become tensors. Used when no gradient tape records and no trace runs; otherwise replay
 * goes through the primitives so tapes see every op.
 *
 * @module
 */
import type { Backend, BackendInput } from "../backend/backend.ts";
import { type BackendName, resolveBackend } from "../backend/registry.ts";
import type { PrimName } from "../core/primitives.ts";
import { disposedError, isDisposed } from "../core/lifetime.ts";
import { Tensor } from "../core/tensor.ts";
import { foldIn, Key, split } from "../random/random.ts";
import type { EpilogueParams } from "./epilogue.ts";
import type { FusedParams } from "./fusion.ts";
import type { Graph, GraphNode } from "./graph.ts";
import type { MemoryPlan } from "./memory_plan.ts";

/** A value during replay: storage with its shape and dtype, or a random key. */
type Value = BackendInput | Key;

/** The backend each node runs on, from its inputs (random samples name theirs). */
export function nodeBackends(g: Graph, leaves: readonly (Tensor | Key)[]): (Backend | undefined)[] {
  const out: (Backend | undefined)[] = new Array(g.nodes.length);
  g.inputs.forEach((id, k) => {
    const v = leaves[k];
    if (v instanceof Tensor) out[id] = v.backend;
  });
  for (const n of g.nodes) {
    if (n.op === "const") out[n.id] = n.value!.backend;
    else if (n.op === "randomUniform") {
      out[n.id] = resolveBackend(
        "compile",
        (n.params as { backend: string }).backend as BackendName,
      );
    } else if (out[n.id] === undefined) out[n.id] = n.inputs.map((i) => out[i]).find((b) => b);
  }
  return out;
}

/**
 * Runs a fused node's members as primitives (for backends that do not fuse this program), each
 * intermediate released after its last use.
 */
function runMembers(b: Backend, p: FusedParams, ins: readonly BackendInput[]): unknown[] {
  const local = new Map<number, BackendInput>();
  p.inputIds.forEach((id, k) => local.set(id, ins[k]));
  for (const [id, t] of p.constants) local.set(id, t);
  const last = new Map<number, number>();
  p.members.forEach((m, k) => m.inputs.forEach((i) => last.set(i, k)));
  const keep = new Set(p.outputIds);
  const pinned = new Set([...ins.map((x) => x.storage), ...p.constants.map(([, t]) => t.storage)]);
  p.members.forEach((m, k) => {
    const storage = b.run(
      m.op as PrimName,
      m.inputs.map((i) => local.get(i)!),
      m.params as never,
      m,
    );
    local.set(m.id, { storage, shape: m.shape, dtype: m.dtype });
    for (const i of new Set(m.inputs)) {
      // Members' own values only (inputs and constants belong to the graph), and only storage
      // no other value holds (a same-dtype cast may share its input's).
      if (last.get(i) !== k || keep.has(i) || !p.members.some((x) => x.id === i)) continue;
      const s = local.get(i)!.storage;
      if (pinned.has(s)) continue;
      let holders = 0;
      for (const [id, v] of local) {
        if (v.storage === s && (keep.has(id) || last.get(id)! > k || id === m.id)) holders++;
      }
      if (holders === 0) b.release?.(s);
    }
  });
  return p.outputIds.map((id) => local.get(id)!.storage);
}

/**
 * Runs `g` on the argument leaves `leaves` under memory plan `plan`, on the backends
 * `backends` (see `nodeBackends`); returns the output leaves.
 */
export function execute(
  g: Graph,
  plan: MemoryPlan,
  backends: readonly (Backend | undefined)[],
  leaves: readonly (Tensor | Key)[],
): (Tensor | Key)[] {
  const values: Value[] = new Array(g.nodes.length);
  // Storage this call made, with the number of values holding it and its backend.
  const holders = new Map<unknown, { count: number; backend: Backend }>();
  const pinned = new Set<unknown>();
  const extras = new Map<number, unknown[]>();
  const hold = (id: number, v: BackendInput) => {
    values[id] = v;
    const h = holders.get(v.storage);
    if (h !== undefined) h.count++;
    else holders.set(v.storage, { count: 1, backend: backends[id]! });
  };
  const drop = (id: number) => {
    const v = values[id];
    if (v === undefined || v instanceof Key) return;
    const h = holders.get(v.storage);
    if (h === undefined || --h.count > 0) return;
    holders.delete(v.storage);
    if (!pinned.has(v.storage)) h.backend.release?.(v.storage);
  };
  g.inputs.forEach((id, k) => {
    const v = leaves[k];
    if (v instanceof Tensor) {
      if (isDisposed(v)) throw disposedError("compile", v);
      pinned.add(v.storage);
    }
    values[id] = v;
  });
  const nodes = g.nodes;
  try {
    run();
  } catch (e) {
    // A kernel failed: release what this call made, then report.
    for (const [storage, h] of holders) if (!pinned.has(storage)) h.backend.release?.(storage);
    throw e;
  }
  function run(): void {
    for (let id = 0; id < nodes.length; id++) {
      const n: GraphNode = nodes[id];
      const at = (i: number) => values[i];
      switch (n.op) {
        case "input":
        case "keyInput":
          break;
        case "const":
          if (isDisposed(n.value!)) {
            throw new Error(
              `compile: a ${n.value!.dtype} tensor [${
                n.value!.shape.join(", ")
              }] that the compiled ` +
                "function reads from outside its arguments (a constant of its trace) was disposed",
            );
          }
          pinned.add(n.value!.storage);
          values[id] = n.value!;
          break;
        case "keyConst":
          values[id] = n.key as Key;
          break;
        case "keySplit": {
          const p = n.params as { n: number; i: number };
          values[id] = split(at(n.inputs[0]) as Key, p.n)[p.i];
          break;
        }
        case "keyFoldIn":
          values[id] = foldIn(at(n.inputs[0]) as Key, (n.params as { data: number }).data);
          break;
        case "randomUniform": {
          const storage = backends[id]!.randomUniform(
            (at(n.inputs[0]) as Key).words,
            n.shape,
            n.dtype,
          );
          hold(id, { storage, shape: n.shape, dtype: n.dtype });
          break;
        }
        case "stopGradient":
        case "customVjp":
          hold(id, { ...(at(n.inputs[0]) as BackendInput), shape: n.shape, dtype: n.dtype });
          break;
        case "fused": {
          const b = backends[id]!;
          const p = n.params as FusedParams;
          const ins = n.inputs.map(at) as BackendInput[];
          const outs = b.fused?.elementwise?.(p.program, ins, n.shape) ?? runMembers(b, p, ins);
          extras.set(id, outs);
          hold(id, { storage: outs[0], shape: n.shape, dtype: n.dtype });
          // Held from here, so that a later failure releases them too.
          for (const o of outs.slice(1)) {
            if (!holders.has(o)) holders.set(o, { count: 0, backend: b });
          }
          break;
        }
        case "epilogue": {
          const b = backends[id]!;
          const p = n.params as EpilogueParams;
          const ins = n.inputs.map(at) as BackendInput[];
          const product = ins.slice(0, p.primInputs), extras = ins.slice(p.primInputs);
          const out = { shape: n.shape, dtype: "float32" as const };
          let storage = b.fused?.epilogue?.(
            p.prim,
            product,
            p.primParams,
            out,
            p.tail.program,
            p.acc,
            extras,
          );
          if (storage === undefined) {
            const acc = { ...out, storage: b.run(p.prim, product, p.primParams as never, out) };
            const tailIns = [...extras.slice(0, p.acc), acc, ...extras.slice(p.acc)];
            try {
              const outs = b.fused?.elementwise?.(p.tail.program, tailIns, n.shape) ??
                runMembers(b, p.tail, tailIns);
              storage = outs[0];
            } finally {
              b.release?.(acc.storage);
            }
          }
          hold(id, { storage, shape: n.shape, dtype: n.dtype });
          break;
        }
        case "fusedOutput": {
          const outs = extras.get(n.inputs[0])!;
          const storage = outs[(n.params as { index: number }).index];
          hold(id, { storage, shape: n.shape, dtype: n.dtype });
          break;
        }
        default: {
          const ins = n.inputs.map(at) as BackendInput[];
          const storage = backends[id]!.run(n.op as PrimName, ins, n.params as never, n);
          hold(id, { storage, shape: n.shape, dtype: n.dtype });
        }
      }
      for (const d of plan.frees[id]) drop(d);
    }
  }
  return g.outputs.map((id) => {
    const v = values[id];
    if (v instanceof Key || (v instanceof Tensor && nodes[id].op === "input")) return v;
    // A constant (kept by the graph) is returned as a new tensor sharing its storage.
    return new Tensor(backends[id]!, v.storage, v.shape, v.dtype);
  });
}

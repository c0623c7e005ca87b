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

/** One replay's state: each node's value, and the storage the replay made and who holds it. */
class Replay {
  readonly values: Value[];
  /** Storage this call made, with the number of values holding it and its backend. */
  readonly holders = new Map<unknown, { count: number; backend: Backend }>();
  /** Storage of arguments and constants: never released here. */
  readonly pinned = new Set<unknown>();
  /** The further outputs of fused nodes, by node. */
  readonly extras = new Map<number, unknown[]>();

  constructor(readonly g: Graph, readonly backends: readonly (Backend | undefined)[]) {
    this.values = new Array(g.nodes.length);
  }

  /** The value of node `i`. */
  at(i: number): Value {
    return this.values[i];
  }

  /** Node `id`'s value is storage `storage` (made by this call, or an alias of such). */
  hold(id: number, storage: unknown): void {
    const n = this.g.nodes[id];
    this.values[id] = { storage, shape: n.shape, dtype: n.dtype };
    const h = this.holders.get(storage);
    if (h !== undefined) h.count++;
    else this.holders.set(storage, { count: 1, backend: this.backends[id]! });
  }

  /** Node `id`'s value is no longer needed: its storage goes when nothing else holds it. */
  drop(id: number): void {
    const v = this.values[id];
    if (v === undefined || v instanceof Key) return;
    const h = this.holders.get(v.storage);
    if (h === undefined || --h.count > 0) return;
    this.holders.delete(v.storage);
    if (!this.pinned.has(v.storage)) h.backend.release?.(v.storage);
  }

  /** Releases everything this call made (after a failure). */
  releaseAll(): void {
    for (const [storage, h] of this.holders) {
      if (!this.pinned.has(storage)) h.backend.release?.(storage);
    }
  }

  /** The values of node `n`'s inputs, as backend inputs. */
  inputs(n: GraphNode): BackendInput[] {
    return n.inputs.map((i) => this.values[i]) as BackendInput[];
  }
}

/** Runs node `n` (id `n.id`) of a replay. */
type Runner = (r: Replay, n: GraphNode) => void;

/** A product with its fused epilogue, or the product and then the program where not fused. */
const runEpilogue: Runner = (r, n) => {
  const b = r.backends[n.id]!;
  const p = n.params as EpilogueParams;
  const ins = r.inputs(n);
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
  r.hold(n.id, storage);
};

/** How each kind of node runs; primitives (every other op) call their backend's kernel. */
const RUNNERS: Record<string, Runner> = {
  input: () => {},
  keyInput: () => {},
  const: (r, n) => {
    const t = n.value!;
    if (isDisposed(t)) {
      throw new Error(
        `compile: a ${t.dtype} tensor [${t.shape.join(", ")}] that the compiled function reads ` +
          "from outside its arguments (a constant of its trace) was disposed",
      );
    }
    r.pinned.add(t.storage);
    r.values[n.id] = t;
  },
  keyConst: (r, n) => void (r.values[n.id] = n.key as Key),
  keySplit: (r, n) => {
    const p = n.params as { n: number; i: number };
    r.values[n.id] = split(r.at(n.inputs[0]) as Key, p.n)[p.i];
  },
  keyFoldIn: (r, n) => {
    r.values[n.id] = foldIn(r.at(n.inputs[0]) as Key, (n.params as { data: number }).data);
  },
  randomUniform: (r, n) => {
    const key = r.at(n.inputs[0]) as Key;
    r.hold(n.id, r.backends[n.id]!.randomUniform(key.words, n.shape, n.dtype));
  },
  stopGradient: (r, n) => r.hold(n.id, (r.at(n.inputs[0]) as BackendInput).storage),
  customVjp: (r, n) => r.hold(n.id, (r.at(n.inputs[0]) as BackendInput).storage),
  fused: (r, n) => {
    const b = r.backends[n.id]!;
    const p = n.params as FusedParams;
    const ins = r.inputs(n);
    const outs = b.fused?.elementwise?.(p.program, ins, n.shape) ?? runMembers(b, p, ins);
    r.extras.set(n.id, outs);
    r.hold(n.id, outs[0]);
    // Held from here, so that a later failure releases them too.
    for (const o of outs.slice(1)) {
      if (!r.holders.has(o)) r.holders.set(o, { count: 0, backend: b });
    }
  },
  fusedOutput: (r, n) => {
    r.hold(n.id, r.extras.get(n.inputs[0])![(n.params as { index: number }).index]);
  },
  epilogue: runEpilogue,
};

/** A primitive: its backend's kernel on the inputs' storage. */
const runPrimitive: Runner = (r, n) => {
  r.hold(n.id, r.backends[n.id]!.run(n.op as PrimName, r.inputs(n), n.params as never, n));
};

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
  const r = new Replay(g, backends);
  g.inputs.forEach((id, k) => {
    const v = leaves[k];
    if (v instanceof Tensor) {
      if (isDisposed(v)) throw disposedError("compile", v);
      r.pinned.add(v.storage);
    }
    r.values[id] = v;
  });
  const nodes = g.nodes;
  try {
    for (const n of nodes) {
      (RUNNERS[n.op] ?? runPrimitive)(r, n);
      for (const d of plan.frees[n.id]) r.drop(d);
    }
  } catch (e) {
    // A kernel failed: release what this call made, then report.
    r.releaseAll();
    throw e;
  }
  return g.outputs.map((id) => {
    const v = r.values[id];
    if (v instanceof Key || (v instanceof Tensor && nodes[id].op === "input")) return v;
    // A constant (kept by the graph) is returned as a new tensor sharing its storage.
    return new Tensor(backends[id]!, v.storage, v.shape, v.dtype);
  });
}

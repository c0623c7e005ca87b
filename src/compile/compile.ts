/**
 * `compile(f)`: traces `f` once for each distinct signature of its arguments (the structure of
 * the argument trees, each tensor's shape, dtype and backend, and the values of plain numbers,
 * strings and booleans), simplifies the graph (dead code, common subexpressions) and replays it
 * on later calls. Replay runs the planned primitives directly, without `f`'s own JavaScript
 * (model code, tree walks); random samples follow the keys passed in, so a compiled dropout step
 * draws new masks every call.
 *
 * @module
 */
import { bind } from "../autodiff/bind.ts";
import type { PrimName } from "../core/primitives.ts";
import type { BackendName } from "../backend/registry.ts";
import { Tensor } from "../core/tensor.ts";
import { stopGradient } from "../ops/stop_gradient.ts";
import { foldIn, Key, split, uniform } from "../random/random.ts";
import * as tree from "../tree/tree.ts";
import type { Graph } from "./graph.ts";
import { eliminateCommonSubexpressions, eliminateDeadCode, foldConstants } from "./passes.ts";
import { fuseElementwise, MAX_BUFFERS } from "./fusion.ts";
import { fuseEpilogues } from "./epilogue.ts";
import { execute, nodeBackends } from "./execute.ts";
import { type MemoryPlan, planMemory } from "./memory_plan.ts";
import { recording } from "../autodiff/tape.ts";
import { traceObserver } from "../core/trace_hooks.ts";
import { inScope, withScope } from "../core/lifetime.ts";
import type { Backend } from "../backend/backend.ts";
import { tensorLeaves, trace } from "./trace.ts";

/**
 * The signature of a call: what a trace depends on besides tensor values and keys (the tree
 * structure, each tensor's backend, dtype and shape, and plain values).
 */
function signature(value: unknown): string {
  if (value instanceof Tensor) return `T:${value.backend.name}:${value.dtype}[${value.shape}]`;
  if (value instanceof Key) return "K";
  if (Array.isArray(value)) return `[${value.map(signature).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const keys = Object.keys(value).sort();
    const body = keys.map((k) =>
      `${JSON.stringify(k)}:${signature((value as Record<string, unknown>)[k])}`
    );
    const name = Object.getPrototypeOf(value) === Object.prototype ? "" : value.constructor?.name;
    return `${name ?? ""}{${body.join(",")}}`;
  }
  if (typeof value === "function") return `F:${value.name}`;
  return typeof value === "number" || typeof value === "string" || typeof value === "boolean"
    ? JSON.stringify(value) ?? String(value)
    : String(value);
}

/** One traced signature: its graphs, memory plan and the structure of its result. */
interface Plan {
  /** The simplified graph, before fusion (replayed through primitives when a tape records). */
  readonly graph: Graph;
  /** The fused graph that replay runs. */
  readonly fused: Graph;
  readonly memory: MemoryPlan;
  readonly backends: readonly (Backend | undefined)[];
  readonly result: tree.TreeDef<unknown>;
}

/**
 * What compilation did for one signature: ops before and after fusion, and the memory plan.
 *
 * @example
 * ```ts
 * import { compile, exp, mul, tensor, type Tensor } from "@fluxion/fluxion";
 * const f = compile((x: Tensor) => exp(mul(x, 2)));
 * const x = tensor([1, 2]);
 * f(x); // traces, then replays
 * const s = f.stats(x)!;
 * console.log(s.ops, s.kernels); // 2 1: mul and exp run as one fused pass
 * ```
 */
export interface CompileStats {
  /** Ops of the simplified graph (one kernel each, eagerly). */
  readonly ops: number;
  /** Ops after fusion: kernels that replay launches. */
  readonly kernels: number;
  /** Fused elementwise passes among them. */
  readonly fusedPasses: number;
  /** Products (matmul, conv2d) with elementwise ops fused into their stores, among them. */
  readonly epilogues: number;
  /** Buffer slots of the memory plan (intermediates and outputs). */
  readonly bufferSlots: number;
  /** Bytes of those slots: the most the plan holds at once. */
  readonly peakBytes: number;
  /** Bytes of every value computed, had none been reused. */
  readonly totalBytes: number;
}

/** Runs `g` on the tensor and key leaves of a call through the primitives (tapes see them). */
function replay(g: Graph, leaves: readonly (Tensor | Key)[]): (Tensor | Key)[] {
  const values: (Tensor | Key)[] = new Array(g.nodes.length);
  const at = (i: number) => values[i];
  for (const n of g.nodes) {
    const ins = n.inputs.map(at);
    switch (n.op) {
      case "input":
      case "keyInput":
        values[n.id] = leaves[g.inputs.indexOf(n.id)];
        break;
      case "const":
        values[n.id] = n.value!;
        break;
      case "keyConst":
        values[n.id] = n.key as Key;
        break;
      case "keySplit": {
        const p = n.params as { n: number; i: number };
        values[n.id] = split(ins[0] as Key, p.n)[p.i];
        break;
      }
      case "keyFoldIn":
        values[n.id] = foldIn(ins[0] as Key, (n.params as { data: number }).data);
        break;
      case "randomUniform": {
        const p = n.params as { dtype: Tensor["dtype"]; backend: string };
        values[n.id] = uniform(ins[0] as Key, n.shape, {
          dtype: p.dtype,
          backend: p.backend as BackendName,
        });
        break;
      }
      case "stopGradient":
        values[n.id] = stopGradient(ins[0] as Tensor);
        break;
      case "customVjp":
        values[n.id] = ins[0];
        break;
      default:
        values[n.id] = bind(n.op as PrimName, ins as Tensor[], n.params as never);
    }
  }
  return g.outputs.map(at);
}

/** Ops that launch work (not arguments, constants, keys or views). */
function kernelCount(g: Graph): number {
  const free = new Set([
    "input",
    "const",
    "keyInput",
    "keyConst",
    "keySplit",
    "keyFoldIn",
    "reshape",
    "stopGradient",
    "customVjp",
    "fusedOutput",
  ]);
  return g.nodes.filter((n) => !free.has(n.op)).length;
}

/**
 * A compiled function (see `compile`): call it like the original; `traces()`, `graph(...)`,
 * `fusedGraph(...)` and `stats(...)` describe what was traced for a signature.
 *
 * @example
 * ```ts
 * import { compile, relu, type Tensor } from "@fluxion/fluxion";
 * const f: ReturnType<typeof compile<[Tensor], Tensor>> = compile((x: Tensor) => relu(x));
 * ```
 */
export type Compiled<A extends unknown[], R> = ((...args: A) => R) & {
  /** How many signatures have been traced. */
  traces(): number;
  /** The simplified graph for these arguments' signature, if traced. */
  graph(...args: A): Graph | undefined;
  /** The fused graph that replay runs, if traced. */
  fusedGraph(...args: A): Graph | undefined;
  /** Op counts and the memory plan for these arguments' signature, if traced. */
  stats(...args: A): CompileStats | undefined;
};

/**
 * A compiled version of `f`, a pure function of pytrees of tensors, random keys and plain values:
 * the first call with a new signature (tree structure, shapes, dtypes, backends, plain values)
 * traces `f` (see `trace`) and keeps the simplified graph; later calls with that signature replay
 * it. Results equal `f`'s. `f` must not read tensor data (an error names the call), and its
 * result must be a pytree of tensors.
 *
 * @example
 * ```ts
 * import { compile, mul, relu, sum, type Tensor, tensor } from "@fluxion/fluxion";
 * const f = compile((x: Tensor, y: Tensor) => sum(relu(mul(x, y))));
 * console.log(f(tensor([1, -2]), tensor([3, 4])).dataSync()); // Float32Array [3]
 * console.log(f.traces()); // 1: the second call with these shapes replays
 * ```
 */
export function compile<A extends unknown[], R>(
  f: (...args: A) => R,
): Compiled<A, R> {
  if (typeof f !== "function") throw new TypeError("compile: f must be a function");
  const plans = new Map<string, Plan>();
  const planFor = (args: A): Plan => {
    const sig = signature(args);
    let plan = plans.get(sig);
    if (plan === undefined) {
      let result: unknown;
      const g = trace((...a: A) => (result = f(...a)), ...args);
      const [, def] = tree.flatten(result);
      const graph = eliminateCommonSubexpressions(foldConstants(eliminateDeadCode(g)));
      const leaves: [string, Tensor | Key][] = [];
      args.forEach((a, i) => tensorLeaves(a, `arg${i}`, leaves));
      // Fused passes bind as many buffers as the graph's most limited backend allows.
      const used = new Set(nodeBackends(graph, leaves.map(([, v]) => v)));
      const maxBuffers = Math.min(
        ...[...used].map((b) => b?.fused?.maxBuffers ?? MAX_BUFFERS),
      );
      const fused = eliminateDeadCode(fuseEpilogues(fuseElementwise(graph, maxBuffers)));
      plan = {
        graph,
        fused,
        memory: planMemory(fused),
        backends: nodeBackends(fused, leaves.map(([, v]) => v)),
        result: def,
      };
      plans.set(sig, plan);
    }
    return plan;
  };
  const compiled = (...args: A): R => {
    const plan = planFor(args);
    const leaves: [string, Tensor | Key][] = [];
    args.forEach((a, i) => tensorLeaves(a, `arg${i}`, leaves));
    const values = leaves.map(([, v]) => v);
    // Under a tape or a trace, replay goes through the primitives so they see every op.
    const outs = recording() || traceObserver() !== null
      ? replay(plan.graph, values)
      : inScope()
      ? execute(plan.fused, plan.memory, plan.backends, values)
      : withScope(
        () => execute(plan.fused, plan.memory, plan.backends, values),
        (o) => o.filter((v): v is Tensor => v instanceof Tensor),
      );
    return tree.unflatten(plan.result, outs as Tensor[]) as R;
  };
  return Object.assign(compiled, {
    /** How many signatures have been traced. */
    traces: () => plans.size,
    /** The simplified graph for these arguments' signature, if traced. */
    graph: (...args: A) => plans.get(signature(args))?.graph,
    /** The fused graph that replay runs, if traced. */
    fusedGraph: (...args: A) => plans.get(signature(args))?.fused,
    /** Op counts and the memory plan, if traced. */
    stats: (...args: A): CompileStats | undefined => {
      const p = plans.get(signature(args));
      if (p === undefined) return undefined;
      return {
        ops: kernelCount(p.graph),
        kernels: kernelCount(p.fused),
        fusedPasses: p.fused.nodes.filter((n) => n.op === "fused").length,
        epilogues: p.fused.nodes.filter((n) => n.op === "epilogue").length,
        bufferSlots: p.memory.slots,
        peakBytes: p.memory.peakBytes,
        totalBytes: p.memory.totalBytes,
      };
    },
  });
}

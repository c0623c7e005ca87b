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
import { defaultBackend } from "../backend/registry.ts";
import { tensorLeaves, trace } from "./trace.ts";
import { checkTree, plainValues, signature } from "./signature.ts";

/** The plan key of a call: its signature, and the default backend (where numbers become tensors). */
function keyOf(args: readonly unknown[]): string {
  return `${defaultBackend().name}|${signature(args)}`;
}

/** Traced signatures kept per compiled function (the least recently used goes first). */
const MAX_PLANS = 32;
/** Signatures after which a compiled function warns that its calls keep retracing. */
const WARN_AFTER = 8;

/** One traced signature: its graphs, memory plan and the structure of its result. */
interface Plan {
  /** The simplified graph, before fusion (replayed through primitives when a tape records). */
  readonly graph: Graph;
  /** The fused graph that replay runs. */
  readonly fused: Graph;
  readonly memory: MemoryPlan;
  readonly backends: readonly (Backend | undefined)[];
  readonly result: tree.TreeDef<unknown>;
  /** Whether `f` has custom gradient rules: then under a tape `f` itself runs. */
  readonly customGradients: boolean;
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
 * import { compile, type Compiled, relu, type Tensor, tensor } from "@fluxion/fluxion";
 * const f: Compiled<[Tensor], Tensor> = compile((x: Tensor) => relu(x));
 * f(tensor([-1, 2]));
 * console.log(f.traces()); // 1
 * ```
 */
export interface Compiled<A extends unknown[], R> {
  /** Calls the compiled function: traces on a new signature, else replays. */
  (...args: A): R;
  /** How many times the function has been traced (once per new signature). */
  traces(): number;
  /** The simplified graph for these arguments' signature, if traced. */
  graph(...args: A): Graph | undefined;
  /** The fused graph that replay runs, if traced. */
  fusedGraph(...args: A): Graph | undefined;
  /** Op counts and the memory plan for these arguments' signature, if traced. */
  stats(...args: A): CompileStats | undefined;
}

/**
 * A compiled version of `f`, a pure function of trees (arrays and plain objects) of tensors,
 * random keys and plain values. The first call with a new signature (tree structure, each
 * tensor's shape, dtype and backend, plain values by value, other objects and functions by
 * identity) traces `f` (see `trace`) and plans it: dead code and repeated computations removed,
 * constants folded, elementwise chains fused into single kernels (also into the stores of matmul
 * and conv2d), buffers released after their last use. Later calls with that signature replay
 * the plan without running `f`'s JavaScript. Results equal `f`'s (bit for bit on the CPU).
 *
 * What the trace sees and what it does not, as in JAX's `jit`:
 * - Tensors and keys passed as arguments vary per call; tensors and keys `f` reads from its
 *   closure are constants of the trace (pass a training batch as an argument, not a captured
 *   variable). Tensors inside class instances or Maps are errors: use plain objects.
 * - A new plain value (a number in the arguments) is a new trace; after 8 traces a warning names
 *   the values that keep changing (an optimizer's step count: use `optim.capturable`). At most
 *   32 plans are kept, the least recently used dropped first.
 * - `f` must be synchronous and must not read tensor data (`data`, `dataSync`, `item`, `array`):
 *   an error names the call. Value checks that eager ops make on the host (a label out of range)
 *   run on the first call only; replay relies on the kernels' own checks.
 * - Gradients of a compiled function work (replay then goes through the primitives); a compiled
 *   function called while another is traced becomes part of that trace. To donate arguments,
 *   wrap the compiled function: `scoped(compile(step), { donate: [0, 1] })`.
 *
 * @example
 * ```ts
 * import { compile, mul, relu, sum, type Tensor, tensor } from "@fluxion/fluxion";
 * const f = compile((x: Tensor, y: Tensor) => sum(relu(mul(x, y))));
 * console.log(f(tensor([1, -2]), tensor([3, 4])).dataSync()); // Float32Array [3]: traced, replayed
 * console.log(f(tensor([2, 2]), tensor([1, 1])).dataSync()); // Float32Array [4]: replayed
 * console.log(f.traces()); // 1
 * ```
 */
export function compile<A extends unknown[], R>(
  f: (...args: A) => R,
): Compiled<A, R> {
  if (typeof f !== "function") throw new TypeError("compile: f must be a function");
  const plans = new Map<string, Plan>();
  let warned = false;
  let traced = 0;
  let previous: Map<string, string> | undefined;
  const planFor = (args: A, sig: string): Plan => {
    let plan = plans.get(sig);
    if (plan !== undefined) {
      // Most recently used last: the oldest plan goes first when there are too many.
      plans.delete(sig);
      plans.set(sig, plan);
      return plan;
    }
    checkTree(args, "argument", "arg");
    let result: unknown;
    const g = trace((...a: A) => (result = f(...a)), ...args);
    checkTree(result, "result", "out");
    const outLeaves: [string, Tensor | Key][] = [];
    tensorLeaves(result, "out", outLeaves);
    const key = outLeaves.find(([, v]) => v instanceof Key);
    if (key !== undefined) {
      throw new TypeError(
        `compile: the result at ${key[0]} is a random key; a compiled function returns tensors ` +
          "(split or fold keys outside it, or return samples)",
      );
    }
    const [, def] = tree.flatten(result);
    const graph = eliminateCommonSubexpressions(foldConstants(eliminateDeadCode(g)));
    const leaves: [string, Tensor | Key][] = [];
    args.forEach((a, i) => tensorLeaves(a, `arg${i}`, leaves));
    // Fused passes bind as many buffers as the graph's most limited backend allows.
    const used = new Set(nodeBackends(graph, leaves.map(([, v]) => v)));
    const maxBuffers = Math.min(
      ...[...used].filter((b) => b !== undefined).map((b) => b.fused?.maxBuffers ?? MAX_BUFFERS),
    );
    const fused = eliminateDeadCode(fuseEpilogues(fuseElementwise(graph, maxBuffers)));
    plan = {
      graph,
      fused,
      memory: planMemory(fused),
      backends: nodeBackends(fused, leaves.map(([, v]) => v)),
      result: def,
      customGradients: g.customGradients || g.nodes.some((n) => n.op === "customVjp"),
    };
    plans.set(sig, plan);
    traced++;
    if (plans.size > MAX_PLANS) plans.delete(plans.keys().next().value!);
    return plan;
  };
  /** On a new trace: warns once when calls keep needing them, naming the values that changed. */
  const watchRetraces = (args: A) => {
    const now = new Map<string, string>();
    args.forEach((a, i) => plainValues(a, `arg${i}`, now));
    if (traced >= WARN_AFTER && previous !== undefined) {
      warned = true;
      const changed = [...now].filter(([k, v]) => previous!.get(k) !== v).map(([k, v]) =>
        `${k} (${previous!.get(k) ?? "absent"} -> ${v})`
      );
      console.warn(
        `compile: ${f.name || "a function"} has been traced for ${traced} signatures; ` +
          (changed.length > 0
            ? `plain values in its arguments change between calls: ${
              changed.slice(0, 3).join(", ")
            }. `
            : "its argument shapes or structure keep changing. ") +
          "Each new value is a new trace (an optimizer's step count: use optim.capturable(opt))",
      );
    }
    previous = now;
  };
  const compiled = (...args: A): R => {
    // Inside another trace (a compiled function calling this one), f's ops join that trace.
    if (traceObserver() !== null) return f(...args);
    const sig = keyOf(args);
    const fresh = !plans.has(sig);
    const plan = planFor(args, sig);
    if (fresh && !warned) watchRetraces(args);
    const leaves: [string, Tensor | Key][] = [];
    args.forEach((a, i) => tensorLeaves(a, `arg${i}`, leaves));
    const values = leaves.map(([, v]) => v);
    // Under a tape, replay goes through the primitives so the tape sees every op; a custom
    // gradient rule is not in the graph, so then f itself runs.
    if (recording() && plan.customGradients) return f(...args);
    const outs = recording()
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
    /** How many times `f` has been traced (once per new signature). */
    traces: () => traced,
    /** The simplified graph for these arguments' signature, if traced. */
    graph: (...args: A) => plans.get(keyOf(args))?.graph,
    /** The fused graph that replay runs, if traced. */
    fusedGraph: (...args: A) => plans.get(keyOf(args))?.fused,
    /** Op counts and the memory plan, if traced. */
    stats: (...args: A): CompileStats | undefined => {
      const p = plans.get(keyOf(args));
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

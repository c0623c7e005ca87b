/**
 * `trace(f, ...args)`: runs `f` once on `args` and records its dataflow graph: every primitive
 * call (the backward pass too, when `f` takes gradients), random samples, and the tensors it
 * reads from outside (closures, numbers turned into scalars) as constants. A traced function
 * must be pure in what the tracer can see: reading data back mid-trace is an error naming the
 * call.
 *
 * @module
 */
import {
  disposedError,
  disposeTensor,
  inScope,
  isDisposed,
  unscope,
  withScope,
} from "../core/lifetime.ts";
import { Tensor } from "../core/tensor.ts";
import { isHostMade, setTraceObserver, traceObserver } from "../core/trace_hooks.ts";
import { Key } from "../random/random.ts";
import { isPlainObject } from "../tree/containers.ts";
import { Graph, type GraphNode } from "./graph.ts";

/** Tensor and random-key leaves of `value` (arrays and plain objects walked), with paths. */
export function tensorLeaves(
  value: unknown,
  path: string,
  out: [string, Tensor | Key][],
): void {
  if (value instanceof Tensor || value instanceof Key) out.push([path, value]);
  else if (Array.isArray(value)) value.forEach((v, i) => tensorLeaves(v, `${path}[${i}]`, out));
  else if (isPlainObject(value)) {
    for (const k of Object.keys(value).sort()) tensorLeaves(value[k], `${path}.${k}`, out);
  }
}

/** `value` with its tensor and key leaves (through arrays and plain objects) replaced by `fn`. */
function mapLeaves(value: unknown, fn: (v: Tensor | Key) => Tensor | Key): unknown {
  if (value instanceof Tensor || value instanceof Key) return fn(value);
  if (Array.isArray(value)) return value.map((v) => mapLeaves(v, fn));
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = Object.getPrototypeOf(value) === null
      ? Object.create(null)
      : {};
    for (const k of Object.keys(value)) out[k] = mapLeaves(value[k], fn);
    return out;
  }
  return value;
}

/**
 * Runs `f(...args)` once and returns its dataflow graph (see `Graph`): inputs are the tensor
 * leaves of `args`, outputs the tensor leaves of the result. Intermediates are released when it
 * returns; constants stay alive with the graph. Reading tensor data inside `f` (`data`,
 * `dataSync`, `item`, `array`) is an error, since a graph cannot depend on values.
 *
 * @example
 * ```ts
 * import { matmul, relu, tensor, trace } from "@fluxion/fluxion";
 * const w = tensor([[1, -1], [2, 0]]);
 * const g = trace((x) => relu(matmul(x, w)), tensor([[1, 2]]));
 * console.log(g.toString());
 * // graph: 1 inputs, 2 ops, 1 outputs
 * //   %0 = input arg0 : f32[1,2]
 * //   %1 = const 1 -1 2 0 : f32[2,2]
 * //   %2 = matmul(%0, %1) : f32[1,2]
 * //   %3 = relu(%2) : f32[1,2]
 * //   return %3
 * ```
 */
export function trace<A extends unknown[]>(f: (...args: A) => unknown, ...args: A): Graph {
  if (typeof f !== "function") throw new TypeError("trace: f must be a function");
  if (traceObserver() !== null) {
    throw new Error("trace: a trace is already running (traces do not nest)");
  }
  const nodes: GraphNode[] = [];
  const idOf = new Map<Tensor, number>();
  const consts: Tensor[] = [];
  const add = (t: Tensor, node: Omit<GraphNode, "id" | "shape" | "dtype">): number => {
    const id = nodes.length;
    nodes.push({ id, shape: t.shape, dtype: t.dtype, ...node });
    idOf.set(t, id);
    return id;
  };
  const created = new Set<Tensor>();
  let customRules = false;
  const nodeOf = (t: Tensor): number => {
    const id = idOf.get(t);
    if (id !== undefined) return id;
    // A tensor made while tracing is either recorded or made from host data; anything else came
    // from a path the tracer does not see, and treating it as a constant would freeze its value.
    if (created.has(t) && !isHostMade(t)) {
      throw new Error(
        `trace: a ${t.dtype} tensor [${
          t.shape.join(", ")
        }] was made while tracing by an operation the tracer does not see; ` +
          "this is a bug in fluxion (please report it with the traced function)",
      );
    }
    // A constant made inside f (a number turned into a tensor) would go with the scope that made
    // it; the graph keeps it.
    unscope(t);
    consts.push(t);
    return add(t, { op: "const", params: null, inputs: [], value: t });
  };
  const keyIds = new Map<object, number>();
  const addKey = (k: object, node: Omit<GraphNode, "id" | "shape" | "dtype">): number => {
    const id = nodes.length;
    nodes.push({ id, shape: [2], dtype: "int32", ...node });
    keyIds.set(k, id);
    return id;
  };
  const keyOf = (k: object): number =>
    keyIds.get(k) ?? addKey(k, { op: "keyConst", params: { key: String(k) }, inputs: [], key: k });
  // f sees a fresh alias of each argument leaf: the same tensor passed twice is two inputs, and
  // a tensor f also captures from its closure stays a constant there.
  const aliased = args.map((a) =>
    mapLeaves(a, (v) => {
      if (v instanceof Key) return new Key(v.words);
      // An alias of freed storage would count and release it again.
      if (isDisposed(v)) throw disposedError("trace", v);
      return new Tensor(v.backend, v.storage, v.shape, v.dtype);
    })
  ) as A;
  const leaves: [string, Tensor | Key][] = [];
  aliased.forEach((a, i) => tensorLeaves(a, `arg${i}`, leaves));
  const inputs = leaves.map(([label, t]) =>
    t instanceof Key
      ? addKey(t, { op: "keyInput", params: null, inputs: [], label })
      : add(t, { op: "input", params: null, inputs: [], label })
  );
  let outputs: number[] = [];
  const previous = setTraceObserver({
    bind: (prim, params, ins, out) => {
      add(out, { op: prim, params, inputs: ins.map(nodeOf) });
    },
    source: (t, op, params, ins) => {
      add(t, { op, params, inputs: ins.map(nodeOf) });
    },
    key: (k, op, params, parent) => {
      addKey(k, { op, params, inputs: [keyOf(parent)] });
    },
    random: (t, op, params, k) => {
      add(t, { op, params: { ...(params as object), shape: t.shape }, inputs: [keyOf(k)] });
    },
    created: (t) => void created.add(t),
    customRule: () => void (customRules = true),
    read: (op, t) => {
      throw new Error(
        `trace: ${op} read the data of a ${t.dtype} tensor [${
          t.shape.join(", ")
        }] while tracing; ` +
          "a traced function cannot depend on tensor values (no data reads, no branches on them)",
      );
    },
  });
  try {
    const run = () => {
      const result = f(...aliased);
      if (typeof (result as { then?: unknown } | null)?.then === "function") {
        // Its own failure (a data read, most likely) is superseded by this error.
        (result as Promise<unknown>).then(undefined, () => {});
        throw new TypeError(
          "trace: the traced function returned a Promise; it must be synchronous (a graph " +
            "cannot wait for data: read results after the call)",
        );
      }
      const out: [string, Tensor | Key][] = [];
      tensorLeaves(result, "out", out);
      outputs = out.map(([, t]) => (t instanceof Key ? keyOf(t) : nodeOf(t)));
      return result;
    };
    // Intermediates go when the trace ends; constants stay with the graph.
    if (inScope()) run();
    else withScope(run, () => consts);
  } finally {
    setTraceObserver(previous);
    // The aliases only share the arguments' storage.
    for (const [, t] of leaves) if (t instanceof Tensor) disposeTensor(t);
  }
  return new Graph(nodes, inputs, outputs, customRules);
}

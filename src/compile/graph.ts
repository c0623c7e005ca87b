/**
 * The dataflow graph of a traced function: nodes in execution order (inputs, constants,
 * primitive calls and the few ops made outside primitives), printable as text and as a Mermaid
 * flowchart.
 *
 * @module
 */
import type { DType } from "../core/dtype.ts";
import type { Tensor } from "../core/tensor.ts";

/**
 * One value of a graph: an input, a constant, or an op applied to earlier nodes.
 *
 * @example
 * ```ts
 * import { exp, tensor, trace } from "@fluxion/fluxion";
 * const [input, op] = trace((x) => exp(x), tensor([0, 1])).nodes;
 * console.log(input.op, op.op, op.inputs); // "input" "exp" [ 0 ]
 * ```
 */
export interface GraphNode {
  /** Its index in `Graph.nodes`. */
  readonly id: number;
  /**
   * `"input"`, `"const"`, a primitive's name, `randomUniform`, `stopGradient`, `customVjp`, or a
   * random key's node: `keyInput`, `keyConst`, `keySplit`, `keyFoldIn`.
   */
  readonly op: string;
  /** The op's parameters (primitive parameters; the key of a random sample). */
  readonly params: unknown;
  /** The nodes it reads, by id. */
  readonly inputs: readonly number[];
  /** The value's shape. */
  readonly shape: readonly number[];
  /** The value's dtype. */
  readonly dtype: DType;
  /** For inputs, where the argument came from (`arg0.fc1.weight`). */
  readonly label?: string;
  /** For constants, the tensor (kept alive by the graph). */
  readonly value?: Tensor;
  /** For `keyConst` nodes, the random key (a `random.Key`). */
  readonly key?: object;
}

/** Whether `n` is a random key (`keyInput`, `keyConst`, `keySplit`, `keyFoldIn`), not a tensor. */
export function isKeyNode(n: GraphNode): boolean {
  return n.op.startsWith("key");
}

const DTYPE_SHORT: Record<DType, string> = {
  float32: "f32",
  float64: "f64",
  int32: "i32",
  bool: "bool",
};

/** `f32[2,3]`, or `key`. */
function typeOf(n: GraphNode): string {
  return isKeyNode(n) ? "key" : `${DTYPE_SHORT[n.dtype]}[${n.shape.join(",")}]`;
}

/** Parameters in one line, without the empty ones; a fused pass lists its ops. */
function paramsText(params: unknown): string {
  if (params === null || params === undefined) return "";
  const members = (params as { members?: readonly GraphNode[] }).members;
  if (members !== undefined) return `[${members.map((m) => m.op).join(", ")}]`;
  const { prim, tail } = params as { prim?: string; tail?: { members: readonly GraphNode[] } };
  if (prim !== undefined && tail !== undefined) {
    return `[${prim}; ${tail.members.map((m) => m.op).join(", ")}]`;
  }
  const entries = Object.entries(params as Record<string, unknown>);
  if (entries.length === 0) return "";
  return `{${entries.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(", ")}}`;
}

/** A constant's value when it is small, else its type. */
function constText(n: GraphNode): string {
  const t = n.value;
  if (t === undefined || t.size > 4 || t.disposed) return "";
  const d = t.backend.readSync(t.storage, t.dtype, t.shape);
  return d === undefined ? "" : ` ${[...d].join(" ")}`;
}

/**
 * A traced function's dataflow graph (see `trace`): `nodes` in execution order, the ids of its
 * `inputs` (tensor leaves of the arguments) and `outputs` (tensor leaves of the result).
 *
 * @example
 * ```ts
 * import { add, mul, tensor, trace } from "@fluxion/fluxion";
 * const g = trace((x) => mul(add(x, 1), x), tensor([1, 2]));
 * console.log(g.toString());   // %0 = input arg0 : f32[2] ... return %3
 * console.log(g.toMermaid());  // flowchart TD ...
 * ```
 */
export class Graph {
  /** Builds a graph from its parts (see `trace`). */
  constructor(
    readonly nodes: readonly GraphNode[],
    readonly inputs: readonly number[],
    readonly outputs: readonly number[],
    /** Whether the function used custom gradient rules (`customVjp`) that the graph omits. */
    readonly customGradients: boolean = false,
  ) {}

  /** The number of nodes that are ops (not inputs or constants). */
  get opCount(): number {
    const sources = ["input", "const", "keyInput", "keyConst"];
    return this.nodes.filter((n) => !sources.includes(n.op)).length;
  }

  /** One line per node, `%3 = add(%1, %2) : f32[2,3]`, then the returned ids. */
  toString(): string {
    const lines = this.nodes.map((n) => {
      const rhs = n.op === "input" || n.op === "keyInput"
        ? `input ${n.label ?? ""}`.trimEnd()
        : n.op === "const"
        ? `const${constText(n)}`
        : `${n.op}${paramsText(n.params)}(${n.inputs.map((i) => `%${i}`).join(", ")})`;
      return `  %${n.id} = ${rhs} : ${typeOf(n)}`;
    });
    const head =
      `graph: ${this.inputs.length} inputs, ${this.opCount} ops, ${this.outputs.length} outputs`;
    return [head, ...lines, `  return ${this.outputs.map((i) => `%${i}`).join(", ")}`].join("\n");
  }

  /** A Mermaid flowchart: inputs and constants as slanted boxes, ops as boxes, edges by data. */
  toMermaid(): string {
    const esc = (s: string) => s.replace(/"/g, "#quot;");
    const lines = ["flowchart TD"];
    for (const n of this.nodes) {
      if (n.op === "input" || n.op === "keyInput") {
        lines.push(`  n${n.id}[/"${esc(n.label ?? "input")}<br/>${typeOf(n)}"/]`);
      } else if (n.op === "const") {
        lines.push(`  n${n.id}[/"const${esc(constText(n))}<br/>${typeOf(n)}"/]`);
      } else {
        const what = n.op === "fused" || n.op === "epilogue"
          ? `${n.op}${paramsText(n.params)}`
          : n.op;
        lines.push(`  n${n.id}["${esc(what)}<br/>${typeOf(n)}"]`);
      }
      for (const i of n.inputs) lines.push(`  n${i} --> n${n.id}`);
    }
    this.outputs.forEach((id, k) => {
      lines.push(`  out${k}(["output ${k}"])`);
      lines.push(`  n${id} --> out${k}`);
    });
    return lines.join("\n");
  }
}

/**
 * WebGPU's fused elementwise pass (see `ElementwiseProgram`): each program becomes one generated
 * WGSL kernel (`kernels/fused.wgsl`, compiled once per program structure and broadcast layout)
 * that reads every input element, runs the steps with the same functions as the unfused kernels
 * (`kernels/elementwise_math.wgsl`) and writes each output: one dispatch for the whole chain.
 *
 * @module
 */
import type { ElementwiseProgram, ElementwiseStep } from "../backend.ts";
import {
  BINARY_PRIMS,
  type BinaryPrim,
  COMPARE_PRIMS,
  type ComparePrim,
  isBinaryPrim,
  isComparePrim,
  isUnaryPrim,
  UNARY_PRIMS,
  type UnaryPrim,
} from "../../core/primitives.ts";
import { broadcastStrides, type Shape, shapesEqual, sizeOf } from "../../core/shape.ts";
import type { GpuContext, GpuStorage } from "./context.ts";
import { checkRank, collapseDims, type GpuInput } from "./kernel.ts";

/** How input `k` is read: at the element's index, through broadcast strides, or element 0. */
type Access = "same" | "broadcast" | "scalar";

/** The WGSL expression of one step over the values `args` (already named). */
function expression(s: ElementwiseStep, [a, b, c]: readonly string[]): string {
  const op = s.op;
  if (op === "literal") {
    const bits = new Uint32Array(new Float32Array([s.value!]).buffer)[0];
    return `bitcast<f32>(0x${bits.toString(16)}u)`;
  }
  if (isUnaryPrim(op)) return `unary_op(${UNARY_PRIMS.indexOf(op as UnaryPrim)}u, ${a})`;
  if (isBinaryPrim(op)) return `binary_op(${BINARY_PRIMS.indexOf(op as BinaryPrim)}u, ${a}, ${b})`;
  if (isComparePrim(op)) {
    return `compare_op(${COMPARE_PRIMS.indexOf(op as ComparePrim)}u, ${a}, ${b})`;
  }
  if (op === "where") return `select(${c}, ${b}, ${a})`;
  return a; // cast to float32 (a bool operand is already converted)
}

/** The generated bindings and `fused` function of program `p` with input accesses `access`. */
export function fusedSource(p: ElementwiseProgram, access: readonly Access[]): string {
  const k = p.inputs.length;
  const lines: string[] = [];
  const elem = (dtype: string) => (dtype === "bool" ? "u32" : "f32");
  p.inputs.forEach((d, i) =>
    lines.push(`@group(0) @binding(${i + 1}) var<storage, read> in${i}: array<${elem(d)}>;`)
  );
  const dtypeOf = (v: number) => (v < k ? p.inputs[v] : p.steps[v - k].dtype);
  p.outputs.forEach((v, j) =>
    lines.push(
      `@group(0) @binding(${k + j + 1}) var<storage, read_write> out${j}: array<${
        elem(dtypeOf(v))
      }>;`,
    )
  );
  const body: string[] = ["let rank = word(1u);"];
  let strided = 0;
  p.inputs.forEach((d, i) => {
    const at = access[i] === "same"
      ? "i"
      : access[i] === "scalar"
      ? "0u"
      : `u32(strided_offset(i, rank, 4u, ${12 + 8 * strided++}u))`;
    body.push(`let v${i} = ${d === "bool" ? `in${i}[${at}] != 0u` : `in${i}[${at}]`};`);
  });
  p.steps.forEach((s, j) => {
    const args = s.args.map((a) => {
      // A bool read as a float (cast from bool).
      return s.op === "cast" && dtypeOf(a) === "bool" ? `select(0.0, 1.0, v${a})` : `v${a}`;
    });
    body.push(`let v${k + j} = ${expression(s, args)};`);
  });
  p.outputs.forEach((v, j) =>
    body.push(`out${j}[i] = ${dtypeOf(v) === "bool" ? `select(0u, 1u, v${v})` : `v${v}`};`)
  );
  return `${lines.join("\n")}\n\nfn fused(i: u32) {\n  ${body.join("\n  ")}\n}\n`;
}

/**
 * Runs program `p` over `inputs` broadcast to `shape` as one dispatch; `undefined` when an
 * operand is past one binding (the steps then run as primitives, which split such operands).
 */
export function fusedElementwise(
  ctx: GpuContext,
  p: ElementwiseProgram,
  inputs: readonly GpuInput[],
  shape: Shape,
): GpuStorage[] | undefined {
  const n = sizeOf(shape);
  const limit = ctx.bindingLimit;
  if (n * 4 > limit || inputs.some((x) => x.storage.bytes > limit)) return undefined;
  const access: Access[] = inputs.map((x) =>
    shapesEqual(x.shape, shape) ? "same" : sizeOf(x.shape) === 1 ? "scalar" : "broadcast"
  );
  const words = new Array<number>(64).fill(0);
  words[0] = n;
  const broadcast = inputs.filter((_, i) => access[i] === "broadcast");
  if (broadcast.length > 0) {
    const c = collapseDims(shape, broadcast.map((x) => broadcastStrides(x.shape, shape)));
    checkRank("fused elementwise", c.shape.length);
    words[1] = c.shape.length;
    c.shape.forEach((d, i) => (words[4 + i] = d));
    c.strides.forEach((s, k) => s.forEach((v, i) => (words[12 + 8 * k + i] = v)));
  }
  const label = `fused elementwise [${shape.join(",")}] (${
    p.steps.filter((s) => s.op !== "literal").map((s) => s.op).join(", ")
  })`;
  const outs = p.outputs.map(() => ctx.alloc(n, label));
  ctx.launch({
    kernel: "fused",
    includes: ["elementwise_math"],
    prelude: fusedSource(p, access),
    buffers: [...inputs.map((x) => x.storage.buffer), ...outs.map((o) => o.buffer)],
    words,
    threads: n,
    label,
  });
  return outs;
}

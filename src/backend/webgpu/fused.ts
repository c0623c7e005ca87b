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
import { collapseDims, type GpuInput } from "./kernel.ts";
import { withEpilogue } from "./gemm.ts";

/** How input `k` is read: at the element's index, through broadcast strides, or element 0. */
type Access = "same" | "broadcast" | "scalar";

/** The WGSL expression of one step over the values `args` (already named). */
function expression(s: ElementwiseStep, [a, b, c]: readonly string[]): string {
  const op = s.op;
  if (isUnaryPrim(op)) return `unary_op(${UNARY_PRIMS.indexOf(op as UnaryPrim)}u, ${a})`;
  if (isBinaryPrim(op)) return `binary_op(${BINARY_PRIMS.indexOf(op as BinaryPrim)}u, ${a}, ${b})`;
  if (isComparePrim(op)) {
    return `compare_op(${COMPARE_PRIMS.indexOf(op as ComparePrim)}u, ${a}, ${b})`;
  }
  if (op === "where") return `select(${c}, ${b}, ${a})`;
  return a; // cast to float32 (a bool operand is already converted)
}

/**
 * WGSL lines computing every value of `p`, input `i` read by `read(i)`, literal `j` (in step
 * order) from uniform word `literalWord + j`: a runtime value, so the shader compiler cannot fold
 * it (it may assume no NaN, infinity or -0 in constants: x * 0 would become 0).
 */
function programLines(
  p: ElementwiseProgram,
  read: (i: number) => string,
  literalWord: number,
): string[] {
  const k = p.inputs.length;
  const dtypeOf = (v: number) => (v < k ? p.inputs[v] : p.steps[v - k].dtype);
  const lines: string[] = [];
  p.inputs.forEach((d, i) =>
    lines.push(`let v${i} = ${d === "bool" ? `${read(i)} != 0u` : read(i)};`)
  );
  let literal = 0;
  p.steps.forEach((s, j) => {
    if (s.op === "literal") {
      lines.push(`let v${k + j} = fword(${literalWord + literal++}u);`);
      return;
    }
    // Bools read as floats by comparisons and casts (`where` takes its operands as they are);
    // a second operand goes through `opaque`, so the compiler cannot fold x - x, x + -x or
    // x * 0 to constants that are wrong for NaN and infinities.
    const args = s.args.map((a, n) => {
      if (s.op === "where") return `v${a}`;
      const v = dtypeOf(a) === "bool" ? `select(0.0, 1.0, v${a})` : `v${a}`;
      return n > 0 ? `opaque(${v})` : v;
    });
    lines.push(`let v${k + j} = ${expression(s, args)};`);
  });
  return lines;
}

/** The literals of `p` in step order, as uniform words (float32 bits). */
function literalWords(p: ElementwiseProgram): number[] {
  const lits = p.steps.filter((s) => s.op === "literal").map((s) => s.value!);
  return [...new Uint32Array(new Float32Array(lits).buffer)];
}

/** Where a fused pass's literals start in its uniform words, and an epilogue's. */
const PASS_LITERALS = 44, EPILOGUE_LITERALS = 57;

const elem = (dtype: string) => (dtype === "bool" ? "u32" : "f32");

/** Where input `i` is read: `index` itself, element 0, or through broadcast strides. */
function reader(
  access: readonly Access[],
  index: string,
  rank: string,
  dims: number,
  strides: (k: number) => number,
) {
  const slot: number[] = [];
  let b = 0;
  access.forEach((a, i) => (slot[i] = a === "broadcast" ? b++ : -1));
  return (i: number, name: string) =>
    access[i] === "same"
      ? `${name}[${index}]`
      : access[i] === "scalar"
      ? `${name}[0u]`
      : `${name}[u32(strided_offset(${index}, ${rank}, ${dims}u, ${strides(slot[i])}u))]`;
}

/** The generated bindings and `fused` function of program `p` with input accesses `access`. */
export function fusedSource(p: ElementwiseProgram, access: readonly Access[]): string {
  const k = p.inputs.length;
  const lines: string[] = [];
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
  const read = reader(access, "i", "rank", 4, (b) => 12 + 8 * b);
  const body = [
    "let rank = word(1u);",
    ...programLines(p, (i) => read(i, `in${i}`), PASS_LITERALS),
  ];
  p.outputs.forEach((v, j) =>
    body.push(`out${j}[i] = ${dtypeOf(v) === "bool" ? `select(0u, 1u, v${v})` : `v${v}`};`)
  );
  return `${lines.join("\n")}\n\nfn fused(i: u32) {\n  ${body.join("\n  ")}\n}\n`;
}

/**
 * The generated `epilogue` function (kernels/gemm.wgsl) of program `p`, whose input `acc` is
 * the product's result and whose other inputs are bindings 4, 5, ... in order, read with
 * `access`; broadcast layout in words 40 (rank), 41..44 (dims), 45 + 4b.. (strides).
 */
export function epilogueSource(
  p: ElementwiseProgram,
  acc: number,
  access: readonly Access[],
): string {
  const lines: string[] = [];
  const binding = new Map<number, number>();
  p.inputs.forEach((d, i) => {
    if (i === acc) return;
    binding.set(i, binding.size);
    lines.push(
      `@group(0) @binding(${4 + binding.get(i)!}) var<storage, read> e${binding.get(i)}: array<${
        elem(d)
      }>;`,
    );
  });
  const read = reader(access, "o", "word(40u)", 41, (b) => 45 + 4 * b);
  const body = programLines(
    p,
    (i) => (i === acc ? "v" : read(i, `e${binding.get(i)}`)),
    EPILOGUE_LITERALS,
  );
  return `${lines.join("\n")}\n\nfn epilogue(v: f32, o: u32) -> f32 {\n  ${
    body.join("\n  ")
  }\n  return v${p.outputs[0]};\n}\n`;
}

/** How each input is read for an output of `shape`. */
function accessOf(inputs: readonly GpuInput[], shape: Shape): Access[] {
  return inputs.map((x) =>
    shapesEqual(x.shape, shape) ? "same" : sizeOf(x.shape) === 1 ? "scalar" : "broadcast"
  );
}

/** The collapsed broadcast layout of the broadcasting inputs, if its rank is at most `max`. */
function broadcastLayout(
  inputs: readonly GpuInput[],
  access: readonly Access[],
  shape: Shape,
  max: number,
): { rank: number; dims: readonly number[]; strides: readonly (readonly number[])[] } | undefined {
  const broadcast = inputs.filter((_, i) => access[i] === "broadcast");
  if (broadcast.length === 0) return { rank: 0, dims: [], strides: [] };
  const c = collapseDims(shape, broadcast.map((x) => broadcastStrides(x.shape, shape)));
  if (c.shape.length > max) return undefined;
  return { rank: c.shape.length, dims: c.shape, strides: c.strides };
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
  if (inputs.length + p.outputs.length > ctx.device.limits.maxStorageBuffersPerShaderStage) {
    return undefined;
  }
  const access = accessOf(inputs, shape);
  const words = new Array<number>(64).fill(0);
  words[0] = n;
  const layout = broadcastLayout(inputs, access, shape, 8);
  const literals = literalWords(p);
  // Strides of at most 4 broadcasting inputs (words 12..43), then the literals (44..63).
  if (layout === undefined || layout.strides.length > 4 || literals.length > 64 - PASS_LITERALS) {
    return undefined;
  }
  words[1] = layout.rank;
  layout.dims.forEach((d, i) => (words[4 + i] = d));
  layout.strides.forEach((s, k) => s.forEach((v, i) => (words[12 + 8 * k + i] = v)));
  literals.forEach((w, j) => (words[PASS_LITERALS + j] = w));
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

/** Most broadcasting inputs of an epilogue (words 40 to 56). */
const EPILOGUE_BROADCAST = 3;

/**
 * Runs `prim` (matmul or conv2d, through `run`) with program `p` fused into its stores: `p`'s
 * input `acc` is the product, `extras` are its other inputs in order. `undefined` where it does
 * not fit (more inputs than bindings, a broadcast of rank past 4, a result other than float32).
 */
export function gemmEpilogue(
  ctx: GpuContext,
  p: ElementwiseProgram,
  acc: number,
  extras: readonly GpuInput[],
  shape: Shape,
  run: () => GpuStorage,
): GpuStorage | undefined {
  const k = p.inputs.length;
  const out = p.outputs[0];
  const outDtype = out < k ? p.inputs[out] : p.steps[out - k].dtype;
  // Bindings 1 to 3 are the product's; the rest take the epilogue's inputs.
  const room = ctx.device.limits.maxStorageBuffersPerShaderStage - 3;
  if (p.outputs.length !== 1 || outDtype !== "float32" || extras.length > room) {
    return undefined;
  }
  if (extras.some((x) => x.storage.bytes > ctx.bindingLimit)) return undefined;
  const all: GpuInput[] = [];
  let e = 0;
  for (let i = 0; i < k; i++) {
    all.push(i === acc ? { storage: undefined as never, shape, dtype: "float32" } : extras[e++]);
  }
  const access = accessOf(all, shape);
  access[acc] = "same";
  const layout = broadcastLayout(
    all.filter((_, i) => i !== acc),
    access.filter((_, i) => i !== acc),
    shape,
    4,
  );
  const literals = literalWords(p);
  if (
    layout === undefined || layout.strides.length > EPILOGUE_BROADCAST ||
    literals.length > 64 - EPILOGUE_LITERALS
  ) {
    return undefined;
  }
  // From word 40: rank, 4 dims, 4 strides per broadcasting input, then (from 57) the literals.
  const words = new Array<number>(EPILOGUE_LITERALS - 40 + literals.length).fill(0);
  words[0] = layout.rank;
  layout.dims.forEach((d, i) => (words[1 + i] = d));
  layout.strides.forEach((s, b) => s.forEach((v, i) => (words[5 + 4 * b + i] = v)));
  literals.forEach((w, j) => (words[EPILOGUE_LITERALS - 40 + j] = w));
  return withEpilogue({
    prelude: epilogueSource(p, acc, access),
    buffers: extras.map((x) => x.storage.buffer),
    words,
  }, run);
}

/**
 * WebGPU launchers for the elementwise primitives: unary, binary (broadcasting), comparisons,
 * `where` and `cast` (`kernels/{unary,binary,compare,where,cast}.wgsl`).
 *
 * @module
 */
import {
  BINARY_PRIMS,
  type BinaryPrim,
  COMPARE_PRIMS,
  type ComparePrim,
  UNARY_PRIMS,
  type UnaryPrim,
} from "../../core/primitives.ts";
import { broadcastStrides, shapesEqual, sizeOf } from "../../core/shape.ts";
import { type GpuContext, type GpuStorage, wgslType } from "./context.ts";
import type { Launch } from "./dispatcher.ts";
import {
  checkRank,
  collapseDims,
  describe,
  type GpuInput,
  type GpuKernel,
  type GpuKernelTable,
} from "./kernel.ts";

/**
 * The uniform words of a broadcasting kernel: count, rank, then dims at word 4 and each
 * operand's strides at 12, 20, 28 (rank 0 when every operand is contiguous like the output).
 */
export function broadcastWords(
  label: string,
  outShape: readonly number[],
  operands: readonly GpuInput[],
): number[] {
  const n = sizeOf(outShape);
  const words = new Array<number>(36).fill(0);
  words[0] = n;
  if (operands.every((x) => shapesEqual(x.shape, outShape))) return words;
  const c = collapseDims(outShape, operands.map((x) => broadcastStrides(x.shape, outShape)));
  checkRank(label, c.shape.length);
  words[1] = c.shape.length;
  c.shape.forEach((d, i) => (words[4 + i] = d));
  c.strides.forEach((s, k) => s.forEach((v, i) => (words[12 + 8 * k + i] = v)));
  return words;
}

function unaryKernel(op: UnaryPrim): GpuKernel<UnaryPrim> {
  const code = UNARY_PRIMS.indexOf(op);
  return (ctx, [x], _p, out) => {
    const t = wgslType(x.dtype);
    const label = describe(op, [x]);
    const n = sizeOf(out.shape);
    const o = ctx.alloc(n, label, true);
    const via = t === "f32"
      ? "unary_f32(v)"
      : t === "i32"
      ? "unary_i32(v)"
      : "u32(unary_i32(i32(v))) & 255u";
    ctx.launchChunked({
      kernel: "unary",
      includes: ["elementwise_math"],
      prelude: `alias T = ${t};\nfn apply(v: T) -> T { return ${via}; }`,
      constants: { OP: code },
      buffers: [x.storage.buffer, o.buffer],
      words: [n],
      threads: n,
      label,
    }, n);
    return o;
  };
}

/**
 * Launches a broadcasting kernel of two operands (`binary` or `compare`): words, output and a
 * dispatch that splits past one binding when every operand has the output's shape.
 */
function launchPair(
  ctx: GpuContext,
  op: string,
  inputs: readonly GpuInput[],
  outShape: readonly number[],
  spec: Pick<
    Launch,
    "kernel" | "includes" | "prelude" | "constants" | "faults" | "describeFault"
  >,
): GpuStorage {
  const [a, b] = inputs;
  const label = describe(op, inputs);
  const words = broadcastWords(label, outShape, inputs);
  const o = ctx.alloc(words[0], label, words[1] === 0);
  ctx.launchChunked({
    ...spec,
    buffers: [a.storage.buffer, b.storage.buffer, o.buffer],
    words,
    threads: words[0],
    label,
  }, words[0]);
  return o;
}

function binaryKernel(op: BinaryPrim): GpuKernel<BinaryPrim> {
  const code = BINARY_PRIMS.indexOf(op);
  return (ctx, inputs, _p, out) => {
    const t = wgslType(out.dtype);
    const via = t === "f32"
      ? "binary_f32(p, q)"
      : t === "i32"
      ? "binary_i32(p, q)"
      : "u32(binary_i32(i32(p), i32(q))) & 255u";
    // int32 pow with a negative power is an error on the CPU: a fault here.
    const checked = op === "pow" && t === "i32";
    const guard = checked ? "if (q < 0) { report_fault(here, bitcast<u32>(q)); }\n  " : "";
    return launchPair(ctx, op, inputs, out.shape, {
      kernel: "binary",
      includes: ["elementwise_math"],
      prelude: `alias T = ${t};\nfn apply(p: T, q: T) -> T {\n  ${guard}return ${via};\n}`,
      constants: { OP: code },
      faults: checked,
      describeFault: (_i, bits) =>
        `pow: integer base raised to the negative power ${bits | 0}; cast to a float dtype first`,
    });
  };
}

function compareKernel(op: ComparePrim): GpuKernel<ComparePrim> {
  const code = COMPARE_PRIMS.indexOf(op);
  return (ctx, inputs, _p, out) => {
    const t = wgslType(inputs[0].dtype);
    return launchPair(ctx, op, inputs, out.shape, {
      kernel: "compare",
      prelude: `alias T = ${t};\nfn unordered(p: T, q: T) -> bool { return ${
        t === "f32" ? "is_nan(p) || is_nan(q)" : "false"
      }; }`,
      constants: { OP: code },
    });
  };
}

const whereKernel: GpuKernel<"where"> = (ctx, inputs, _p, out) => {
  const [c, a, b] = inputs;
  const label = describe("where", inputs);
  // Operand order in the words: a, b, cond (strides at 12, 20, 28).
  const words = broadcastWords(label, out.shape, [a, b, c]);
  const o = ctx.alloc(sizeOf(out.shape), label);
  ctx.launch({
    kernel: "where",
    prelude: `alias T = ${wgslType(out.dtype)};`,
    buffers: [c.storage.buffer, a.storage.buffer, b.storage.buffer, o.buffer],
    words,
    threads: words[0],
    label,
  });
  return o;
};

const castKernel: GpuKernel<"cast"> = (ctx, [x], p, out) => {
  const ti = wgslType(x.dtype), to = wgslType(p.dtype);
  const n = sizeOf(out.shape);
  const label = describe(`cast to ${p.dtype}`, [x]);
  const o = ctx.alloc(n, label, true);
  if (ti === to) {
    if (n > 0) ctx.dispatcher.copy(x.storage.buffer, o.buffer, n * 4);
    return o;
  }
  ctx.launchChunked({
    kernel: "cast",
    prelude: `alias TI = ${ti};\nalias TO = ${to};\n` +
      `fn convert(v: TI) -> TO { return ${ti}_to_${to}(v); }`,
    faults: true,
    bindFaults: ti === "f32" && to === "i32", // only this conversion can fault
    buffers: [x.storage.buffer, o.buffer],
    words: [n],
    threads: n,
    label,
    describeFault: (i, bits) =>
      `cast: element ${i} of [${x.shape.join(",")}] ${x.dtype} is ${
        new Float32Array(new Uint32Array([bits]).buffer)[0]
      }, which int32 cannot hold`,
  }, n);
  return o;
};

const table: Record<string, unknown> = { where: whereKernel, cast: castKernel };
for (const op of UNARY_PRIMS) table[op] = unaryKernel(op);
for (const op of BINARY_PRIMS) table[op] = binaryKernel(op);
for (const op of COMPARE_PRIMS) table[op] = compareKernel(op);

/** WebGPU kernels of the elementwise primitives, keyed by primitive name. */
export const elementwiseKernels: GpuKernelTable<
  UnaryPrim | BinaryPrim | ComparePrim | "where" | "cast"
> = table as GpuKernelTable<UnaryPrim | BinaryPrim | ComparePrim | "where" | "cast">;

/**
 * The CPU's fused elementwise pass (see `ElementwiseProgram`): a program whose ops all have SIMD
 * kernels runs on the WebAssembly program kernel (`wasm/program.ts`); otherwise it becomes one
 * generated JavaScript loop, compiled once per program structure, that reads every input element
 * (with broadcast strides), runs the steps and writes the outputs. Each step rounds to float32
 * as the primitive's kernel does (`Math.fround`), so results are bit-identical to the unfused
 * primitives either way.
 *
 * @module
 */
import type { ElementwiseProgram, ElementwiseStep } from "../backend.ts";
import { programKey } from "../program_key.ts";
import type { TypedArray } from "../../core/dtype.ts";
import { broadcastStrides, type Shape, sizeOf } from "../../core/shape.ts";
import { allocate, release } from "./alloc.ts";
import { runProgram } from "./wasm/program.ts";
import type { CpuInput } from "./kernel.ts";
import { forEachRow } from "./strided.ts";

/**
 * The most elements a generated loop takes (for programs the WebAssembly program kernel cannot
 * run): one op's SIMD kernel costs about 3 us to launch and under 0.3 ns an element, a loop step
 * about 1 ns an element per op, so past about 4,000 elements the primitives are faster.
 */
export const FUSED_LOOP_LIMIT = 4096;

/** `out_k[o + i] = value(i)` for `i < n`, input `k` read at `offsets[k] + i * steps[k]`. */
type RowLoop = (
  ins: readonly TypedArray[],
  offsets: readonly number[],
  steps: readonly number[],
  outs: readonly TypedArray[],
  o: number,
  n: number,
) => void;

/** Helpers the generated code calls, the same functions as the unfused kernels. */
const HELPERS = {
  sigmoid: (v: number) => (v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v))),
  roundEven: (v: number) => {
    const r = Math.round(v);
    return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
  },
};

const MATH: Record<string, string> = {
  exp: "exp",
  log: "log",
  log1p: "log1p",
  expm1: "expm1",
  sqrt: "sqrt",
  sin: "sin",
  cos: "cos",
  tanh: "tanh",
};

/** The expression of one step over the values `a`, `b`, `c` (already named). */
function expression(s: ElementwiseStep, [a, b, c]: readonly string[], literal: string): string {
  const op = s.op;
  if (op in MATH) return `fr(Math.${MATH[op]}(${a}))`;
  switch (op) {
    case "literal":
      return literal;
    case "neg":
      return `-${a}`;
    case "abs":
      return `Math.abs(${a})`;
    case "sign":
      return `(${a} > 0 ? 1 : ${a} < 0 ? -1 : ${a})`;
    case "sigmoid":
      return `fr(H.sigmoid(${a}))`;
    case "relu":
      return `(${a} === -Infinity ? 0 : (${a} + Math.abs(${a})) * 0.5)`;
    case "floor":
      return `Math.floor(${a})`;
    case "ceil":
      return `Math.ceil(${a})`;
    case "round":
      return `H.roundEven(${a})`;
    case "add":
      return `fr(${a} + ${b})`;
    case "sub":
      return `fr(${a} - ${b})`;
    case "mul":
      return `fr(${a} * ${b})`;
    case "div":
      return `fr(${a} / ${b})`;
    case "pow":
      return `fr(Math.pow(${a}, ${b}))`;
    case "maximum":
      return `(${a} > ${b} || ${a} !== ${a} ? ${a} : ${b})`;
    case "minimum":
      return `(${a} < ${b} || ${a} !== ${a} ? ${a} : ${b})`;
    case "equal":
      return `+(${a} === ${b})`;
    case "notEqual":
      return `+(${a} !== ${b})`;
    case "greater":
      return `+(${a} > ${b})`;
    case "greaterEqual":
      return `+(${a} >= ${b})`;
    case "less":
      return `+(${a} < ${b})`;
    case "lessEqual":
      return `+(${a} <= ${b})`;
    case "where":
      return `(${a} !== 0 ? ${b} : ${c})`;
    case "cast":
      return a;
  }
  throw new Error(`fused elementwise: no CPU code for ${op}`);
}

/** The generated loop's source for program `p`. */
export function loopSource(p: ElementwiseProgram): string {
  const k = p.inputs.length;
  const head: string[] = [];
  for (let i = 0; i < k; i++) {
    head.push(`const x${i} = ins[${i}], f${i} = offsets[${i}], s${i} = steps[${i}];`);
  }
  p.outputs.forEach((_, j) => head.push(`const o${j} = outs[${j}];`));
  const body: string[] = [];
  for (let i = 0; i < k; i++) body.push(`const v${i} = x${i}[f${i} + i * s${i}];`);
  p.steps.forEach((s, j) => {
    const id = k + j;
    const literal = `L[${j}]`;
    if (s.op === "literal") head.push(`const v${id} = fr(${literal}.value);`);
    else body.push(`const v${id} = ${expression(s, s.args.map((a) => `v${a}`), literal)};`);
  });
  p.outputs.forEach((v, j) => body.push(`o${j}[o + i] = v${v};`));
  return `${head.join("\n")}\nfor (let i = 0; i < n; i++) {\n  ${body.join("\n  ")}\n}`;
}

const loops = new Map<string, RowLoop>();

/** The compiled loop of program `p` (cached by structure). */
function loopOf(p: ElementwiseProgram): RowLoop {
  const key = programKey(p);
  let f = loops.get(key);
  if (f === undefined) {
    const make = new Function(
      "fr",
      "H",
      "L",
      `return (ins, offsets, steps, outs, o, n) => {\n${loopSource(p)}\n};`,
    );
    f = make(Math.fround, HELPERS, p.steps) as RowLoop;
    loops.set(key, f);
  }
  return f;
}

/**
 * Runs program `p` over `inputs` broadcast to `shape`; one new array per output. Programs whose
 * ops all have SIMD kernels, over heap operands contiguous like the output (or single elements),
 * run on the WebAssembly program kernel; others as a generated loop up to `FUSED_LOOP_LIMIT`
 * elements; past that `undefined` (the primitives are faster).
 */
export function fusedElementwise(
  p: ElementwiseProgram,
  inputs: readonly CpuInput[],
  shape: Shape,
): TypedArray[] | undefined {
  const n = sizeOf(shape);
  const outs = p.outputs.map((v) => {
    const dtype = v < p.inputs.length ? p.inputs[v] : p.steps[v - p.inputs.length].dtype;
    return allocate(dtype, n, false);
  });
  if (n === 0) return outs;
  const ins = inputs.map((x) => x.storage);
  if (runProgram(p, ins, inputs.map((x) => sizeOf(x.shape)), outs, n)) return outs;
  if (n > FUSED_LOOP_LIMIT) {
    outs.forEach(release);
    return undefined;
  }
  const loop = loopOf(p);
  const strides = inputs.map((x) => broadcastStrides(x.shape, shape));
  forEachRow(shape, strides, (o, offsets, len, steps) => loop(ins, offsets, steps, outs, o, len));
  return outs;
}

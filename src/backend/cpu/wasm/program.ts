/**
 * Fused elementwise programs on the WebAssembly SIMD kernel `program_f32` (`wasm/program.c`):
 * the program is encoded as integer words in the heap, and long arrays are split between the
 * pool's threads, each with its own register file; operands outside the heap are copied in and
 * out. Only ops with a SIMD kernel that gives the
 * TypeScript kernels' bits qualify (arithmetic, comparisons, `where`, the exact unary ops), and
 * operands that are contiguous like the output or a single element; other programs return false.
 *
 * @module
 */
import type { ElementwiseProgram } from "../../backend.ts";
import { freeScratch, heapAddress, scratch, wasmHeap } from "./heap.ts";
import { runTasks, splitRange } from "./pool.ts";
import { BINARY, COMPARE, UNARY } from "./elementwise.ts";

const BLOCK = 256;
/** Programs over fewer elements run as generated TypeScript loops (no call into WebAssembly). */
export const PROGRAM_MIN = 256;
/** Arrays of at least this many elements are split between threads. */
const PARALLEL_MIN = 1 << 16;

/** Op codes of `wasm/program.c`: the elementwise kernels' codes, binary +10, comparisons +20. */
const OPS: Record<string, number> = {
  ...UNARY,
  ...Object.fromEntries(Object.entries(BINARY).map(([k, v]) => [k, v + 10])),
  ...Object.fromEntries(Object.entries(COMPARE).map(([k, v]) => [k, v + 20])),
  where: 30,
  cast: 31,
  literal: 32,
};

/** The program's words (see `wasm/program.c`), or undefined when an op has no SIMD kernel. */
export function encodeProgram(
  p: ElementwiseProgram,
  scalar: readonly boolean[],
): Int32Array | undefined {
  const k = p.inputs.length;
  if (p.steps.some((s) => OPS[s.op] === undefined)) return undefined;
  const words = [k + p.steps.length, p.steps.length, k, p.outputs.length];
  p.inputs.forEach((d, i) => words.push((d === "bool" ? 1 : 0) + (scalar[i] ? 2 : 0), i));
  const dtypeOf = (v: number) => (v < k ? p.inputs[v] : p.steps[v - k].dtype);
  p.outputs.forEach((v) => words.push(dtypeOf(v) === "bool" ? 1 : 0, v));
  const bits = new Int32Array(1);
  const f = new Float32Array(bits.buffer);
  p.steps.forEach((s, j) => {
    f[0] = s.value ?? 0;
    words.push(OPS[s.op], k + j, s.args[0] ?? 0, s.args[1] ?? 0, s.args[2] ?? 0, bits[0]);
  });
  return Int32Array.from(words);
}

/**
 * Runs `p` over `n` elements on the SIMD kernel: `inputs` contiguous like the output or of one
 * element, `outputs` allocated; false (nothing written) when the program, an operand's place in
 * memory or the heap's room does not allow it.
 */
export function runProgram(
  p: ElementwiseProgram,
  inputs: readonly ArrayBufferView[],
  sizes: readonly number[],
  outputs: readonly ArrayBufferView[],
  n: number,
): boolean {
  const heap = wasmHeap();
  if (heap === undefined || n < PROGRAM_MIN) return false;
  const scalar = sizes.map((s) => s === 1 && n !== 1);
  if (sizes.some((s, i) => s !== n && !scalar[i])) return false;
  const words = encodeProgram(p, scalar);
  if (words === undefined) return false;

  // Operands outside the heap (tensors made outside any scope) are copied in, and out.
  const all = [...inputs, ...outputs];
  const away = all.map((a) => heapAddress(a) < 0);
  const parts = n >= PARALLEL_MIN ? splitRange(n, BLOCK, true) : [[0, n] as [number, number]];
  const regBytes = words[0] * BLOCK * 4;
  const copies = all.map((a, i) => (away[i] ? a.byteLength : 0)).filter((b) => b > 0);
  const mem = scratch(words.length * 4, all.length * 4, ...parts.map(() => regBytes), ...copies);
  if (mem === undefined) return false;
  try {
    const [prog, ptrs] = mem;
    const regs = mem.slice(2, 2 + parts.length);
    const spare = mem.slice(2 + parts.length);
    const bytes = new Uint8Array(heap.memory.buffer);
    const addrs = all.map((a, i) => {
      if (!away[i]) return heapAddress(a);
      const at = spare.shift()!;
      if (i < inputs.length) bytes.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), at);
      return at;
    });
    const i32 = new Int32Array(heap.memory.buffer);
    i32.set(words, prog / 4);
    i32.set(addrs, ptrs / 4);
    if (parts.length === 1) heap.kernels.program_f32(prog, ptrs, 0, n, regs[0]);
    else {
      runTasks(
        heap.kernels,
        parts.map(([i0, i1], t) => ({
          kernel: "program_f32" as const,
          args: [prog, ptrs, i0, i1 - i0, regs[t]],
        })),
      );
    }
    outputs.forEach((o, j) => {
      const i = inputs.length + j;
      if (away[i]) {
        new Uint8Array(o.buffer, o.byteOffset, o.byteLength)
          .set(new Uint8Array(heap.memory.buffer, addrs[i], o.byteLength));
      }
    });
  } finally {
    freeScratch(mem);
  }
  return true;
}

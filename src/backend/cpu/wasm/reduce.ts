/**
 * Sums of float32 heap tensors on the WebAssembly kernels (`wasm/reduce.c`), accumulated in
 * float64 in the TypeScript kernel's order (the same bits), for the layouts training produces:
 * the reduced axes, after merging neighbours, form a suffix, a prefix, one middle run, or both
 * ends around kept axes (a bias gradient over N, H and W). Other layouts return `undefined`.
 *
 * @module
 */
import { freeScratch, heapAddress, heapF32, scratch, wasmHeap } from "./heap.ts";

/** Runs of the shape alternating kept and reduced axes: [size, reduced]. */
function runs(shape: readonly number[], axes: readonly number[]): [number, boolean][] {
  const out: [number, boolean][] = [];
  shape.forEach((d, i) => {
    if (d === 1) return;
    const r = axes.includes(i);
    const last = out[out.length - 1];
    if (last && last[1] === r) last[0] *= d;
    else out.push([d, r]);
  });
  return out;
}

/** `Σ x` over `axes` into `dst` (float32, in the heap); false when the layout does not fit. */
export function sumF32(
  x: Float32Array,
  shape: readonly number[],
  axes: readonly number[],
  dst: Float32Array,
): boolean {
  const heap = wasmHeap();
  const px = heapAddress(x), pd = heapAddress(dst);
  if (heap === undefined || px < 0 || pd < 0 || x.length < 64) return false;
  const r = runs(shape, axes);
  const k = heap.kernels;
  const s = scratch(dst.length * 8);
  if (s === undefined) return false;
  const acc = s[0];
  try {
    new Float64Array(heapF32().buffer, acc, dst.length).fill(0);
    const pattern = r.map(([, red]) => (red ? "R" : "K")).join("");
    const size = (i: number) => r[i][0];
    if (pattern === "R" || pattern === "KR") {
      k.sum_rows_f32(pattern === "R" ? 1 : size(0), size(r.length - 1), px, acc);
    } else if (pattern === "RK") k.sum_cols_f32(1, size(0), size(1), px, acc);
    else if (pattern === "KRK") k.sum_cols_f32(size(0), size(1), size(2), px, acc);
    else if (pattern === "RKR") {
      const [a, c, b] = [size(0), size(1), size(2)];
      for (let i = 0; i < a; i++) k.sum_rows_f32(c, b, px + i * c * b * 4, acc);
    } else return false;
    k.f64_to_f32(dst.length, acc, pd);
    return true;
  } finally {
    freeScratch(s);
  }
}

/**
 * Strided iteration shared by the CPU kernels: visit every element of an output shape while
 * tracking the matching offsets into inputs read through arbitrary strides (0 for broadcast).
 *
 * @module
 */
import type { Shape } from "../../core/shape.ts";

/**
 * Calls `body(outIndex, offsets)` once per row of the innermost dimension of `shape`: `offsets[k]`
 * is input k's offset of the row's first element; the caller walks the row with `strides[k][last]`.
 * Returns nothing for empty shapes. A scalar shape is one row of length 1.
 */
export function forEachRow(
  shape: Shape,
  strides: readonly (readonly number[])[],
  body: (outStart: number, offsets: Int32Array | number[]) => void,
): void {
  const r = shape.length;
  const n = strides.length;
  const offsets = new Array<number>(n).fill(0);
  if (r === 0) {
    body(0, offsets);
    return;
  }
  const inner = shape[r - 1];
  let rows = 1;
  for (let d = 0; d < r - 1; d++) rows *= shape[d];
  if (inner === 0 || rows === 0) return;
  const idx = new Array<number>(r - 1).fill(0);
  for (let row = 0; row < rows; row++) {
    body(row * inner, offsets);
    for (let d = r - 2; d >= 0; d--) {
      idx[d]++;
      for (let k = 0; k < n; k++) offsets[k] += strides[k][d];
      if (idx[d] < shape[d]) break;
      for (let k = 0; k < n; k++) offsets[k] -= strides[k][d] * shape[d];
      idx[d] = 0;
    }
  }
}

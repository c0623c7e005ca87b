/**
 * Strided iteration shared by the CPU kernels: visit every element of an output shape while
 * tracking the matching offsets into operands read through arbitrary strides (0 for broadcast).
 *
 * @module
 */
import { collapseDims, type Shape } from "../../core/shape.ts";

/**
 * Calls `body(outStart, offsets, n, steps)` once per run of consecutive output elements in
 * row-major order over `shape`: the run covers output elements `outStart .. outStart + n - 1`,
 * and operand `k` reads them at `offsets[k] + i * steps[k]`. Dimensions are merged where the
 * layout allows (see `collapseDims`), so runs are long. Empty shapes visit nothing; a scalar shape is
 * one run of length 1.
 */
export function forEachRow(
  shape: Shape,
  strides: readonly (readonly number[])[],
  body: (outStart: number, offsets: readonly number[], n: number, steps: readonly number[]) => void,
): void {
  if (shape.some((d) => d === 0)) return;
  const c = collapseDims(shape, strides);
  const r = c.shape.length;
  const offsets = new Array<number>(strides.length).fill(0);
  if (r === 0) {
    body(0, offsets, 1, offsets.map(() => 0));
    return;
  }
  const inner = c.shape[r - 1];
  const steps = c.strides.map((s) => s[r - 1]);
  let rows = 1;
  for (let d = 0; d < r - 1; d++) rows *= c.shape[d];
  const idx = new Array<number>(r - 1).fill(0);
  for (let row = 0; row < rows; row++) {
    body(row * inner, offsets, inner, steps);
    for (let d = r - 2; d >= 0; d--) {
      idx[d]++;
      for (let k = 0; k < offsets.length; k++) offsets[k] += c.strides[k][d];
      if (idx[d] < c.shape[d]) break;
      for (let k = 0; k < offsets.length; k++) offsets[k] -= c.strides[k][d] * c.shape[d];
      idx[d] = 0;
    }
  }
}

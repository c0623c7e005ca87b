/**
 * Strided iteration shared by the CPU kernels: visit every element of an output shape while
 * tracking the matching offsets into operands read through arbitrary strides (0 for broadcast).
 *
 * @module
 */
import type { Shape } from "../../core/shape.ts";

/**
 * Merges dimensions that every operand walks contiguously (dimension `d` into `d + 1` when each
 * operand's stride at `d` equals its stride at `d + 1` times that size) and drops size-1
 * dimensions, so rows are as long as the layout allows: a bias added over `[N, C, H, W]` runs
 * rows of `H * W`, and equal shapes run one row.
 */
function collapse(
  shape: Shape,
  strides: readonly (readonly number[])[],
): { shape: number[]; strides: number[][] } {
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    if (shape[d] === 1) continue;
    const last = outShape.length - 1;
    const mergeable = last >= 0 &&
      strides.every((s, k) => outStrides[k][last] === s[d] * shape[d]);
    if (mergeable) {
      outShape[last] *= shape[d];
      strides.forEach((s, k) => (outStrides[k][last] = s[d]));
    } else {
      outShape.push(shape[d]);
      strides.forEach((s, k) => outStrides[k].push(s[d]));
    }
  }
  return { shape: outShape, strides: outStrides };
}

/**
 * Calls `body(outStart, offsets, n, steps)` once per run of consecutive output elements in
 * row-major order over `shape`: the run covers output elements `outStart .. outStart + n - 1`,
 * and operand `k` reads them at `offsets[k] + i * steps[k]`. Dimensions are merged where the
 * layout allows (see `collapse`), so runs are long. Empty shapes visit nothing; a scalar shape is
 * one run of length 1.
 */
export function forEachRow(
  shape: Shape,
  strides: readonly (readonly number[])[],
  body: (outStart: number, offsets: readonly number[], n: number, steps: readonly number[]) => void,
): void {
  if (shape.some((d) => d === 0)) return;
  const c = collapse(shape, strides);
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

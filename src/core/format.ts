/**
 * Text rendering of tensor values, abbreviated like NumPy's when large.
 *
 * @module
 */
import type { DType, TypedArray } from "./dtype.ts";
import { type Shape, sizeOf, stridesOf } from "./shape.ts";

/** Past this many elements, each dimension shows only its first and last `EDGE` entries. */
const THRESHOLD = 1000;
const EDGE = 3;

function formatNumber(v: number, dtype: DType): string {
  if (dtype === "bool") return v ? "true" : "false";
  if (dtype === "int32") return String(v);
  if (Number.isNaN(v)) return "NaN";
  if (!Number.isFinite(v)) return v > 0 ? "Inf" : "-Inf";
  if (Number.isInteger(v) && Math.abs(v) < 1e8) return `${v}.`;
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-4 || a >= 1e8) ? v.toExponential(4) : String(Number(v.toPrecision(5)));
}

/** Renders `data` of the given shape as nested brackets. */
export function formatValues(data: TypedArray, shape: Shape, dtype: DType): string {
  const summarize = sizeOf(shape) > THRESHOLD;
  const strides = stridesOf(shape);
  const cells: string[] = [];
  // First pass: collect the shown elements so all columns share one width.
  const indices = (dim: number): (number | null)[] => {
    const n = shape[dim];
    if (!summarize || n <= 2 * EDGE) return Array.from({ length: n }, (_, i) => i);
    return [
      ...Array.from({ length: EDGE }, (_, i) => i),
      null,
      ...Array.from({ length: EDGE }, (_, i) => n - EDGE + i),
    ];
  };
  const collect = (dim: number, offset: number) => {
    if (dim === shape.length) {
      cells.push(formatNumber(data[offset], dtype));
      return;
    }
    for (const i of indices(dim)) if (i !== null) collect(dim + 1, offset + i * strides[dim]);
  };
  collect(0, 0);
  const width = Math.max(0, ...cells.map((c) => c.length));
  let next = 0;
  const render = (dim: number, offset: number, indent: string): string => {
    if (dim === shape.length) return cells[next++].padStart(width);
    const parts = indices(dim).map((i) =>
      i === null ? "..." : render(dim + 1, offset + i * strides[dim], indent + " ")
    );
    // Rows end in one newline, matrices in two, and so on, as NumPy prints them.
    const sep = dim === shape.length - 1 ? ", " : "," + "\n".repeat(shape.length - 1 - dim) +
      indent + " ";
    return `[${parts.join(sep)}]`;
  };
  return render(0, 0, "");
}

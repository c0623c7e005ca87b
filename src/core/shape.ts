/**
 * Shapes, strides, broadcasting and axis normalization, shared by every op and backend.
 *
 * @module
 */

/** A tensor's shape: the size of each dimension, outermost first. */
export type Shape = readonly number[];

/** Formats a shape as `[2,3]`, the form every error message uses. */
export function fmtShape(shape: Shape): string {
  return `[${shape.join(",")}]`;
}

/** The number of elements of a tensor of this shape (1 for a scalar). */
export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major (C-order) strides, in elements. */
export function stridesOf(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

/** Whether two shapes are equal. */
export function shapesEqual(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Throws unless every dimension is a non-negative integer. */
export function checkShape(op: string, shape: unknown): Shape {
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new TypeError(
      `${op}: a shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`,
    );
  }
  return shape as Shape;
}

/** The shape NumPy broadcasting gives to operands of these shapes, or an error naming `op`. */
export function broadcastShapes(op: string, ...shapes: Shape[]): number[] {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array<number>(rank).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const j = rank - s.length + i;
      const d = s[i];
      if (d === out[j] || d === 1) continue;
      if (out[j] === 1) out[j] = d;
      else {
        throw new Error(
          `${op}: shapes cannot be broadcast together: ${shapes.map(fmtShape).join(" and ")}`,
        );
      }
    }
  }
  return out;
}

/**
 * Resolves a possibly negative axis against a rank, or throws naming `op`. Pass the tensor's shape
 * instead of its rank to have the error message show it.
 */
export function normalizeAxis(op: string, axis: number, rankOrShape: number | Shape): number {
  const rank = typeof rankOrShape === "number" ? rankOrShape : rankOrShape.length;
  if (typeof axis !== "number" || !Number.isInteger(axis)) {
    let shown: string;
    try {
      shown = JSON.stringify(axis) ?? String(axis);
    } catch {
      shown = String(axis);
    }
    throw new TypeError(`${op}: axis must be an integer, got ${shown}`);
  }
  if (axis < -rank || axis >= rank) {
    const of = typeof rankOrShape === "number" ? "" : ` ${fmtShape(rankOrShape)}`;
    throw new RangeError(
      `${op}: axis ${axis} is out of range for a tensor of rank ${rank}${of} ` +
        `(valid axes are ${rank === 0 ? "none" : `${-rank} to ${rank - 1}`})`,
    );
  }
  return axis < 0 ? axis + rank : axis;
}

/**
 * Resolves an axis argument (one axis, several, or `undefined` for all) to sorted, distinct,
 * non-negative axes.
 */
export function normalizeAxes(
  op: string,
  axis: number | readonly number[] | undefined,
  rankOrShape: number | Shape,
): number[] {
  const rank = typeof rankOrShape === "number" ? rankOrShape : rankOrShape.length;
  if (axis === undefined) return Array.from({ length: rank }, (_, i) => i);
  if (typeof axis !== "number" && !Array.isArray(axis)) {
    throw new TypeError(
      `${op}: axis must be an integer or an array of integers, got ${JSON.stringify(axis)}`,
    );
  }
  const list = typeof axis === "number" ? [axis] : [...axis];
  const out = list.map((a) => normalizeAxis(op, a, rankOrShape));
  if (new Set(out).size !== out.length) {
    const of = typeof rankOrShape === "number"
      ? ""
      : ` for a tensor of shape ${fmtShape(rankOrShape)}`;
    throw new Error(`${op}: repeated axis in ${JSON.stringify(list)}${of}`);
  }
  return out.sort((a, b) => a - b);
}

/**
 * Strides that read a tensor of shape `from` as if broadcast to shape `to` (0 on broadcast
 * dimensions). `from` must broadcast to `to`.
 */
export function broadcastStrides(from: Shape, to: Shape): number[] {
  const strides = stridesOf(from);
  const out = new Array<number>(to.length).fill(0);
  for (let i = 0; i < from.length; i++) {
    const j = to.length - from.length + i;
    out[j] = from[i] === 1 && to[j] !== 1 ? 0 : strides[i];
  }
  return out;
}

/**
 * Merges dimensions that every operand walks contiguously (dimension `d` into `d + 1` when each
 * operand's stride at `d` equals its stride at `d + 1` times that size) and drops size-1
 * dimensions, so rows are as long as the layout allows: a bias added over `[N, C, H, W]` runs
 * rows of `H * W`, and equal shapes run one row.
 */
export function collapseDims(
  shape: readonly number[],
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

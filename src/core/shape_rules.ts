/**
 * Abstract evaluation of every primitive: the output shape and dtype from the inputs' shapes and
 * dtypes, with the validation that makes a shape bug an error instead of a silent NaN.
 *
 * @module
 */
import { convShape, poolShape } from "./conv_shapes.ts";
import { type DType, isFloat } from "./dtype.ts";
import {
  BINARY_PRIMS,
  COMPARE_PRIMS,
  type PrimName,
  type PrimParams,
  UNARY_PRIMS,
} from "./primitives.ts";
import { broadcastShapes, fmtShape, type Shape, shapesEqual, sizeOf } from "./shape.ts";

/** What a shape rule sees of a tensor. */
export interface Abstract {
  /** The tensor's shape. */
  readonly shape: Shape;
  /** The tensor's dtype. */
  readonly dtype: DType;
}

/** The output a primitive will produce. */
export interface OutAbstract {
  /** Output shape. */
  shape: number[];
  /** Output dtype. */
  dtype: DType;
}

type Rule<P extends PrimName> = (inputs: readonly Abstract[], params: PrimParams[P]) => OutAbstract;

const describe = (xs: readonly Abstract[]) =>
  xs.map((x) => `${fmtShape(x.shape)} ${x.dtype}`).join(", ");

function sameDType(op: string, xs: readonly Abstract[]): DType {
  const d = xs[0].dtype;
  if (xs.some((x) => x.dtype !== d)) throw new TypeError(`${op}: dtypes differ: ${describe(xs)}`);
  return d;
}

function reduceShape(op: string, x: Abstract, axes: readonly number[], keepdims: boolean) {
  for (const a of axes) {
    if (a < 0 || a >= x.shape.length) {
      throw new RangeError(`${op}: axis ${a} out of range for shape ${fmtShape(x.shape)}`);
    }
  }
  const out: number[] = [];
  x.shape.forEach((d, i) => {
    if (!axes.includes(i)) out.push(d);
    else if (keepdims) out.push(1);
  });
  return out;
}

function requireFloat(op: string, xs: readonly Abstract[]) {
  if (xs.some((x) => !isFloat(x.dtype))) {
    throw new TypeError(`${op}: expects floating-point inputs, got ${describe(xs)}`);
  }
}

function gatherCheck(op: string, x: Abstract, idx: Abstract, axis: number) {
  if (idx.dtype !== "int32") {
    throw new TypeError(`${op}: indices must be int32, got ${idx.dtype}`);
  }
  if (axis < 0 || axis >= x.shape.length || idx.shape.length !== x.shape.length) {
    throw new Error(
      `${op}: indices ${fmtShape(idx.shape)} must have the rank of ${
        fmtShape(x.shape)
      } and axis ${axis} must be in range`,
    );
  }
}

const elementwise: Partial<{ [P in PrimName]: Rule<P> }> = {};
for (const p of UNARY_PRIMS) elementwise[p] = ([x]) => ({ shape: [...x.shape], dtype: x.dtype });
/** The broadcast shape of `xs`, or an error naming the op, every shape and every dtype. */
function broadcastAll(op: string, xs: readonly Abstract[]): number[] {
  try {
    return broadcastShapes(op, ...xs.map((x) => x.shape));
  } catch {
    throw new Error(
      `${op}: shapes cannot be broadcast together: ${
        xs.map((x) => `${fmtShape(x.shape)} ${x.dtype}`).join(" and ")
      }`,
    );
  }
}

for (const p of BINARY_PRIMS) {
  elementwise[p] = (xs) => ({
    shape: broadcastAll(p, xs),
    dtype: sameDType(p, xs),
  });
}
for (const p of COMPARE_PRIMS) {
  elementwise[p] = (xs) => {
    sameDType(p, xs);
    return { shape: broadcastAll(p, xs), dtype: "bool" };
  };
}

/** The shape rule of every primitive, keyed by primitive name. */
export const shapeRules: { [P in PrimName]: Rule<P> } = {
  ...(elementwise as { [P in PrimName]: Rule<P> }),
  where: ([c, a, b]) => {
    if (c.dtype !== "bool") {
      throw new TypeError(
        `where: condition must be bool, got ${fmtShape(c.shape)} ${c.dtype}; ` +
          `compare first (e.g. greater(x, 0)) or cast(cond, "bool")`,
      );
    }
    return {
      shape: broadcastAll("where", [c, a, b]),
      dtype: sameDType("where", [a, b]),
    };
  },
  cast: ([x], p) => ({ shape: [...x.shape], dtype: p.dtype }),
  sum: ([x], p) => ({ shape: reduceShape("sum", x, p.axes, p.keepdims), dtype: x.dtype }),
  max: ([x], p) => {
    const shape = reduceShape("max", x, p.axes, p.keepdims);
    if (p.axes.some((a) => x.shape[a] === 0)) {
      throw new Error(`max: cannot reduce an empty axis of ${fmtShape(x.shape)}`);
    }
    return { shape, dtype: x.dtype };
  },
  min: ([x], p) => {
    const shape = reduceShape("min", x, p.axes, p.keepdims);
    if (p.axes.some((a) => x.shape[a] === 0)) {
      throw new Error(`min: cannot reduce an empty axis of ${fmtShape(x.shape)}`);
    }
    return { shape, dtype: x.dtype };
  },
  argmax: ([x], p) => {
    if (x.shape[p.axis] === 0) throw new Error(`argmax: empty axis in ${fmtShape(x.shape)}`);
    return { shape: reduceShape("argmax", x, [p.axis], p.keepdims), dtype: "int32" };
  },
  argmin: ([x], p) => {
    if (x.shape[p.axis] === 0) throw new Error(`argmin: empty axis in ${fmtShape(x.shape)}`);
    return { shape: reduceShape("argmin", x, [p.axis], p.keepdims), dtype: "int32" };
  },
  matmul: ([a, b]) => {
    const dtype = sameDType("matmul", [a, b]);
    if (a.shape.length < 2 || b.shape.length < 2 || a.shape.length !== b.shape.length) {
      throw new Error(
        `matmul: primitive expects operands of equal rank >= 2, got ${fmtShape(a.shape)} x ${
          fmtShape(b.shape)
        }`,
      );
    }
    const r = a.shape.length;
    const [m, k] = a.shape.slice(r - 2);
    const [k2, n] = b.shape.slice(r - 2);
    if (k !== k2) {
      throw new Error(
        `matmul: inner dimensions differ: ${fmtShape(a.shape)} x ${fmtShape(b.shape)}`,
      );
    }
    const batch = broadcastShapes("matmul", a.shape.slice(0, r - 2), b.shape.slice(0, r - 2));
    return { shape: [...batch, m, n], dtype };
  },
  reshape: ([x], p) => {
    if (sizeOf(p.shape) !== sizeOf(x.shape)) {
      throw new Error(
        `reshape: cannot reshape ${fmtShape(x.shape)} (${sizeOf(x.shape)} elements) to ${
          fmtShape(p.shape)
        } (${sizeOf(p.shape)} elements)`,
      );
    }
    return { shape: [...p.shape], dtype: x.dtype };
  },
  transpose: ([x], p) => {
    const r = x.shape.length;
    const sorted = [...p.perm].sort((a, b) => a - b);
    if (p.perm.length !== r || !sorted.every((v, i) => v === i)) {
      throw new Error(
        `transpose: ${JSON.stringify(p.perm)} is not a permutation of the ${r} axes of ${
          fmtShape(x.shape)
        }`,
      );
    }
    return { shape: p.perm.map((a) => x.shape[a]), dtype: x.dtype };
  },
  broadcastTo: ([x], p) => {
    const r = p.shape.length;
    const ok = x.shape.length <= r &&
      x.shape.every((d, i) => d === 1 || d === p.shape[r - x.shape.length + i]);
    if (!ok) {
      throw new Error(`broadcastTo: cannot broadcast ${fmtShape(x.shape)} to ${fmtShape(p.shape)}`);
    }
    return { shape: [...p.shape], dtype: x.dtype };
  },
  slice: ([x], p) => ({
    shape: x.shape.map((_, i) => {
      const len = Math.ceil((p.ends[i] - p.starts[i]) / p.steps[i]);
      return Math.max(0, len);
    }),
    dtype: x.dtype,
  }),
  pad: ([x], p) => ({
    shape: x.shape.map((d, i) => {
      const [lo, hi, interior] = p.widths[i];
      return d + lo + hi + Math.max(0, d - 1) * interior;
    }),
    dtype: x.dtype,
  }),
  concat: (xs, p) => {
    const dtype = sameDType("concat", xs);
    const r = xs[0].shape.length;
    for (const x of xs) {
      if (x.shape.length !== r || x.shape.some((d, i) => i !== p.axis && d !== xs[0].shape[i])) {
        throw new Error(
          `concat: shapes must match except on axis ${p.axis}: ${
            xs.map((x) => fmtShape(x.shape)).join(", ")
          }`,
        );
      }
    }
    const shape = [...xs[0].shape];
    shape[p.axis] = xs.reduce((s, x) => s + x.shape[p.axis], 0);
    return { shape, dtype };
  },
  gather: ([x, idx], p) => {
    gatherCheck("gather", x, idx, p.axis);
    if (idx.shape.some((d, i) => i !== p.axis && d !== x.shape[i])) {
      throw new Error(
        `gather: indices ${fmtShape(idx.shape)} must match ${
          fmtShape(x.shape)
        } on every axis but ${p.axis}`,
      );
    }
    return { shape: [...idx.shape], dtype: x.dtype };
  },
  scatterAdd: ([base, idx, upd], p) => {
    gatherCheck("scatterAdd", base, idx, p.axis);
    sameDType("scatterAdd", [base, upd]);
    if (
      !shapesEqual(idx.shape, upd.shape) ||
      idx.shape.some((d, i) => i !== p.axis && d !== base.shape[i])
    ) {
      throw new Error(
        `scatterAdd: updates ${fmtShape(upd.shape)} and indices ${
          fmtShape(idx.shape)
        } must agree, and match ${fmtShape(base.shape)} on every axis but ${p.axis}`,
      );
    }
    return { shape: [...base.shape], dtype: base.dtype };
  },
  conv2d: ([x, w], p) => {
    requireFloat("conv2d", [x, w]);
    return { shape: convShape("conv2d", x.shape, w.shape, p), dtype: sameDType("conv2d", [x, w]) };
  },
  conv2dBackwardInput: ([ct, w], p) => {
    const op = "conv2dBackwardInput";
    requireFloat(op, [ct, w]);
    const y = convShape(op, p.inputShape, w.shape, p);
    if (!shapesEqual(y, ct.shape)) {
      throw new Error(`${op}: cotangent ${fmtShape(ct.shape)} should be ${fmtShape(y)}`);
    }
    return { shape: [...p.inputShape], dtype: sameDType(op, [ct, w]) };
  },
  conv2dBackwardFilter: ([x, ct], p) => {
    const op = "conv2dBackwardFilter";
    requireFloat(op, [x, ct]);
    const y = convShape(op, x.shape, p.filterShape, p);
    if (!shapesEqual(y, ct.shape)) {
      throw new Error(`${op}: cotangent ${fmtShape(ct.shape)} should be ${fmtShape(y)}`);
    }
    return { shape: [...p.filterShape], dtype: sameDType(op, [x, ct]) };
  },
  maxPool2d: ([x], p) => ({ shape: poolShape("maxPool2d", x.shape, p), dtype: x.dtype }),
  maxPool2dArgmax: ([x], p) => ({
    shape: poolShape("maxPool2dArgmax", x.shape, p),
    dtype: "int32",
  }),
  avgPool2d: ([x], p) => {
    requireFloat("avgPool2d", [x]);
    return { shape: poolShape("avgPool2d", x.shape, p), dtype: x.dtype };
  },
  avgPool2dBackward: ([ct], p) => {
    const y = poolShape("avgPool2dBackward", p.inputShape, p);
    if (!shapesEqual(y, ct.shape)) {
      throw new Error(
        `avgPool2dBackward: cotangent ${fmtShape(ct.shape)} should be ${fmtShape(y)}`,
      );
    }
    return { shape: [...p.inputShape], dtype: ct.dtype };
  },
};

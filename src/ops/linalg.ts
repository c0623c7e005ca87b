/**
 * Matrix multiplication with NumPy's `matmul` rules.
 *
 * @module
 */
import { bind } from "../autodiff/bind.ts";
import { describeValue } from "../core/check.ts";
import { fmtShape } from "../core/shape.ts";
import { Tensor } from "../core/tensor.ts";
import { cast } from "./cast.ts";
import { promoteTypes } from "../core/dtype.ts";
import { reshape } from "./shape_ops.ts";

/**
 * The matrix product of `a` and `b`, like `numpy.matmul`: the last two axes multiply, leading
 * (batch) axes broadcast, a 1-D left operand is a row vector and a 1-D right operand a column
 * vector (their added axis is removed from the result).
 *
 * @example
 * ```ts
 * import { matmul, tensor } from "@fluxion/fluxion";
 * const a = tensor([[1, 2], [3, 4]]);
 * matmul(a, tensor([[1], [1]])); // [[3], [7]]
 * matmul(a, tensor([1, 1])); // [3, 7]
 * ```
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  for (const t of [a, b]) {
    if (!(t instanceof Tensor)) {
      throw new TypeError(`matmul: expected Tensors, got ${describeValue(t)}`);
    }
  }
  if (a.rank === 0 || b.rank === 0) {
    throw new Error(
      `matmul: operands must be at least 1-D, got ${fmtShape(a.shape)} x ${fmtShape(b.shape)}`,
    );
  }
  const k1 = a.shape[a.rank - 1];
  const k2 = b.rank === 1 ? b.shape[0] : b.shape[b.rank - 2];
  if (k1 !== k2) {
    throw new Error(`matmul: inner dimensions differ: ${fmtShape(a.shape)} x ${fmtShape(b.shape)}`);
  }
  const batchA = a.shape.slice(0, Math.max(0, a.rank - 2));
  const batchB = b.shape.slice(0, Math.max(0, b.rank - 2));
  for (let i = 1; i <= Math.min(batchA.length, batchB.length); i++) {
    const da = batchA[batchA.length - i];
    const db = batchB[batchB.length - i];
    if (da !== db && da !== 1 && db !== 1) {
      throw new Error(
        `matmul: batch dimensions ${fmtShape(batchA)} and ${
          fmtShape(batchB)
        } cannot be broadcast together: ${fmtShape(a.shape)} x ${fmtShape(b.shape)}`,
      );
    }
  }
  if (a.dtype === "bool" || b.dtype === "bool") {
    throw new TypeError(
      `matmul: bool operands are not supported (${a.dtype} x ${b.dtype}); cast first`,
    );
  }
  const dtype = promoteTypes(a.dtype, b.dtype);
  let x = cast(a, dtype);
  let y = cast(b, dtype);
  if (x.rank === 1) x = reshape(x, [1, k1]);
  if (y.rank === 1) y = reshape(y, [k2, 1]);
  const rank = Math.max(x.rank, y.rank);
  const lift = (t: Tensor) =>
    t.rank === rank ? t : reshape(t, [...new Array(rank - t.rank).fill(1), ...t.shape]);
  const out = bind("matmul", [lift(x), lift(y)], {});
  const shape = [...out.shape];
  if (b.rank === 1) shape.pop();
  if (a.rank === 1) shape.splice(shape.length - (b.rank === 1 ? 1 : 2), 1);
  return reshape(out, shape);
}

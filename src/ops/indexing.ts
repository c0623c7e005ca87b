/**
 * Indexing by tensors of int32 indices: `gather` and its transpose `scatterAdd` pick or
 * accumulate along an axis; `take` looks up rows (an embedding lookup).
 *
 * @module
 */
import { bind } from "../autodiff/bind.ts";
import { requireTensor } from "../core/check.ts";
import { fmtShape, normalizeAxis } from "../core/shape.ts";
import type { Tensor } from "../core/tensor.ts";
import { broadcastTo, reshape } from "./shape_ops.ts";

/**
 * Picks values along `axis` by index, like `torch.gather` / `numpy.take_along_axis`: `indices`
 * (int32) has the rank of `x`, matches it on every other axis (size-1 axes broadcast), and
 * `out[..., j, ...] = x[..., indices[..., j, ...], ...]`. Negative indices count from the end.
 *
 * @example
 * ```ts
 * import { gather, tensor } from "@fluxion/fluxion";
 * const logits = tensor([[1, 2, 3], [4, 5, 6]]);
 * gather(logits, tensor([[2], [0]], { dtype: "int32" }), 1); // [[3], [4]]
 * ```
 */
export function gather(x: Tensor, indices: Tensor, axis: number): Tensor {
  requireTensor("gather", x);
  requireTensor("gather", indices);
  const ax = normalizeAxis("gather", axis, x.shape);
  return bind("gather", [x, prepareIndices("gather", x, indices, ax)], { axis: ax });
}

/**
 * `base` plus `updates` added at `indices` along `axis` (the transpose of `gather`; repeated
 * indices accumulate), like `torch.scatter_add`.
 *
 * @example
 * ```ts
 * import { scatterAdd, tensor, zeros } from "@fluxion/fluxion";
 * scatterAdd(zeros([1, 3]), tensor([[0, 0, 2]], { dtype: "int32" }), tensor([[1, 2, 3]]), 1);
 * // [[3, 0, 3]]
 * ```
 */
export function scatterAdd(base: Tensor, indices: Tensor, updates: Tensor, axis: number): Tensor {
  requireTensor("scatterAdd", base);
  requireTensor("scatterAdd", indices);
  requireTensor("scatterAdd", updates);
  const ax = normalizeAxis("scatterAdd", axis, base.shape);
  return bind("scatterAdd", [base, prepareIndices("scatterAdd", base, indices, ax), updates], {
    axis: ax,
  });
}

/** Validates int32 indices of the right rank and broadcasts size-1 axes. */
function prepareIndices(op: string, x: Tensor, indices: Tensor, axis: number): Tensor {
  if (indices.dtype !== "int32") {
    throw new TypeError(`${op}: indices must be int32, got ${indices.dtype}`);
  }
  if (indices.rank !== x.rank) {
    throw new Error(
      `${op}: indices ${fmtShape(indices.shape)} must have the rank of ${fmtShape(x.shape)}`,
    );
  }
  const target = x.shape.map((d, i) => (i === axis ? indices.shape[i] : d));
  return indices.shape.every((d, i) => d === target[i] || d === 1)
    ? broadcastTo(indices, target)
    : indices;
}

/**
 * Takes elements along `axis` at 1-D-or-any-shape `indices` (int32), like `numpy.take`: the
 * result's shape is `x.shape[:axis] + indices.shape + x.shape[axis+1:]` (embedding lookup).
 *
 * @example
 * ```ts
 * import { take, tensor } from "@fluxion/fluxion";
 * const table = tensor([[0, 0], [1, 1], [2, 2]]);
 * take(table, tensor([2, 0, 2], { dtype: "int32" }), 0); // [[2, 2], [0, 0], [2, 2]]
 * ```
 */
export function take(x: Tensor, indices: Tensor, axis = 0): Tensor {
  requireTensor("take", x);
  requireTensor("take", indices);
  const ax = normalizeAxis("take", axis, x.shape);
  const n = indices.size;
  const flatIdx = reshape(indices, [
    ...x.shape.slice(0, ax).map(() => 1),
    n,
    ...x.shape.slice(ax + 1).map(() => 1),
  ]);
  let picked: Tensor;
  try {
    picked = gather(x, flatIdx, ax);
  } catch (e) {
    // Report index errors under the name the user called.
    if (e instanceof Error && e.message.startsWith("gather: ")) {
      const err = new (e.constructor as ErrorConstructor)(`take: ${e.message.slice(8)}`);
      throw err;
    }
    throw e;
  }
  return reshape(picked, [...x.shape.slice(0, ax), ...indices.shape, ...x.shape.slice(ax + 1)]);
}

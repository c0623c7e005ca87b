/**
 * Dtype conversion: `cast`.
 *
 * @module
 */
import { bind } from "../autodiff/bind.ts";
import { requireTensor } from "../core/check.ts";
import { checkDType, type DType } from "../core/dtype.ts";
import type { Tensor } from "../core/tensor.ts";

/**
 * Converts `x` to `dtype` (a no-op when it already has it). Float to int truncates toward zero;
 * anything to `bool` tests for non-zero.
 *
 * @example
 * ```ts
 * import { cast, tensor } from "@fluxion/fluxion";
 * cast(tensor([1.7, -1.7]), "int32"); // [1, -1]
 * ```
 */
export function cast(x: Tensor, dtype: DType): Tensor {
  checkDType("cast", dtype);
  requireTensor("cast", x);
  return x.dtype === dtype ? x : bind("cast", [x], { dtype });
}

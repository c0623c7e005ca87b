/**
 * Option types shared by the losses: the `Reduction` and the `ReductionOptions` every loss takes.
 *
 * @module
 */

/**
 * How a loss turns its elementwise values into the result, as PyTorch's `reduction`: `"mean"`
 * (the default; a weighted mean where the loss has class weights), `"sum"`, or `"none"` (the
 * elementwise losses, shaped like the batch).
 *
 * @example
 * ```ts
 * import { losses, tensor } from "@fluxion/fluxion";
 * const r: losses.Reduction = "sum";
 * losses.mse(tensor([1, 2]), tensor([0, 0]), { reduction: r }); // 5
 * ```
 */
export type Reduction = "mean" | "sum" | "none";

/**
 * The options every loss accepts.
 *
 * @example
 * ```ts
 * import { losses, tensor } from "@fluxion/fluxion";
 * const opts: losses.ReductionOptions = { reduction: "none" };
 * losses.mae(tensor([1, -2]), tensor([0, 0]), opts); // [1, 2]
 * ```
 */
export interface ReductionOptions {
  /** `"mean"` (default), `"sum"` or `"none"`. */
  reduction?: Reduction;
}

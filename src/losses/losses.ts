/**
 * Losses: pure functions of `(prediction, target, options)` returning a tensor, with PyTorch's
 * definitions, reductions (`"mean"`, `"sum"`, `"none"`) and weighting rules, computed in
 * numerically stable forms (log-softmax, log-sum-exp, logits). Errors name the loss, the shapes and
 * the dtypes; prediction and target are never silently broadcast against each other.
 *
 * - Regression: `mse`, `mae`, `huber`.
 * - Binary: `binaryCrossEntropy` (probabilities), `binaryCrossEntropyWithLogits`.
 * - Classes: `crossEntropy` (logits against int32 indices or probabilities), `nll`, `oneHot`.
 * - Distributions: `klDivergence`.
 *
 * @example
 * ```ts
 * import { grad, losses, type Tensor, tensor } from "@fluxion/fluxion";
 * const labels = tensor([1, 0], { dtype: "int32" });
 * const loss = (logits: Tensor) => losses.crossEntropy(logits, labels, { labelSmoothing: 0.1 });
 * const dLogits = grad(loss)(tensor([[0.5, 1.5], [2, -1]])); // softmax minus smoothed targets, / 2
 * ```
 *
 * @module
 */
// `export *` (not named re-exports) so `deno doc` lists the members of the `losses` namespace.
export * from "./types.ts";
export * from "./regression.ts";
export * from "./binary.ts";
export * from "./classification.ts";
export * from "./divergence.ts";

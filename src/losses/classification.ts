/**
 * Classification losses: `crossEntropy` (logits against class indices or class probabilities,
 * with class weights, an ignored index and label smoothing), `nll` (on log-probabilities) and
 * `oneHot`.
 *
 * @module
 */
import { fmtShape, shapesEqual } from "../core/shape.ts";
import type { Tensor } from "../core/tensor.ts";
import { add, div, mul } from "../ops/arithmetic.ts";
import { cast } from "../ops/cast.ts";
import { equal, notEqual, where } from "../ops/comparison.ts";
import { arange } from "../ops/creation.ts";
import { gather, take } from "../ops/indexing.ts";
import { mean, sum } from "../ops/reduce.ts";
import { expandDims, reshape, squeeze } from "../ops/shape_ops.ts";
import { logSoftmax } from "../ops/softmax.ts";
import { neg } from "../ops/unary.ts";
import { checkReduction, desc, requireArg, requireFloat } from "./internal.ts";
import { checkValues } from "../ops/check_values.ts";
import type { Reduction, ReductionOptions } from "./types.ts";

/** Options of `nll`. */
export interface NllOptions extends ReductionOptions {
  /**
   * A float weight per class, shape `[C]` (cast to the input's dtype). With `"mean"` the result
   * is the weighted mean `Σ wₜ lossᵢ / Σ wₜ` over the targets that are not ignored, as PyTorch.
   */
  weight?: Tensor;
  /** A target value that contributes nothing, neither loss nor weight (default -100). */
  ignoreIndex?: number;
}

/** Options of `crossEntropy`. */
export interface CrossEntropyOptions extends NllOptions {
  /**
   * Mixes the target with the uniform distribution: `(1 - ε) target + ε / C` (default 0; in
   * [0, 1]), with PyTorch's formula for weights, ignored targets and the mean.
   */
  labelSmoothing?: number;
}

/** Checked arguments, with an unbatched input `[C]` made `[1, C]` (`unbatched` set). */
interface Prepared {
  input: Tensor;
  target: Tensor;
  numClasses: number;
  weight?: Tensor;
  ignoreIndex: number;
  reduction: Reduction;
  unbatched: boolean;
}

function prepare(
  loss: string,
  input: Tensor,
  target: Tensor,
  opts: NllOptions,
  allowProbabilities: boolean,
): Prepared {
  requireFloat(loss, "input", input);
  requireArg(loss, "target", target);
  const reduction = checkReduction(loss, opts.reduction ?? "mean", ["mean", "sum", "none"]);
  const ignoreIndex = opts.ignoreIndex ?? -100;
  if (!Number.isInteger(ignoreIndex)) {
    throw new TypeError(`${loss}: ignoreIndex must be an integer, got ${String(ignoreIndex)}`);
  }
  if (input.rank === 0) {
    throw new Error(`${loss}: input must be [C] or [N, C, d1, ...] (class axis 1), got a scalar`);
  }
  const unbatched = input.rank === 1;
  const C = input.shape[unbatched ? 0 : 1];
  const indexShape = unbatched ? [] : [input.shape[0], ...input.shape.slice(2)];
  const probShape = allowProbabilities && shapesEqual(target.shape, input.shape);
  if (probShape && target.dtype !== input.dtype) {
    throw new TypeError(
      `${loss}: a target of the input's shape holds class probabilities and must have the input's dtype ${input.dtype}, got ${
        desc(target)
      } (class indices are int32 ${fmtShape(indexShape)})`,
    );
  }
  if (!probShape) {
    if (!shapesEqual(target.shape, indexShape)) {
      const what = allowProbabilities
        ? `int32 class indices ${fmtShape(indexShape)} or probabilities ${fmtShape(input.shape)}`
        : `int32 class indices ${fmtShape(indexShape)}`;
      // [N, T, C] logits against [N, T] labels: the class axis is 1 here, as in PyTorch.
      const classesLast = input.rank >= 3 &&
        shapesEqual(target.shape, input.shape.slice(0, input.rank - 1));
      const hint = classesLast
        ? `; the class axis is 1 (PyTorch's layout), so move it: transpose(input, [0, ${
          input.rank - 1
        }, ${input.shape.slice(1, -1).map((_, i) => i + 1).join(", ")}])`
        : "";
      throw new Error(
        `${loss}: input ${desc(input)} needs a target of ${what}, got ${desc(target)}${hint}`,
      );
    }
    if (target.dtype !== "int32") {
      throw new TypeError(
        `${loss}: class-index target must be int32, got ${
          desc(target)
        } (cast it with cast(target, "int32"))`,
      );
    }
    checkValues(
      target,
      { lo: 0, hi: C, hiInclusive: false, skip: ignoreIndex },
      (i, v) =>
        `${loss}: target ${desc(target)} element ${i} is class ${v}, out of range for ${C} ` +
        `classes (input ${desc(input)}; ignoreIndex ${ignoreIndex})`,
    );
  }
  let weight: Tensor | undefined;
  if (opts.weight !== undefined) {
    requireFloat(loss, "weight", opts.weight);
    if (!shapesEqual(opts.weight.shape, [C])) {
      throw new Error(
        `${loss}: weight ${desc(opts.weight)} must have one entry per class, [${C}] for input ${
          desc(input)
        }`,
      );
    }
    weight = cast(opts.weight, input.dtype);
  }
  return {
    input: unbatched ? expandDims(input, 0) : input,
    target: unbatched ? expandDims(target, 0) : target,
    numClasses: C,
    weight,
    ignoreIndex,
    reduction,
    unbatched,
  };
}

/** Restores the shape of an unbatched `"none"` result ([1] -> []). */
const finish = (p: Prepared, x: Tensor): Tensor => p.unbatched && x.rank > 0 ? reshape(x, []) : x;

/** The weight per class broadcast against `[N, C, d1, ...]`: `[1, C, 1, ...]`. */
const classWeight = (p: Prepared): Tensor | undefined =>
  p.weight &&
  reshape(p.weight, p.input.shape.map((d, i) => (i === 1 ? d : 1)));

/**
 * The per-element negative log-likelihood `-w[t] logProbs[t]` (0 where ignored) and the per-element
 * weight `w[t]` (0 where ignored), both `[N, d1, ...]`.
 */
function pickTargets(p: Prepared, logProbs: Tensor): { elems: Tensor; w: Tensor; valid: Tensor } {
  const valid = notEqual(p.target, p.ignoreIndex);
  const safe = where(valid, p.target, 0);
  const picked = squeeze(gather(logProbs, expandDims(safe, 1), 1), 1);
  const w = p.weight ? where(valid, take(p.weight, safe, 0), 0) : cast(valid, logProbs.dtype);
  // `where`, not a product, so an ignored -Infinity log-probability gives 0, not NaN.
  const elems = where(valid, neg(p.weight ? mul(picked, w) : picked), 0);
  return { elems, w, valid };
}

/**
 * The negative log-likelihood of class indices under log-probabilities, as PyTorch's `NLLLoss`:
 * `logProbs` is `[N, C]` (or `[N, C, d1, ...]`, or unbatched `[C]`), `target` int32 `[N]` (or
 * `[N, d1, ...]`, or `[]`) with values in `[0, C)` or `ignoreIndex`. Pair it with `logSoftmax`;
 * `crossEntropy` does both.
 *
 * @example
 * ```ts
 * import { losses, tensor } from "@fluxion/fluxion";
 * const logProbs = tensor([[-0.1, -2.4], [-1.6, -0.2]]);
 * losses.nll(logProbs, tensor([0, 1], { dtype: "int32" })); // (0.1 + 0.2) / 2 = 0.15
 * ```
 */
export function nll(logProbs: Tensor, target: Tensor, opts: NllOptions = {}): Tensor {
  const p = prepare("nll", logProbs, target, opts, false);
  const { elems, w } = pickTargets(p, p.input);
  if (p.reduction === "none") return finish(p, elems);
  return p.reduction === "sum" ? sum(elems) : div(sum(elems), sum(w));
}

/**
 * Cross-entropy between logits and targets, as PyTorch's `CrossEntropyLoss` (computed through
 * `logSoftmax`, so logits of any size stay finite). `logits` is `[N, C]`, `[N, C, d1, ...]` or
 * unbatched `[C]`; `target` is either int32 class indices of the batch shape (`[N]`,
 * `[N, d1, ...]`, `[]`), or float class probabilities of the logits' shape. With `"mean"`, class
 * indices give the weighted mean over non-ignored targets (`Σ wₜ lossᵢ / Σ wₜ`) and
 * probabilities the plain mean over the batch elements, as PyTorch; label smoothing `ε` mixes
 * the target with the uniform distribution (for indices,
 * `(1 - ε) nll + ε/C · Σ_c (-w_c logSoftmax_c)`, weighted and averaged the same way).
 *
 * @example
 * ```ts
 * import { losses, tensor } from "@fluxion/fluxion";
 * const logits = tensor([[2, 0, 0], [0, 0, 1000]]);
 * const labels = tensor([0, 2], { dtype: "int32" });
 * losses.crossEntropy(logits, labels); // 0.2395 / 2 = 0.1197
 * losses.crossEntropy(logits, labels, { labelSmoothing: 0.1, weight: tensor([1, 1, 2]) });
 * losses.crossEntropy(logits, tensor([[0.5, 0.5, 0], [0, 0, 1]])); // probability targets
 * ```
 */
export function crossEntropy(
  logits: Tensor,
  target: Tensor,
  opts: CrossEntropyOptions = {},
): Tensor {
  const loss = "crossEntropy";
  const p = prepare(loss, logits, target, opts, true);
  const eps = opts.labelSmoothing ?? 0;
  if (typeof eps !== "number" || !(eps >= 0 && eps <= 1)) {
    throw new RangeError(`${loss}: labelSmoothing must be in [0, 1], got ${String(eps)}`);
  }
  const C = p.numClasses;
  const logProbs = logSoftmax(p.input, 1);
  const cw = classWeight(p);
  if (p.target.dtype !== "int32") {
    // Class probabilities: -Σ_c w_c t_c logSoftmax_c; the mean is over the batch elements.
    const t = eps > 0 ? add(mul(p.target, 1 - eps), eps / C) : p.target;
    const wt = cw ? mul(t, cw) : t;
    const elems = neg(sum(mul(logProbs, wt), { axis: 1 }));
    const r = p.reduction === "none" ? elems : p.reduction === "sum" ? sum(elems) : mean(elems);
    return finish(p, r);
  }
  const { elems, w, valid } = pickTargets(p, logProbs);
  if (eps === 0) {
    if (p.reduction === "none") return finish(p, elems);
    return p.reduction === "sum" ? sum(elems) : div(sum(elems), sum(w));
  }
  // The uniform part: -Σ_c w_c logSoftmax_c per element, 0 where the target is ignored.
  const smooth = where(valid, neg(sum(cw ? mul(logProbs, cw) : logProbs, { axis: 1 })), 0);
  const mix = (a: Tensor, b: Tensor) => add(mul(a, 1 - eps), mul(b, eps / C));
  if (p.reduction === "none") return finish(p, mix(elems, smooth));
  if (p.reduction === "sum") return mix(sum(elems), sum(smooth));
  const total = sum(w);
  return mix(div(sum(elems), total), div(sum(smooth), total));
}

/**
 * One-hot encoding: int32 `labels` of any shape to float32 `[...labels.shape, numClasses]`,
 * 1 at each label and 0 elsewhere (as `torch.nn.functional.one_hot`, but float, ready to use as
 * probability targets).
 *
 * @example
 * ```ts
 * import { losses, tensor } from "@fluxion/fluxion";
 * losses.oneHot(tensor([2, 0], { dtype: "int32" }), 3); // [[0, 0, 1], [1, 0, 0]]
 * ```
 */
export function oneHot(labels: Tensor, numClasses: number): Tensor {
  requireArg("oneHot", "labels", labels);
  if (labels.dtype !== "int32") {
    throw new TypeError(`oneHot: labels must be int32, got ${desc(labels)}`);
  }
  if (!Number.isInteger(numClasses) || numClasses < 1) {
    throw new RangeError(`oneHot: numClasses must be a positive integer, got ${numClasses}`);
  }
  checkValues(
    labels,
    { lo: 0, hi: numClasses, hiInclusive: false },
    (i, v) =>
      `oneHot: labels ${desc(labels)} element ${i} is ${v}, out of range for ${numClasses} classes`,
  );
  const classes = arange(numClasses, undefined, 1, { dtype: "int32", backend: labels.backend });
  return cast(equal(expandDims(labels, -1), classes), "float32");
}

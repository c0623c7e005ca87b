/**
 * The `embedding` layer: a lookup table of learned vectors indexed by int32 ids, as PyTorch's
 * `nn.Embedding`.
 *
 * @module
 */
import { fmtShape } from "../../core/shape.ts";
import type { Tensor } from "../../core/tensor.ts";
import { equal, notEqual, where } from "../../ops/comparison.ts";
import { take } from "../../ops/indexing.ts";
import { expandDims } from "../../ops/shape_ops.ts";
import { stopGradient } from "../../ops/stop_gradient.ts";
import { normal } from "../../random/random.ts";
import { layer, type Model } from "../model.ts";
import { param } from "../params.ts";
import { tensorShape } from "../validate.ts";
import { arange } from "../../ops/creation.ts";

/** Options of `embedding`. */
export interface EmbeddingOptions {
  /**
   * An index whose vector starts as zeros and gets no gradient (a padding token); negative values
   * count from the end, as in PyTorch.
   */
  paddingIdx?: number;
}

/**
 * A table of `numEmbeddings` vectors of size `embeddingDim`, as `nn.Embedding`: `weight` is
 * `[numEmbeddings, embeddingDim]`, initialized from N(0, 1) (the `paddingIdx` row zero). The
 * input is int32 indices of any shape; the output is `[...input.shape, embeddingDim]`. Lookups of
 * `paddingIdx` pass no gradient to its row, as in PyTorch.
 *
 * @example
 * ```ts
 * import { nn, random, tensor } from "@fluxion/fluxion";
 * const emb = nn.embedding(1000, 64, { paddingIdx: 0 });
 * const { params } = emb.init(random.key(0), [2, 5]);
 * const ids = tensor([[5, 7, 0, 0, 0], [1, 2, 3, 4, 0]], { dtype: "int32" });
 * const vectors = emb.apply(params, ids); // [2, 5, 64]
 * ```
 */
export function embedding(
  numEmbeddings: number,
  embeddingDim: number,
  opts: EmbeddingOptions = {},
): Model<Tensor, Tensor> {
  for (
    const [n, v] of [["numEmbeddings", numEmbeddings], ["embeddingDim", embeddingDim]] as const
  ) {
    if (!Number.isInteger(v) || v < 1) {
      throw new RangeError(`embedding: ${n} must be a positive integer, got ${String(v)}`);
    }
  }
  let pad = opts.paddingIdx;
  if (pad !== undefined) {
    if (!Number.isInteger(pad) || pad < -numEmbeddings || pad >= numEmbeddings) {
      throw new RangeError(
        `embedding: paddingIdx must be an integer in [${-numEmbeddings}, ${numEmbeddings}), got ${
          String(pad)
        }`,
      );
    }
    if (pad < 0) pad += numEmbeddings;
  }
  const padIdx = pad;
  const name = `Embedding(${numEmbeddings}, ${embeddingDim}${
    padIdx === undefined ? "" : `, padding_idx=${padIdx}`
  })`;
  const wShape = [numEmbeddings, embeddingDim];

  return layer<Tensor, Tensor>({
    name,
    init(key, inputShape) {
      const shape = tensorShape(name, inputShape);
      let weight = normal(key, wShape);
      if (padIdx !== undefined) {
        const rows = expandDims(
          notEqual(arange(numEmbeddings, undefined, 1, { dtype: "int32" }), padIdx),
          1,
        );
        weight = where(rows, weight, 0);
      }
      return { params: { weight }, state: {}, outputShape: [...shape, embeddingDim] };
    },
    call(params, state, ids) {
      if (ids.dtype !== "int32") {
        throw new TypeError(
          `${name}: indices must be int32, got ${ids.dtype} ${fmtShape(ids.shape)}`,
        );
      }
      const w = param(name, params, "weight", wShape);
      const out = take(w, ids, 0);
      if (padIdx === undefined) return [out, state];
      // Padding lookups keep their value but pass no gradient to the padding row.
      const isPad = expandDims(equal(ids, padIdx), -1);
      return [where(isPad, stopGradient(out), out), state];
    },
  });
}

/**
 * Dropout layers: `dropout` (independent units) and `dropout2d` (whole channels), as PyTorch's
 * `nn.Dropout` and `nn.Dropout2d`. Inverted dropout: in training, kept units are scaled by
 * `1 / (1 - p)`, so evaluation is the identity. The mask comes from `ctx.key`.
 *
 * @module
 */
import { fmtShape } from "../../core/shape.ts";
import type { Tensor } from "../../core/tensor.ts";
import { mul } from "../../ops/arithmetic.ts";
import { where } from "../../ops/comparison.ts";
import { bernoulli } from "../../random/random.ts";
import { type ApplyContext, layer, type Model } from "../model.ts";
import { check, tensorShape, validate } from "../validate.ts";

function probability(op: string, p: unknown): number {
  if (typeof p !== "number" || !(p >= 0 && p <= 1)) {
    throw new RangeError(`${op}: p must be a probability in [0, 1], got ${String(p)}`);
  }
  return p;
}

/** `x` with the mask of `maskShape` (broadcast) applied, or `x` outside training. */
function drop(
  name: string,
  p: number,
  x: Tensor,
  ctx: ApplyContext,
  maskShape: readonly number[],
): Tensor {
  if (!ctx.training || p === 0) return x;
  if (p === 1) return mul(x, 0);
  if (!ctx.key) {
    throw new Error(
      `${name}: training with p > 0 needs a random key; pass { training: true, key } to apply`,
    );
  }
  const keep = bernoulli(ctx.key, 1 - p, maskShape, { backend: x.backend });
  return where(keep, mul(x, 1 / (1 - p)), 0);
}

/**
 * Inverted dropout, as `nn.Dropout`: in training (`ctx.training` with `ctx.key`), each element is
 * zeroed with probability `p` (default 0.5) and the rest are scaled by `1 / (1 - p)`; in
 * evaluation the layer is the identity. The same key gives the same mask.
 *
 * @example
 * ```ts
 * import { nn, ones, random } from "@fluxion/fluxion";
 * const drop = nn.dropout(0.25);
 * const y = drop.apply({}, ones([2, 8]), { training: true, key: random.key(0) }); // 0 or 4/3
 * const z = drop.apply({}, ones([2, 8])); // evaluation: all ones
 * ```
 */
export function dropout(p = 0.5): Model<Tensor, Tensor> {
  const prob = probability("dropout", p);
  const name = `Dropout(p=${prob})`;
  return layer<Tensor, Tensor>({
    name,
    init: (_key, inputShape) => ({
      params: {},
      state: {},
      outputShape: tensorShape(name, inputShape),
    }),
    call: (_params, state, x, ctx) => [drop(name, prob, x, ctx, x.shape), state],
  });
}

/**
 * Channel dropout, as `nn.Dropout2d`: in training, each channel of an `[N, C, H, W]` input (or
 * `[C, H, W]`, unbatched) is zeroed entirely with probability `p` (default 0.5) and the others
 * are scaled by `1 / (1 - p)`; the identity in evaluation.
 *
 * @example
 * ```ts
 * import { nn, ones, random } from "@fluxion/fluxion";
 * const drop = nn.dropout2d(0.2);
 * const y = drop.apply({}, ones([2, 16, 8, 8]), { training: true, key: random.key(1) });
 * ```
 */
export function dropout2d(p = 0.5): Model<Tensor, Tensor> {
  const prob = probability("dropout2d", p);
  const name = `Dropout2d(p=${prob})`;
  return layer<Tensor, Tensor>({
    name,
    init(_key, inputShape) {
      const shape = tensorShape(name, inputShape);
      validate(name, [
        check(
          shape.length === 3 || shape.length === 4,
          () => `expects input [N, C, H, W] or [C, H, W], got ${fmtShape(shape)}`,
        ),
      ]);
      return { params: {}, state: {}, outputShape: shape };
    },
    call(_params, state, x, ctx) {
      if (x.rank !== 3 && x.rank !== 4) {
        throw new Error(
          `${name}: expects input [N, C, H, W] or [C, H, W], got ${fmtShape(x.shape)}`,
        );
      }
      const maskShape = [...x.shape.slice(0, -2), 1, 1];
      return [drop(name, prob, x, ctx, maskShape), state];
    },
  });
}

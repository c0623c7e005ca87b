/**
 * Basic layers: `linear` (alias `dense`) and `flatten`.
 *
 * @module
 */
import { fmtShape, sizeOf } from "../../core/shape.ts";
import type { Tensor } from "../../core/tensor.ts";
import { add } from "../../ops/arithmetic.ts";
import { matmul } from "../../ops/linalg.ts";
import { reshape, transpose } from "../../ops/shape_ops.ts";
import { split, uniform } from "../../random/random.ts";
import { layer, type Model } from "../model.ts";
import { param } from "../params.ts";
import { check, positiveInt, tensorShape, validate } from "../validate.ts";

/** Options of `linear`. */
export interface LinearOptions {
  /** Learn an additive bias (default true). */
  bias?: boolean;
}

/**
 * A fully connected layer `y = x Wᵀ + b` over the last axis, as PyTorch's `nn.Linear`: `weight`
 * is `[out, in]`, `bias` `[out]`, both initialized uniformly in ±1/√in (PyTorch's default).
 *
 * @example
 * ```ts
 * import { nn, random, zeros } from "@fluxion/fluxion";
 * const fc = nn.linear(784, 128);
 * const { params, outputShape } = fc.init(random.key(0), [32, 784]); // [32, 128]
 * const y = fc.apply(params, zeros([32, 784]));
 * ```
 */
export function linear(
  inFeatures: number,
  outFeatures: number,
  opts: LinearOptions = {},
): Model<Tensor, Tensor> {
  const nIn = positiveInt("linear", "inFeatures", inFeatures);
  const nOut = positiveInt("linear", "outFeatures", outFeatures);
  const bias = opts.bias ?? true;
  const name = `Linear(in_features=${nIn}, out_features=${nOut}, bias=${bias ? "True" : "False"})`;
  return layer<Tensor, Tensor>({
    name,
    init(key, inputShape) {
      const shape = tensorShape(name, inputShape);
      validate(name, [
        check(shape.length >= 1, () => `expects input [..., ${nIn}], got a scalar`),
        check(
          shape.length === 0 || shape[shape.length - 1] === nIn,
          () => `expects ${nIn} input features, got input ${fmtShape(shape)}`,
        ),
      ]);
      const [kw, kb] = split(key);
      const bound = 1 / Math.sqrt(nIn);
      const range = { minval: -bound, maxval: bound };
      const params = bias
        ? { weight: uniform(kw, [nOut, nIn], range), bias: uniform(kb, [nOut], range) }
        : { weight: uniform(kw, [nOut, nIn], range) };
      return { params, state: {}, outputShape: [...shape.slice(0, -1), nOut] };
    },
    call(params, state, x) {
      if (x.rank === 0 || x.shape[x.rank - 1] !== nIn) {
        throw new Error(
          `${name}: expects input [..., ${nIn}], got ${fmtShape(x.shape)} ${x.dtype}`,
        );
      }
      const y = matmul(x, transpose(param(name, params, "weight", [nOut, nIn])));
      return [bias ? add(y, param(name, params, "bias", [nOut])) : y, state];
    },
  });
}

/**
 * Alias of `linear` (the Keras name).
 *
 * @example
 * ```ts
 * import { nn } from "@fluxion/fluxion";
 * const fc = nn.dense(16, 4);
 * ```
 */
export const dense: typeof linear = linear;

/**
 * Flattens dimensions `startDim..endDim` (default 1..-1, keeping the batch), as `nn.Flatten`.
 *
 * @example
 * ```ts
 * import { nn, random } from "@fluxion/fluxion";
 * nn.flatten().init(random.key(0), [64, 64, 12, 12]).outputShape; // [64, 9216]
 * ```
 */
export function flatten(startDim = 1, endDim = -1): Model<Tensor, Tensor> {
  const name = `Flatten(start_dim=${startDim}, end_dim=${endDim})`;
  const target = (shape: readonly number[]) => {
    const r = shape.length;
    const s = startDim < 0 ? startDim + r : startDim;
    const e = endDim < 0 ? endDim + r : endDim;
    if (!(s >= 0 && e < r && s <= e)) return undefined;
    return [...shape.slice(0, s), sizeOf(shape.slice(s, e + 1)), ...shape.slice(e + 1)];
  };
  return layer<Tensor, Tensor>({
    name,
    init(_key, inputShape) {
      const shape = tensorShape(name, inputShape);
      const out = target(shape);
      validate(name, [
        check(out !== undefined, () => `dimensions out of range for input ${fmtShape(shape)}`),
      ]);
      return { params: {}, state: {}, outputShape: out! };
    },
    call(_params, state, x) {
      const out = target(x.shape);
      if (!out) throw new Error(`${name}: dimensions out of range for input ${fmtShape(x.shape)}`);
      return [reshape(x, out), state];
    },
  });
}

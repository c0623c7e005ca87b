/**
 * Normalization layers: `batchNorm1d`, `batchNorm2d` (with running statistics as explicit state)
 * and `layerNorm`, as PyTorch's `nn.BatchNorm1d`, `nn.BatchNorm2d` and `nn.LayerNorm`.
 *
 * @module
 */
import { fmtShape, type Shape, shapesEqual } from "../../core/shape.ts";
import { Tensor } from "../../core/tensor.ts";
import { add, div, mul, sub } from "../../ops/arithmetic.ts";
import { cast } from "../../ops/cast.ts";
import { ones, scalar, zeros } from "../../ops/creation.ts";
import { mean } from "../../ops/reduce.ts";
import { reshape } from "../../ops/shape_ops.ts";
import { stopGradient } from "../../ops/stop_gradient.ts";
import { sqrt } from "../../ops/unary.ts";
import { layer, type Model, type Params } from "../model.ts";
import { param } from "../params.ts";
import { check, positiveInt, tensorShape, validate } from "../validate.ts";

/** Options of `batchNorm1d` and `batchNorm2d` (PyTorch's names and defaults). */
export interface BatchNormOptions {
  /** Added to the variance for stability (default 1e-5). */
  eps?: number;
  /**
   * Weight of the new batch statistic in the running averages (default 0.1); `null` gives the
   * cumulative average over all batches seen (factor `1 / numBatchesTracked`).
   */
  momentum?: number | null;
  /** Learn a per-channel scale `weight` (ones) and shift `bias` (zeros) (default true). */
  affine?: boolean;
  /**
   * Keep `running_mean`, `running_var` and `num_batches_tracked` as state and use them in
   * evaluation (default true); without them, batch statistics are used in evaluation too.
   */
  trackRunningStats?: boolean;
}

function positiveNumber(op: string, name: string, v: unknown): number {
  if (typeof v !== "number" || !(v > 0) || !Number.isFinite(v)) {
    throw new RangeError(`${op}: ${name} must be a positive number, got ${String(v)}`);
  }
  return v;
}

/** A number as Python prints it (`1e-05`), for layer names. */
function pyNum(v: number): string {
  return v !== 0 && Math.abs(v) < 1e-4 ? v.toExponential().replace(/e-(\d)$/, "e-0$1") : String(v);
}

/** A state entry of `shape`, or undefined when the state has none; errors on a wrong entry. */
function stateEntry(name: string, state: Params, key: string, shape: Shape): Tensor | undefined {
  const t = state[key];
  if (t === undefined) return undefined;
  if (!(t instanceof Tensor) || !shapesEqual(t.shape, shape)) {
    const got = t instanceof Tensor ? fmtShape(t.shape) : typeof t;
    throw new Error(`${name}: state "${key}" must be a tensor ${fmtShape(shape)}, got ${got}`);
  }
  return t;
}

function batchNorm(
  kind: "BatchNorm1d" | "BatchNorm2d",
  numFeatures: number,
  ranks: readonly number[],
  layout: string,
  opts: BatchNormOptions,
): Model<Tensor, Tensor> {
  const op = kind === "BatchNorm1d" ? "batchNorm1d" : "batchNorm2d";
  const c = positiveInt(op, "numFeatures", numFeatures);
  const eps = positiveNumber(op, "eps", opts.eps ?? 1e-5);
  const momentum = opts.momentum === undefined ? 0.1 : opts.momentum;
  if (momentum !== null && (typeof momentum !== "number" || !(momentum >= 0 && momentum <= 1))) {
    throw new RangeError(`${op}: momentum must be in [0, 1] or null, got ${String(momentum)}`);
  }
  const affine = opts.affine ?? true;
  const track = opts.trackRunningStats ?? true;
  const name =
    `${kind}(${c}, eps=${pyNum(eps)}, momentum=${momentum ?? "None"}, affine=${
      affine ? "True" : "False"
    }, ` +
    `track_running_stats=${track ? "True" : "False"})`;
  const expected = `expects input ${layout}`;

  return layer<Tensor, Tensor>({
    name,
    init(_key, inputShape) {
      const shape = tensorShape(name, inputShape);
      const rankOk = ranks.includes(shape.length);
      validate(name, [
        check(rankOk, () => `${expected}, got ${fmtShape(shape)}`),
        check(
          !rankOk || shape[1] === c,
          () => `expects ${c} features on axis 1, got ${shape[1]} in input ${fmtShape(shape)}`,
        ),
      ]);
      const params = affine ? { weight: ones([c]), bias: zeros([c]) } : {};
      const state = track
        ? {
          running_mean: zeros([c]),
          running_var: ones([c]),
          num_batches_tracked: zeros([], { dtype: "int32" }),
        }
        : {};
      return { params, state, outputShape: shape };
    },
    call(params, state, x, ctx) {
      if (!ranks.includes(x.rank) || x.shape[1] !== c) {
        throw new Error(`${name}: ${expected}, got ${fmtShape(x.shape)}`);
      }
      const axes = x.shape.map((_, i) => i).filter((i) => i !== 1);
      const bshape = x.shape.map((d, i) => (i === 1 ? d : 1));
      const count = axes.reduce((n, a) => n * x.shape[a], 1);
      const runMean = track ? stateEntry(name, state, "running_mean", [c]) : undefined;
      const runVar = track ? stateEntry(name, state, "running_var", [c]) : undefined;
      const useBatch = ctx.training || !track;
      let xhat: Tensor;
      let next = state;
      if (useBatch) {
        if (ctx.training && count < 2) {
          throw new Error(
            `${name}: training needs more than 1 value per channel, got input ${fmtShape(x.shape)}`,
          );
        }
        const mu = mean(x, { axis: axes, keepdims: true });
        const centered = sub(x, mu);
        const variance = mean(mul(centered, centered), { axis: axes, keepdims: true });
        xhat = div(centered, sqrt(add(variance, eps)));
        if (ctx.training && track) {
          const nbt = stateEntry(name, state, "num_batches_tracked", []);
          const tracked = add(nbt ?? scalar(0, "int32", x.backend), 1);
          const factor = momentum ?? div(1, cast(tracked, x.dtype));
          const batchMean = stopGradient(reshape(mu, [c]));
          const unbiased = mul(stopGradient(reshape(variance, [c])), count / (count - 1));
          const keepOld = typeof factor === "number" ? 1 - factor : sub(1, factor);
          const blend = (old: Tensor | undefined, fresh: Tensor, init: number) =>
            add(mul(old ?? scalar(init, x.dtype, x.backend), keepOld), mul(fresh, factor));
          next = {
            ...state,
            running_mean: blend(runMean, batchMean, 0),
            running_var: blend(runVar, unbiased, 1),
            num_batches_tracked: tracked,
          };
        }
      } else {
        if (!runMean || !runVar) {
          throw new Error(
            `${name}: evaluation needs the running statistics: pass the state from init as ` +
              `ctx.state (apply) or as the state argument (applyWithState)`,
          );
        }
        const m = reshape(runMean, bshape);
        xhat = div(sub(x, m), sqrt(add(reshape(runVar, bshape), eps)));
      }
      if (!affine) return [xhat, next];
      const w = reshape(param(name, params, "weight", [c]), bshape);
      const b = reshape(param(name, params, "bias", [c]), bshape);
      return [add(mul(xhat, w), b), next];
    },
  });
}

/**
 * Batch normalization over `[N, C]` or `[N, C, L]` input, as `nn.BatchNorm1d`: in training, each
 * channel is normalized with the batch mean and biased variance, and the new state blends the
 * batch mean and the unbiased variance into `running_mean` / `running_var` (weight `momentum`)
 * and counts `num_batches_tracked` (an int32 scalar; PyTorch's is int64). In evaluation the
 * running statistics are used. `applyWithState` returns the new state; `apply` discards it.
 * Training with no state given starts from the initial statistics (zeros, ones, 0).
 *
 * @example
 * ```ts
 * import { nn, random } from "@fluxion/fluxion";
 * const bn = nn.batchNorm1d(16);
 * const { params, state } = bn.init(random.key(0), [32, 16]);
 * const x = random.normal(random.key(1), [32, 16]);
 * const [y, newState] = bn.applyWithState(params, state, x, { training: true });
 * const z = bn.apply(params, x, { state: newState }); // evaluation with running statistics
 * ```
 */
export function batchNorm1d(
  numFeatures: number,
  opts: BatchNormOptions = {},
): Model<Tensor, Tensor> {
  return batchNorm("BatchNorm1d", numFeatures, [2, 3], "[N, C] or [N, C, L]", opts);
}

/**
 * Batch normalization over `[N, C, H, W]` input, as `nn.BatchNorm2d`; see `batchNorm1d`.
 *
 * @example
 * ```ts
 * import { nn, random } from "@fluxion/fluxion";
 * const bn = nn.batchNorm2d(8);
 * const { params, state } = bn.init(random.key(0), [4, 8, 5, 5]);
 * const [y, next] = bn.applyWithState(params, state, random.normal(random.key(1), [4, 8, 5, 5]), {
 *   training: true,
 * });
 * ```
 */
export function batchNorm2d(
  numFeatures: number,
  opts: BatchNormOptions = {},
): Model<Tensor, Tensor> {
  return batchNorm("BatchNorm2d", numFeatures, [4], "[N, C, H, W]", opts);
}

/** Options of `layerNorm`. */
export interface LayerNormOptions {
  /** Added to the variance for stability (default 1e-5). */
  eps?: number;
  /** Learn an elementwise `weight` (ones) and `bias` (zeros) of `normalizedShape` (default true). */
  elementwiseAffine?: boolean;
}

/**
 * Layer normalization over the last dimensions (`normalizedShape`), as `nn.LayerNorm`: each
 * sample is normalized with its own mean and biased variance, then scaled by `weight` and shifted
 * by `bias` (both of `normalizedShape`). The same in training and evaluation.
 *
 * @example
 * ```ts
 * import { nn, random, zeros } from "@fluxion/fluxion";
 * const ln = nn.layerNorm(64);
 * const { params } = ln.init(random.key(0), [8, 10, 64]);
 * const y = ln.apply(params, zeros([8, 10, 64]));
 * ```
 */
export function layerNorm(
  normalizedShape: number | readonly number[],
  opts: LayerNormOptions = {},
): Model<Tensor, Tensor> {
  const norm = typeof normalizedShape === "number" ? [normalizedShape] : [...normalizedShape];
  if (!Array.isArray(norm) || norm.length === 0) {
    throw new RangeError(
      `layerNorm: normalizedShape must be a positive integer or a non-empty list of them, got ${
        JSON.stringify(normalizedShape)
      }`,
    );
  }
  norm.forEach((d) => positiveInt("layerNorm", "normalizedShape", d));
  const eps = positiveNumber("layerNorm", "eps", opts.eps ?? 1e-5);
  const affine = opts.elementwiseAffine ?? true;
  const name = `LayerNorm((${norm.join(", ")}${norm.length === 1 ? "," : ""}), eps=${
    pyNum(eps)
  }, elementwise_affine=${affine ? "True" : "False"})`;
  const k = norm.length;
  const fits = (s: Shape) => s.length >= k && shapesEqual(s.slice(s.length - k), norm);

  return layer<Tensor, Tensor>({
    name,
    init(_key, inputShape) {
      const shape = tensorShape(name, inputShape);
      validate(name, [
        check(
          fits(shape),
          () => `expects input [..., ${norm.join(", ")}], got ${fmtShape(shape)}`,
        ),
      ]);
      const params = affine ? { weight: ones(norm), bias: zeros(norm) } : {};
      return { params, state: {}, outputShape: shape };
    },
    call(params, state, x) {
      if (!fits(x.shape)) {
        throw new Error(
          `${name}: expects input [..., ${norm.join(", ")}], got ${fmtShape(x.shape)}`,
        );
      }
      const axes = norm.map((_, i) => x.rank - k + i);
      const centered = sub(x, mean(x, { axis: axes, keepdims: true }));
      const variance = mean(mul(centered, centered), { axis: axes, keepdims: true });
      const xhat = div(centered, sqrt(add(variance, eps)));
      if (!affine) return [xhat, state];
      const w = param(name, params, "weight", norm);
      return [add(mul(xhat, w), param(name, params, "bias", norm)), state];
    },
  });
}

/**
 * Activation layers without parameters, as PyTorch's modules: `relu`, `leakyRelu`, `elu`,
 * `gelu`, `silu`, `sigmoid`, `tanh`, `softplus`, `softmax`, `logSoftmax`. The same functions on
 * tensors are top-level ops (`relu`, `gelu`, `softplus`, ...).
 *
 * @module
 */
import { fmtShape } from "../../core/shape.ts";
import type { Tensor } from "../../core/tensor.ts";
import { logSoftmax as logSoftmaxOp, softmax as softmaxOp } from "../../ops/softmax.ts";
import {
  elu as eluOp,
  gelu as geluOp,
  leakyRelu as leakyReluOp,
  silu as siluOp,
  softplus as softplusOp,
} from "../../ops/special.ts";
import { relu as reluOp, sigmoid as sigmoidOp, tanh as tanhOp } from "../../ops/unary.ts";
import { layer, type Model } from "../model.ts";
import { check, tensorShape, validate } from "../validate.ts";

/** A parameter-free layer applying `f`; `dim`, when given, is checked against the input at init. */
function activation(name: string, f: (x: Tensor) => Tensor, dim?: number): Model<Tensor, Tensor> {
  return layer<Tensor, Tensor>({
    name,
    init(_key, inputShape) {
      const shape = tensorShape(name, inputShape);
      if (dim !== undefined) {
        validate(name, [
          check(
            dim >= -shape.length && dim < shape.length,
            () => `dim ${dim} is out of range for input ${fmtShape(shape)}`,
          ),
        ]);
      }
      return { params: {}, state: {}, outputShape: shape };
    },
    call: (_params, state, x) => [f(x), state],
  });
}

function finite(layerName: string, argName: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isFinite(v)) {
    throw new RangeError(`${layerName}: ${argName} must be a finite number, got ${String(v)}`);
  }
  return v;
}

function integer(layerName: string, v: unknown): number {
  if (!Number.isInteger(v)) {
    throw new RangeError(`${layerName}: dim must be an integer, got ${String(v)}`);
  }
  return v as number;
}

/**
 * `max(x, 0)`, as `nn.ReLU`.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "@fluxion/fluxion";
 * nn.relu().apply({}, tensor([-1, 2])); // [0, 2]
 * ```
 */
export function relu(): Model<Tensor, Tensor> {
  return activation("ReLU()", reluOp);
}

/**
 * `x` where positive, else `negativeSlope * x`, as `nn.LeakyReLU` (default slope 0.01).
 *
 * @example
 * ```ts
 * import { nn, tensor } from "@fluxion/fluxion";
 * nn.leakyRelu(0.2).apply({}, tensor([-1, 2])); // [-0.2, 2]
 * ```
 */
export function leakyRelu(negativeSlope = 0.01): Model<Tensor, Tensor> {
  const s = finite("leakyRelu", "negativeSlope", negativeSlope);
  return activation(`LeakyReLU(negative_slope=${s})`, (x) => leakyReluOp(x, s));
}

/**
 * `x > 0 ? x : alpha (exp(x) - 1)`, as `nn.ELU` (default alpha 1).
 *
 * @example
 * ```ts
 * import { nn, tensor } from "@fluxion/fluxion";
 * nn.elu().apply({}, tensor([-1, 2])); // [-0.6321, 2]
 * ```
 */
export function elu(alpha = 1): Model<Tensor, Tensor> {
  const a = finite("elu", "alpha", alpha);
  return activation(`ELU(alpha=${a})`, (x) => eluOp(x, a));
}

/**
 * The Gaussian error linear unit, as `nn.GELU`: exact (`x Φ(x)` via `erf`, the default) or with
 * `approximate: "tanh"`.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "@fluxion/fluxion";
 * nn.gelu().apply({}, tensor([1])); // [0.8413]
 * nn.gelu({ approximate: "tanh" }).apply({}, tensor([1])); // [0.8412]
 * ```
 */
export function gelu(opts: { approximate?: "none" | "tanh" } = {}): Model<Tensor, Tensor> {
  const approximate = opts.approximate ?? "none";
  if (approximate !== "none" && approximate !== "tanh") {
    throw new RangeError(
      `gelu: approximate must be "none" or "tanh", got ${JSON.stringify(approximate)}`,
    );
  }
  return activation(`GELU(approximate='${approximate}')`, (x) => geluOp(x, { approximate }));
}

/**
 * `x * sigmoid(x)`, as `nn.SiLU`.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "@fluxion/fluxion";
 * nn.silu().apply({}, tensor([1])); // [0.7311]
 * ```
 */
export function silu(): Model<Tensor, Tensor> {
  return activation("SiLU()", siluOp);
}

/**
 * `1 / (1 + exp(-x))`, as `nn.Sigmoid`.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "@fluxion/fluxion";
 * nn.sigmoid().apply({}, tensor([0])); // [0.5]
 * ```
 */
export function sigmoid(): Model<Tensor, Tensor> {
  return activation("Sigmoid()", sigmoidOp);
}

/**
 * The hyperbolic tangent, as `nn.Tanh`.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "@fluxion/fluxion";
 * nn.tanh().apply({}, tensor([0])); // [0]
 * ```
 */
export function tanh(): Model<Tensor, Tensor> {
  return activation("Tanh()", tanhOp);
}

/**
 * `log(1 + exp(beta x)) / beta`, linear where `beta x > threshold`, as `nn.Softplus` (defaults
 * beta 1, threshold 20).
 *
 * @example
 * ```ts
 * import { nn, tensor } from "@fluxion/fluxion";
 * nn.softplus().apply({}, tensor([0])); // [0.6931]
 * ```
 */
export function softplus(beta = 1, threshold = 20): Model<Tensor, Tensor> {
  const b = finite("softplus", "beta", beta);
  if (b === 0) throw new RangeError("softplus: beta must be non-zero");
  const t = finite("softplus", "threshold", threshold);
  return activation(`Softplus(beta=${b}, threshold=${t})`, (x) => softplusOp(x, b, t));
}

/**
 * Softmax along `dim` (default the last), as `nn.Softmax`.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "@fluxion/fluxion";
 * nn.softmax().apply({}, tensor([[0, 0]])); // [[0.5, 0.5]]
 * ```
 */
export function softmax(dim = -1): Model<Tensor, Tensor> {
  const d = integer("softmax", dim);
  return activation(`Softmax(dim=${d})`, (x) => softmaxOp(x, d), d);
}

/**
 * Log-softmax along `dim` (default the last), as `nn.LogSoftmax`.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "@fluxion/fluxion";
 * nn.logSoftmax().apply({}, tensor([[0, 0]])); // [[-0.6931, -0.6931]]
 * ```
 */
export function logSoftmax(dim = -1): Model<Tensor, Tensor> {
  const d = integer("logSoftmax", dim);
  return activation(`LogSoftmax(dim=${d})`, (x) => logSoftmaxOp(x, d), d);
}

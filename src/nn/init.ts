/**
 * Parameter initializers with PyTorch's formulas (`torch.nn.init`): Xavier (Glorot) and Kaiming
 * (He), uniform and normal, zeros and ones, the recommended gains and the fan computation. Every
 * random initializer takes an explicit key, so initialization is reproducible.
 *
 * @example
 * ```ts
 * import { nn, random } from "@fluxion/fluxion";
 * const w = nn.init.kaimingUniform(random.key(0), [128, 784], { nonlinearity: "relu" });
 * const b = nn.init.zeros([128]);
 * ```
 *
 * @module
 */
import type { DType } from "../core/dtype.ts";
import type { Tensor } from "../core/tensor.ts";
import { ones as onesOp, zeros as zerosOp } from "../ops/creation.ts";
import { type Key, normal as normalRandom, uniform as uniformRandom } from "../random/random.ts";

/** The nonlinearities `calculateGain` knows (PyTorch's names; `leakyRelu` is accepted too). */
export type Nonlinearity =
  | "linear"
  | "conv1d"
  | "conv2d"
  | "conv3d"
  | "conv_transpose1d"
  | "conv_transpose2d"
  | "conv_transpose3d"
  | "sigmoid"
  | "tanh"
  | "relu"
  | "leaky_relu"
  | "leakyRelu"
  | "selu";

/** Options shared by the initializers. */
export interface InitOptions {
  /** A floating-point dtype (default `float32`). */
  dtype?: DType;
}

/**
 * The recommended gain for a nonlinearity, as `torch.nn.init.calculate_gain`: 1 for linear,
 * convolutions and sigmoid, 5/3 for tanh, √2 for relu, √(2 / (1 + slope²)) for leaky relu
 * (`param` is the negative slope, default 0.01), 3/4 for selu.
 *
 * @example
 * ```ts
 * import { nn } from "@fluxion/fluxion";
 * nn.init.calculateGain("relu"); // 1.4142...
 * nn.init.calculateGain("leaky_relu", 0.2); // 1.3867...
 * ```
 */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case "linear":
    case "conv1d":
    case "conv2d":
    case "conv3d":
    case "conv_transpose1d":
    case "conv_transpose2d":
    case "conv_transpose3d":
    case "sigmoid":
      return 1;
    case "tanh":
      return 5 / 3;
    case "relu":
      return Math.SQRT2;
    case "leaky_relu":
    case "leakyRelu": {
      const slope = param ?? 0.01;
      if (typeof slope !== "number" || !Number.isFinite(slope)) {
        throw new TypeError(`calculateGain: negative slope ${String(param)} is not a number`);
      }
      return Math.sqrt(2 / (1 + slope * slope));
    }
    case "selu":
      return 3 / 4;
    default:
      throw new RangeError(
        `calculateGain: unsupported nonlinearity ${JSON.stringify(nonlinearity)}`,
      );
  }
}

/**
 * `[fanIn, fanOut]` of a weight shape, as PyTorch's `_calculate_fan_in_and_fan_out`: for
 * `[out, in, ...kernel]`, `fanIn = in * prod(kernel)` and `fanOut = out * prod(kernel)`. Needs at
 * least 2 dimensions.
 *
 * @example
 * ```ts
 * import { nn } from "@fluxion/fluxion";
 * nn.init.calculateFanInAndFanOut([64, 32, 3, 3]); // [288, 576]
 * ```
 */
export function calculateFanInAndFanOut(shape: readonly number[]): [number, number] {
  if (!Array.isArray(shape) || shape.length < 2) {
    throw new RangeError(
      `init: fan in and fan out need a shape of at least 2 dimensions, got ${
        JSON.stringify(shape)
      }`,
    );
  }
  const receptive = shape.slice(2).reduce((a, b) => a * b, 1);
  return [shape[1] * receptive, shape[0] * receptive];
}

/** Options of `xavierUniform` and `xavierNormal`. */
export interface XavierOptions extends InitOptions {
  /** Scale factor (default 1); see `calculateGain`. */
  gain?: number;
}

/**
 * Samples from U(-b, b) with `b = gain √(6 / (fanIn + fanOut))`, as `nn.init.xavier_uniform_`.
 *
 * @example
 * ```ts
 * import { nn, random } from "@fluxion/fluxion";
 * const w = nn.init.xavierUniform(random.key(0), [20, 30], { gain: nn.init.calculateGain("tanh") });
 * ```
 */
export function xavierUniform(
  key: Key,
  shape: readonly number[],
  opts: XavierOptions = {},
): Tensor {
  const [fanIn, fanOut] = calculateFanInAndFanOut(shape);
  const bound = (opts.gain ?? 1) * Math.sqrt(6 / (fanIn + fanOut));
  return uniformRandom(key, shape, { minval: -bound, maxval: bound, dtype: opts.dtype });
}

/**
 * Samples from N(0, std²) with `std = gain √(2 / (fanIn + fanOut))`, as `nn.init.xavier_normal_`.
 *
 * @example
 * ```ts
 * import { nn, random } from "@fluxion/fluxion";
 * const w = nn.init.xavierNormal(random.key(0), [20, 30]);
 * ```
 */
export function xavierNormal(key: Key, shape: readonly number[], opts: XavierOptions = {}): Tensor {
  const [fanIn, fanOut] = calculateFanInAndFanOut(shape);
  const std = (opts.gain ?? 1) * Math.sqrt(2 / (fanIn + fanOut));
  return normalRandom(key, shape, { std, dtype: opts.dtype });
}

/** Options of `kaimingUniform` and `kaimingNormal` (PyTorch's defaults). */
export interface KaimingOptions extends InitOptions {
  /** The negative slope of the rectifier that follows (for `leaky_relu`; default 0). */
  a?: number;
  /** Preserve the variance of the forward pass (`"fanIn"`, default) or the backward pass. */
  mode?: "fanIn" | "fanOut";
  /** The nonlinearity that follows (default `"leaky_relu"`, which with `a = 0` is relu). */
  nonlinearity?: Nonlinearity;
}

function kaimingStd(op: string, shape: readonly number[], opts: KaimingOptions): number {
  const [fanIn, fanOut] = calculateFanInAndFanOut(shape);
  const mode = opts.mode ?? "fanIn";
  if (mode !== "fanIn" && mode !== "fanOut") {
    throw new RangeError(`${op}: mode must be "fanIn" or "fanOut", got ${JSON.stringify(mode)}`);
  }
  const fan = mode === "fanIn" ? fanIn : fanOut;
  return calculateGain(opts.nonlinearity ?? "leaky_relu", opts.a ?? 0) / Math.sqrt(fan);
}

/**
 * Samples from U(-b, b) with `b = gain √(3 / fan)`, as `nn.init.kaiming_uniform_`. PyTorch's
 * default for linear and conv weights is `{ a: Math.sqrt(5) }`, i.e. `b = 1/√fanIn`.
 *
 * @example
 * ```ts
 * import { nn, random } from "@fluxion/fluxion";
 * const w = nn.init.kaimingUniform(random.key(0), [32, 1, 3, 3], { a: Math.sqrt(5) }); // ±1/3
 * ```
 */
export function kaimingUniform(
  key: Key,
  shape: readonly number[],
  opts: KaimingOptions = {},
): Tensor {
  const bound = Math.sqrt(3) * kaimingStd("kaimingUniform", shape, opts);
  return uniformRandom(key, shape, { minval: -bound, maxval: bound, dtype: opts.dtype });
}

/**
 * Samples from N(0, std²) with `std = gain / √fan`, as `nn.init.kaiming_normal_`.
 *
 * @example
 * ```ts
 * import { nn, random } from "@fluxion/fluxion";
 * const w = nn.init.kaimingNormal(random.key(0), [64, 32, 3, 3], { mode: "fanOut" });
 * ```
 */
export function kaimingNormal(
  key: Key,
  shape: readonly number[],
  opts: KaimingOptions = {},
): Tensor {
  const std = kaimingStd("kaimingNormal", shape, opts);
  return normalRandom(key, shape, { std, dtype: opts.dtype });
}

/**
 * Samples from U(low, high) (default U(0, 1)), as `nn.init.uniform_`.
 *
 * @example
 * ```ts
 * import { nn, random } from "@fluxion/fluxion";
 * const b = nn.init.uniform(random.key(0), [10], { low: -0.1, high: 0.1 });
 * ```
 */
export function uniform(
  key: Key,
  shape: readonly number[],
  opts: InitOptions & { low?: number; high?: number } = {},
): Tensor {
  const { low = 0, high = 1 } = opts;
  if (!(high >= low)) throw new RangeError(`init.uniform: low ${low} exceeds high ${high}`);
  return uniformRandom(key, shape, { minval: low, maxval: high, dtype: opts.dtype });
}

/**
 * Samples from N(mean, std²) (default N(0, 1)), as `nn.init.normal_`.
 *
 * @example
 * ```ts
 * import { nn, random } from "@fluxion/fluxion";
 * const w = nn.init.normal(random.key(0), [10, 4], { std: 0.02 });
 * ```
 */
export function normal(
  key: Key,
  shape: readonly number[],
  opts: InitOptions & { mean?: number; std?: number } = {},
): Tensor {
  const { mean = 0, std = 1 } = opts;
  if (!(std >= 0)) throw new RangeError(`init.normal: std must be non-negative, got ${std}`);
  return normalRandom(key, shape, { mean, std, dtype: opts.dtype });
}

/**
 * A tensor of zeros (no key needed), as `nn.init.zeros_`.
 *
 * @example
 * ```ts
 * import { nn } from "@fluxion/fluxion";
 * const b = nn.init.zeros([128]);
 * ```
 */
export function zeros(shape: readonly number[], opts: InitOptions = {}): Tensor {
  return zerosOp(shape, { dtype: opts.dtype });
}

/**
 * A tensor of ones (no key needed), as `nn.init.ones_`.
 *
 * @example
 * ```ts
 * import { nn } from "@fluxion/fluxion";
 * const gamma = nn.init.ones([64]);
 * ```
 */
export function ones(shape: readonly number[], opts: InitOptions = {}): Tensor {
  return onesOp(shape, { dtype: opts.dtype });
}

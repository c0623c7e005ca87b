/**
 * Convolution layers: `conv2d`, PyTorch's `nn.Conv2d` as a model value.
 *
 * @module
 */
import { fmtShape } from "../../core/shape.ts";
import type { Tensor } from "../../core/tensor.ts";
import { add } from "../../ops/arithmetic.ts";
import { conv2d as conv2dOp, type Padding2, padding4, pair, type Size2 } from "../../ops/conv.ts";
import { reshape } from "../../ops/shape_ops.ts";
import { split, uniform } from "../../random/random.ts";
import { kaimingUniform } from "../init.ts";
import { layer, type Model } from "../model.ts";
import { param } from "../params.ts";
import { check, positiveInt, tensorShape, validate } from "../validate.ts";

/** Options of the `conv2d` layer (PyTorch's `nn.Conv2d` keyword arguments). */
export interface Conv2dLayerOptions {
  /** Step between windows (default 1). */
  stride?: Size2;
  /**
   * Zero padding (default 0): a number, `[h, w]`, `"valid"` (none) or `"same"` (output size =
   * input size at stride 1, extra padding at the bottom and right, as PyTorch; at larger strides
   * ceil(input / stride), as TensorFlow).
   */
  padding?: Padding2;
  /** Spacing between kernel taps (default 1). */
  dilation?: Size2;
  /** Channel groups (default 1); both channel counts must be divisible by it. */
  groups?: number;
  /** Learn an additive per-channel bias (default true). */
  bias?: boolean;
}

function positivePair(name: string, v: Size2): [number, number] {
  const p = pair("conv2d", name, v);
  if (p[0] < 1 || p[1] < 1) {
    throw new RangeError(`conv2d: ${name} must be positive, got ${JSON.stringify(v)}`);
  }
  return [p[0], p[1]];
}

const pyPair = (p: readonly number[]) => `(${p.join(", ")})`;

/**
 * A 2-D convolution over NCHW input, as PyTorch's `nn.Conv2d`: `weight` is
 * `[outChannels, inChannels / groups, kh, kw]` and `bias` `[outChannels]`, both initialized
 * uniformly in ±1/√fanIn with `fanIn = inChannels / groups * kh * kw` (PyTorch's default,
 * Kaiming-uniform with `a = √5`).
 *
 * @example
 * ```ts
 * import { nn, random, zeros } from "@fluxion/fluxion";
 * const conv = nn.conv2d(1, 32, 3);
 * const { params, outputShape } = conv.init(random.key(0), [8, 1, 28, 28]); // [8, 32, 26, 26]
 * const y = conv.apply(params, zeros([8, 1, 28, 28]));
 * const same = nn.conv2d(3, 8, 5, { padding: "same", bias: false }); // keeps H and W
 * ```
 */
export function conv2d(
  inChannels: number,
  outChannels: number,
  kernelSize: Size2,
  opts: Conv2dLayerOptions = {},
): Model<Tensor, Tensor> {
  const cIn = positiveInt("conv2d", "inChannels", inChannels);
  const cOut = positiveInt("conv2d", "outChannels", outChannels);
  const kernel = positivePair("kernelSize", kernelSize);
  const stride = positivePair("stride", opts.stride ?? 1);
  const dilation = positivePair("dilation", opts.dilation ?? 1);
  const groups = positiveInt("conv2d", "groups", opts.groups ?? 1);
  const padding = opts.padding ?? 0;
  const bias = opts.bias ?? true;
  if (cIn % groups !== 0 || cOut % groups !== 0) {
    throw new RangeError(
      `conv2d: inChannels ${cIn} and outChannels ${cOut} must both be divisible by groups ${groups}`,
    );
  }
  // Validate the padding now, so a bad option fails at construction.
  padding4("conv2d", padding, [1, 1], kernel, stride, dilation);
  const padText = typeof padding === "string"
    ? `'${padding}'`
    : pyPair(typeof padding === "number" ? [padding, padding] : padding);
  // As PyTorch prints it: non-default options only.
  const extras = [
    padText === "(0, 0)" ? "" : `, padding=${padText}`,
    dilation[0] === 1 && dilation[1] === 1 ? "" : `, dilation=${pyPair(dilation)}`,
    groups === 1 ? "" : `, groups=${groups}`,
    bias ? "" : ", bias=False",
  ].join("");
  const name = `Conv2d(${cIn}, ${cOut}, kernel_size=${pyPair(kernel)}, stride=${
    pyPair(stride)
  }${extras})`;
  const wShape = [cOut, cIn / groups, kernel[0], kernel[1]];
  const options = { stride, padding, dilation, groups };

  return layer<Tensor, Tensor>({
    name,
    init(key, inputShape) {
      const shape = tensorShape(name, inputShape);
      const is4d = shape.length === 4;
      const out = [0, 1].map((i) => {
        if (!is4d) return 0;
        const p = padding4("conv2d", padding, shape.slice(2), kernel, stride, dilation);
        const span = dilation[i] * (kernel[i] - 1) + 1;
        return Math.floor((shape[2 + i] + p[2 * i] + p[2 * i + 1] - span) / stride[i]) + 1;
      });
      validate(name, [
        check(is4d, () => `expects input [N, ${cIn}, H, W], got ${fmtShape(shape)}`),
        check(
          !is4d || shape[1] === cIn,
          () => `expects ${cIn} input channels, got ${shape[1]} in input ${fmtShape(shape)}`,
        ),
        check(
          !is4d || (out[0] >= 1 && out[1] >= 1),
          () =>
            `input ${fmtShape(shape)} is smaller than the dilated kernel ${
              pyPair(kernel)
            } after padding (output would be ${out[0]}x${out[1]})`,
        ),
      ]);
      const [kw, kb] = split(key);
      const w = kaimingUniform(kw, wShape, { a: Math.sqrt(5) });
      const bound = 1 / Math.sqrt(wShape[1] * kernel[0] * kernel[1]);
      const params = bias
        ? { weight: w, bias: uniform(kb, [cOut], { minval: -bound, maxval: bound }) }
        : { weight: w };
      return { params, state: {}, outputShape: [shape[0], cOut, out[0], out[1]] };
    },
    call(params, state, x) {
      if (x.rank !== 4 || x.shape[1] !== cIn) {
        throw new Error(`${name}: expects input [N, ${cIn}, H, W], got ${fmtShape(x.shape)}`);
      }
      const y = conv2dOp(x, param(name, params, "weight", wShape), options);
      if (!bias) return [y, state];
      return [add(y, reshape(param(name, params, "bias", [cOut]), [1, cOut, 1, 1])), state];
    },
  });
}

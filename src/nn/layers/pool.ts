/**
 * Pooling layers over NCHW input: `maxPool2d`, `avgPool2d` and `adaptiveAvgPool2d`, as
 * PyTorch's `nn.MaxPool2d`, `nn.AvgPool2d` and `nn.AdaptiveAvgPool2d`.
 *
 * @module
 */
import { fmtShape, type Shape } from "../../core/shape.ts";
import type { Tensor } from "../../core/tensor.ts";
import { type Padding2, padding4, pair, type Size2 } from "../../ops/conv.ts";
import { avgPool2d as avgPoolOp, maxPool2d as maxPoolOp } from "../../ops/pool.ts";
import { mean } from "../../ops/reduce.ts";
import { reshape } from "../../ops/shape_ops.ts";
import { concat, slice } from "../../ops/slicing.ts";
import { layer, type Model } from "../model.ts";
import { check, tensorShape, validate } from "../validate.ts";

/** Options of `maxPool2d` and `avgPool2d` layers. */
export interface Pool2dLayerOptions {
  /** Step between windows (default: the kernel size, as in PyTorch). */
  stride?: Size2;
  /** Implicit padding, at most half the kernel (default 0), or `"same"`/`"valid"`. */
  padding?: Padding2;
}

/** Options of the `avgPool2d` layer. */
export interface AvgPool2dLayerOptions extends Pool2dLayerOptions {
  /** Count padded zeros in the divisor (default true, as in PyTorch). */
  countIncludePad?: boolean;
}

const pyPair = (p: readonly number[]) => `(${p.join(", ")})`;

function poolLayer(
  kind: "MaxPool2d" | "AvgPool2d",
  kernelSize: Size2,
  opts: AvgPool2dLayerOptions,
  run: (x: Tensor) => Tensor,
  extra = "",
): Model<Tensor, Tensor> {
  const op = kind === "MaxPool2d" ? "maxPool2d" : "avgPool2d";
  const kernel = pair(op, "kernelSize", kernelSize);
  const stride = pair(op, "stride", opts.stride ?? kernel);
  if ([...kernel, ...stride].some((v) => v < 1)) {
    throw new RangeError(
      `${op}: kernelSize ${JSON.stringify(kernelSize)} and stride ${
        JSON.stringify(opts.stride)
      } must be positive`,
    );
  }
  const padding = opts.padding ?? 0;
  const fixed = padding4(op, padding, [1, 1], kernel, stride, [1, 1]);
  const padText = typeof padding === "string" ? `'${padding}'` : pyPair([fixed[0], fixed[2]]);
  const name = `${kind}(kernel_size=${pyPair(kernel)}, stride=${
    pyPair(stride)
  }, padding=${padText}${extra})`;
  return layer<Tensor, Tensor>({
    name,
    init(_key, inputShape) {
      const shape = tensorShape(name, inputShape);
      const is4d = shape.length === 4;
      const p = is4d ? padding4(op, padding, shape.slice(2), kernel, stride, [1, 1]) : fixed;
      const out = [0, 1].map((i) =>
        is4d ? Math.floor((shape[2 + i] + p[2 * i] + p[2 * i + 1] - kernel[i]) / stride[i]) + 1 : 0
      );
      validate(name, [
        check(is4d, () => `expects input [N, C, H, W], got ${fmtShape(shape)}`),
        check(
          [0, 1].every((i) => Math.max(p[2 * i], p[2 * i + 1]) * 2 <= kernel[i]),
          () => `padding ${JSON.stringify(p)} must be at most half the kernel ${pyPair(kernel)}`,
        ),
        check(
          !is4d || (out[0] >= 1 && out[1] >= 1),
          () => `input ${fmtShape(shape)} is smaller than the kernel ${pyPair(kernel)}`,
        ),
      ]);
      return { params: {}, state: {}, outputShape: [shape[0], shape[1], out[0], out[1]] };
    },
    call: (_params, state, x) => [run(x), state],
  });
}

/**
 * Max pooling over NCHW input, as PyTorch's `nn.MaxPool2d` (stride defaults to the kernel size).
 *
 * @example
 * ```ts
 * import { nn, random } from "@fluxion/fluxion";
 * nn.maxPool2d(2).init(random.key(0), [64, 64, 24, 24]).outputShape; // [64, 64, 12, 12]
 * ```
 */
export function maxPool2d(kernelSize: Size2, opts: Pool2dLayerOptions = {}): Model<Tensor, Tensor> {
  const o = { stride: opts.stride, padding: opts.padding };
  return poolLayer("MaxPool2d", kernelSize, o, (x) => maxPoolOp(x, kernelSize, o));
}

/**
 * Average pooling over NCHW input, as PyTorch's `nn.AvgPool2d` (stride defaults to the kernel
 * size; padded zeros count in the divisor unless `countIncludePad: false`).
 *
 * @example
 * ```ts
 * import { nn, random } from "@fluxion/fluxion";
 * const pool = nn.avgPool2d(3, { stride: 2, padding: 1, countIncludePad: false });
 * pool.init(random.key(0), [1, 8, 7, 7]).outputShape; // [1, 8, 4, 4]
 * ```
 */
export function avgPool2d(
  kernelSize: Size2,
  opts: AvgPool2dLayerOptions = {},
): Model<Tensor, Tensor> {
  const o = { stride: opts.stride, padding: opts.padding, countIncludePad: opts.countIncludePad };
  const cip = opts.countIncludePad ?? opts.padding !== "same";
  return poolLayer(
    "AvgPool2d",
    kernelSize,
    o,
    (x) => avgPoolOp(x, kernelSize, o),
    `, count_include_pad=${cip}`,
  );
}

/**
 * The mean over windows of `axis` giving `out` cells: cell i covers
 * `[floor(i * n / out), ceil((i + 1) * n / out))` (PyTorch's rule). A reshape when `out` divides
 * `n`, else slices and means.
 */
function adaptiveMean(x: Tensor, axis: number, out: number): Tensor {
  const n = x.shape[axis];
  if (n === out) return x;
  if (n % out === 0) {
    const s = [...x.shape.slice(0, axis), out, n / out, ...x.shape.slice(axis + 1)];
    return mean(reshape(x, s), { axis: axis + 1 });
  }
  const parts: Tensor[] = [];
  for (let i = 0; i < out; i++) {
    const start = Math.floor((i * n) / out);
    const end = Math.ceil(((i + 1) * n) / out);
    const spec = x.shape.map((_, a) => (a === axis ? [start, end] as const : null));
    parts.push(mean(slice(x, spec), { axis, keepdims: true }));
  }
  return concat(parts, axis);
}

/**
 * Average pooling to a fixed output size, as PyTorch's `nn.AdaptiveAvgPool2d`: output cell `i`
 * averages input rows `floor(i H / outH)` up to `ceil((i + 1) H / outH)` (and likewise for
 * columns). `outputSize` is a number, or `[h, w]` where `null` keeps that input size.
 *
 * @example
 * ```ts
 * import { nn, random } from "@fluxion/fluxion";
 * nn.adaptiveAvgPool2d(1).init(random.key(0), [2, 512, 7, 7]).outputShape; // [2, 512, 1, 1]
 * nn.adaptiveAvgPool2d([3, null]).init(random.key(0), [2, 8, 7, 5]).outputShape; // [2, 8, 3, 5]
 * ```
 */
export function adaptiveAvgPool2d(
  outputSize: number | readonly [number | null, number | null],
): Model<Tensor, Tensor> {
  const size = typeof outputSize === "number" ? [outputSize, outputSize] : outputSize;
  if (
    !Array.isArray(size) || size.length !== 2 ||
    !size.every((v) => v === null || (Number.isInteger(v) && v >= 1))
  ) {
    throw new RangeError(
      `adaptiveAvgPool2d: outputSize must be a positive integer or a pair of them (or null), got ${
        JSON.stringify(outputSize)
      }`,
    );
  }
  const name = `AdaptiveAvgPool2d(output_size=${
    typeof outputSize === "number"
      ? outputSize
      : `(${size.map((v) => (v === null ? "None" : v)).join(", ")})`
  })`;
  const target = (s: Shape) => [size[0] ?? s[2], size[1] ?? s[3]];
  return layer<Tensor, Tensor>({
    name,
    init(_key, inputShape) {
      const shape = tensorShape(name, inputShape);
      validate(name, [
        check(shape.length === 4, () => `expects input [N, C, H, W], got ${fmtShape(shape)}`),
        check(
          shape.length !== 4 || (shape[2] >= 1 && shape[3] >= 1),
          () => `expects a non-empty image, got ${fmtShape(shape)}`,
        ),
      ]);
      return { params: {}, state: {}, outputShape: [shape[0], shape[1], ...target(shape)] };
    },
    call(_params, state, x) {
      if (x.rank !== 4) {
        throw new Error(`${name}: expects input [N, C, H, W], got ${fmtShape(x.shape)}`);
      }
      const [oh, ow] = target(x.shape);
      return [adaptiveMean(adaptiveMean(x, 2, oh), 3, ow), state];
    },
  });
}

/**
 * Output shapes of the convolution and pooling primitives, with the checks of their stride,
 * padding, dilation and groups.
 *
 * @module
 */
import type { ConvParams, PoolParams } from "./primitives.ts";
import { fmtShape, type Shape } from "./shape.ts";

function convOutSize(
  op: string,
  input: Shape,
  dim: 2 | 3,
  k: number,
  stride: number,
  padLo: number,
  padHi: number,
  dil: number,
): number {
  const size = input[dim];
  const span = dil * (k - 1) + 1;
  const out = Math.floor((size + padLo + padHi - span) / stride) + 1;
  if (out < 1) {
    const window = dil === 1 ? `window ${k}` : `window ${span} (kernel ${k}, dilation ${dil})`;
    throw new Error(
      `${op}: ${window} does not fit input ${dim === 2 ? "height" : "width"} ${size} ` +
        `with padding ${padLo}+${padHi} (input ${fmtShape(input)})`,
    );
  }
  return out;
}

function checkConvParams(op: string, p: ConvParams) {
  const ok = p.stride.every((s) => Number.isInteger(s) && s >= 1) &&
    p.dilation.every((s) => Number.isInteger(s) && s >= 1) &&
    p.padding.every((s) => Number.isInteger(s) && s >= 0) && Number.isInteger(p.groups) &&
    p.groups >= 1;
  if (!ok) {
    throw new RangeError(
      `${op}: stride and dilation must be positive integers, padding non-negative, groups >= 1 (got ${
        JSON.stringify(p)
      })`,
    );
  }
}

/** conv2d output shape for input `x` and filter `w` (both NCHW / OIHW). */
export function convShape(op: string, x: Shape, w: Shape, p: ConvParams): number[] {
  checkConvParams(op, p);
  if (x.length !== 4 || w.length !== 4) {
    throw new Error(
      `${op}: expects input [N,C,H,W] and weight [O,C/groups,kH,kW], got ${fmtShape(x)} and ${
        fmtShape(w)
      }`,
    );
  }
  const [n, c] = x;
  const [o, cg, kh, kw] = w;
  if (c % p.groups !== 0 || o % p.groups !== 0) {
    throw new Error(
      `${op}: groups=${p.groups} must divide input channels ${c} and output channels ${o}`,
    );
  }
  if (cg * p.groups !== c) {
    throw new Error(
      `${op}: weight ${fmtShape(w)} expects ${
        cg * p.groups
      } input channels (groups=${p.groups}), input ${fmtShape(x)} has ${c}`,
    );
  }
  const oh = convOutSize(op, x, 2, kh, p.stride[0], p.padding[0], p.padding[1], p.dilation[0]);
  const ow = convOutSize(op, x, 3, kw, p.stride[1], p.padding[2], p.padding[3], p.dilation[1]);
  return [n, o, oh, ow];
}

/** Pooling output shape for input `x` (NCHW). */
export function poolShape(op: string, x: Shape, p: PoolParams): number[] {
  if (x.length !== 4) throw new Error(`${op}: expects input [N,C,H,W], got ${fmtShape(x)}`);
  const ok = p.kernel.every((k) => Number.isInteger(k) && k >= 1) &&
    p.stride.every((s) => Number.isInteger(s) && s >= 1) &&
    p.padding.every((s) => Number.isInteger(s) && s >= 0);
  if (!ok) {
    throw new RangeError(
      `${op}: kernel and stride must be positive integers, padding non-negative (got ${
        JSON.stringify(p)
      })`,
    );
  }
  if (
    p.padding[0] > p.kernel[0] / 2 || p.padding[1] > p.kernel[0] / 2 ||
    p.padding[2] > p.kernel[1] / 2 || p.padding[3] > p.kernel[1] / 2
  ) {
    throw new RangeError(
      `${op}: padding ${JSON.stringify(p.padding)} must be at most half the kernel ${
        JSON.stringify(p.kernel)
      }`,
    );
  }
  const oh = convOutSize(op, x, 2, p.kernel[0], p.stride[0], p.padding[0], p.padding[1], 1);
  const ow = convOutSize(op, x, 3, p.kernel[1], p.stride[1], p.padding[2], p.padding[3], 1);
  return [x[0], x[1], oh, ow];
}

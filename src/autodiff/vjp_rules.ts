/**
 * Vector-Jacobian products, one rule per differentiable primitive, each written with ops so that
 * the backward pass is itself recorded and can be differentiated again.
 *
 * @module
 */
import { bind } from "../autodiff/bind.ts";
import type { ConvParams, PoolParams, PrimName, PrimParams } from "../core/primitives.ts";
import type { Tensor } from "../core/tensor.ts";
import { zeros } from "../ops/creation.ts";
import { add, div, mul, pow, sub } from "../ops/arithmetic.ts";
import { cast } from "../ops/cast.ts";
import { equal, greater, less, where } from "../ops/comparison.ts";
import { cos, log, neg, sign, sin } from "../ops/unary.ts";
import { broadcastTo, reshape, sumToShape, transpose } from "../ops/shape_ops.ts";

/** What a rule sees of the recorded call. */
export interface Recorded<P extends PrimName> {
  /** The call's inputs. */
  readonly inputs: readonly Tensor[];
  /** The call's (single) output. */
  readonly outputs: readonly Tensor[];
  /** The call's parameters. */
  readonly params: PrimParams[P];
}

/** Maps the output cotangent to one cotangent per input (`undefined` where none flows). */
export type VjpRule<P extends PrimName> = (
  ct: Tensor,
  call: Recorded<P>,
  needs: readonly boolean[],
) => (Tensor | undefined)[];

/** Primitives whose outputs are never floating point, so no gradient flows through them. */
export type NonDifferentiable =
  | "equal"
  | "notEqual"
  | "greater"
  | "greaterEqual"
  | "less"
  | "lessEqual"
  | "argmax"
  | "argmin"
  | "maxPool2dArgmax";

/** A differentiable primitive's name. */
export type DiffPrim = Exclude<PrimName, NonDifferentiable>;

const zero = (): (Tensor | undefined)[] => [undefined];

function convParams(p: ConvParams): ConvParams {
  return { stride: p.stride, padding: p.padding, dilation: p.dilation, groups: p.groups };
}

function poolParams(p: PoolParams): PoolParams {
  return {
    kernel: p.kernel,
    stride: p.stride,
    padding: p.padding,
    countIncludePad: p.countIncludePad,
  };
}

/** Swaps the last two axes. */
function mT(x: Tensor): Tensor {
  const perm = x.shape.map((_, i) => i);
  [perm[x.rank - 2], perm[x.rank - 1]] = [perm[x.rank - 1], perm[x.rank - 2]];
  return transpose(x, perm);
}

/** Weights of a maximum/minimum tie-aware gradient: 1 where `a` wins, 0.5 on ties, else 0. */
function winWeight(wins: Tensor, ties: Tensor, dtype: Tensor["dtype"]): Tensor {
  return add(cast(wins, dtype), mul(cast(ties, dtype), 0.5));
}

/** Gradient of max/min reductions: split evenly among the tied extremes. */
const extremeRule: VjpRule<"max" | "min"> = (ct, { inputs: [x], outputs: [y], params }) => {
  const kept = x.shape.map((d, i) => (params.axes.includes(i) ? 1 : d));
  const mask = cast(equal(x, reshape(y, kept)), x.dtype);
  const count = bind("sum", [mask], { axes: params.axes, keepdims: true });
  return [mul(mask, div(reshape(ct, kept), count))];
};

/** The VJP rule of every differentiable primitive, keyed by primitive name. */
export const vjpRules: { [P in DiffPrim]: VjpRule<P> } = {
  neg: (ct) => [neg(ct)],
  exp: (ct, { outputs: [y] }) => [mul(ct, y)],
  log: (ct, { inputs: [x] }) => [div(ct, x)],
  log1p: (ct, { inputs: [x] }) => [div(ct, add(x, 1))],
  expm1: (ct, { outputs: [y] }) => [mul(ct, add(y, 1))],
  sqrt: (ct, { outputs: [y] }) => [div(ct, mul(y, 2))],
  abs: (ct, { inputs: [x] }) => [mul(ct, sign(x))],
  sign: zero,
  floor: zero,
  ceil: zero,
  round: zero,
  sin: (ct, { inputs: [x] }) => [mul(ct, cos(x))],
  cos: (ct, { inputs: [x] }) => [neg(mul(ct, sin(x)))],
  tanh: (ct, { outputs: [y] }) => [mul(ct, sub(1, mul(y, y)))],
  sigmoid: (ct, { outputs: [y] }) => [mul(ct, mul(y, sub(1, y)))],
  relu: (ct, { inputs: [x] }) => [where(greater(x, 0), ct, 0)],

  add: (ct, { inputs: [a, b] }) => [sumToShape(ct, a.shape), sumToShape(ct, b.shape)],
  sub: (ct, { inputs: [a, b] }) => [sumToShape(ct, a.shape), sumToShape(neg(ct), b.shape)],
  mul: (ct, { inputs: [a, b] }, needs) => [
    needs[0] ? sumToShape(mul(ct, b), a.shape) : undefined,
    needs[1] ? sumToShape(mul(ct, a), b.shape) : undefined,
  ],
  div: (ct, { inputs: [a, b], outputs: [y] }, needs) => [
    needs[0] ? sumToShape(div(ct, b), a.shape) : undefined,
    needs[1] ? sumToShape(neg(div(mul(ct, y), b)), b.shape) : undefined,
  ],
  pow: (ct, { inputs: [a, b], outputs: [y] }, needs) => {
    let db: Tensor | undefined;
    if (needs[1]) {
      // d(a^b)/db = a^b log(a), taken as 0 at a = 0; the log never sees 0, so no NaN leaks
      // into higher derivatives through the untaken branch.
      const isZero = equal(a, 0);
      const safeLog = log(where(isZero, 1, a));
      db = sumToShape(mul(ct, where(isZero, 0, mul(y, safeLog))), b.shape);
    }
    let da: Tensor | undefined;
    if (needs[0]) {
      // d(a^b)/da = b a^(b-1), taken as 0 at b = 0 (where 0 * 0^-1 would be NaN); the exponent
      // is replaced there so the untaken branch stays finite for higher derivatives.
      const bZero = equal(b, 0);
      const bSafe = where(bZero, 1, b);
      da = sumToShape(mul(ct, where(bZero, 0, mul(bSafe, pow(a, sub(bSafe, 1))))), a.shape);
    }
    return [da, db];
  },
  maximum: (ct, { inputs: [a, b] }, needs) => {
    const ties = equal(a, b);
    return [
      needs[0] ? sumToShape(mul(ct, winWeight(greater(a, b), ties, ct.dtype)), a.shape) : undefined,
      needs[1] ? sumToShape(mul(ct, winWeight(less(a, b), ties, ct.dtype)), b.shape) : undefined,
    ];
  },
  minimum: (ct, { inputs: [a, b] }, needs) => {
    const ties = equal(a, b);
    return [
      needs[0] ? sumToShape(mul(ct, winWeight(less(a, b), ties, ct.dtype)), a.shape) : undefined,
      needs[1] ? sumToShape(mul(ct, winWeight(greater(a, b), ties, ct.dtype)), b.shape) : undefined,
    ];
  },
  where: (ct, { inputs: [c, a, b] }, needs) => [
    undefined,
    needs[1] ? sumToShape(where(c, ct, 0), a.shape) : undefined,
    needs[2] ? sumToShape(where(c, 0, ct), b.shape) : undefined,
  ],
  cast: (ct, { inputs: [x] }) => [cast(ct, x.dtype)],

  sum: (ct, { inputs: [x], params }) => {
    const kept = x.shape.map((d, i) => (params.axes.includes(i) ? 1 : d));
    return [broadcastTo(reshape(ct, kept), x.shape)];
  },
  max: extremeRule,
  min: extremeRule,

  matmul: (ct, { inputs: [a, b] }, needs) => [
    needs[0] ? sumToShape(bind("matmul", [ct, mT(b)], {}), a.shape) : undefined,
    needs[1] ? sumToShape(bind("matmul", [mT(a), ct], {}), b.shape) : undefined,
  ],

  reshape: (ct, { inputs: [x] }) => [reshape(ct, x.shape)],
  transpose: (ct, { params }) => {
    const inv = new Array<number>(params.perm.length);
    params.perm.forEach((a, i) => (inv[a] = i));
    return [transpose(ct, inv)];
  },
  broadcastTo: (ct, { inputs: [x] }) => [sumToShape(ct, x.shape)],
  slice: (ct, { inputs: [x], params }) => {
    if (ct.size === 0) return [zeros(x.shape, { dtype: x.dtype, backend: x.backend })];
    // Axes walked backwards (negative steps) are flipped first, so every step is positive.
    if (params.steps.some((st) => st < 0)) {
      const n = ct.shape;
      ct = bind("slice", [ct], {
        starts: params.steps.map((st, i) => (st < 0 ? n[i] - 1 : 0)),
        ends: params.steps.map((st, i) => (st < 0 ? -1 : n[i])),
        steps: params.steps.map((st) => (st < 0 ? -1 : 1)),
      });
    }
    const widths = x.shape.map((d, i): [number, number, number] => {
      const step = Math.abs(params.steps[i]);
      const last = params.starts[i] + (ct.shape[i] - 1) * params.steps[i];
      const first = Math.min(params.starts[i], last);
      return [first, d - Math.max(params.starts[i], last) - 1, step - 1];
    });
    return [bind("pad", [ct], { widths, value: 0 })];
  },
  pad: (ct, { inputs: [x], params }) => {
    // Negative widths cropped some elements: their cotangent is zero. Grow ct back by the
    // cropped amounts first, so every element has a position to slice from.
    if (params.widths.some(([lo, hi]) => lo < 0 || hi < 0)) {
      const grow = params.widths.map(([lo, hi]) =>
        [Math.max(-lo, 0), Math.max(-hi, 0), 0] as const
      );
      ct = bind("pad", [ct], { widths: grow, value: 0 });
      params = { ...params, widths: params.widths.map(([lo, hi, i]) => [Math.max(lo, 0), hi, i]) };
    }
    const starts = params.widths.map(([lo]) => lo);
    const steps = params.widths.map(([, , interior]) => interior + 1);
    const ends = x.shape.map((d, i) => (d === 0 ? starts[i] : starts[i] + (d - 1) * steps[i] + 1));
    return [bind("slice", [ct], { starts, ends, steps })];
  },
  concat: (ct, { inputs, params }) => {
    let at = 0;
    return inputs.map((x) => {
      const starts = x.shape.map((_, i) => (i === params.axis ? at : 0));
      const ends = ct.shape.map((d, i) => (i === params.axis ? at + x.shape[i] : d));
      at += x.shape[params.axis];
      return bind("slice", [ct], { starts, ends, steps: x.shape.map(() => 1) });
    });
  },
  gather: (ct, { inputs: [x, idx], params }) => {
    const base = zeros(x.shape, { dtype: x.dtype, backend: x.backend });
    return [bind("scatterAdd", [base, idx, ct], params), undefined];
  },
  scatterAdd: (ct, { inputs: [, idx], params }, needs) => [
    ct,
    undefined,
    needs[2] ? bind("gather", [ct, idx], params) : undefined,
  ],

  conv2d: (ct, { inputs: [x, w], params }, needs) => {
    const p = convParams(params);
    return [
      needs[0] ? bind("conv2dBackwardInput", [ct, w], { ...p, inputShape: x.shape }) : undefined,
      needs[1] ? bind("conv2dBackwardFilter", [x, ct], { ...p, filterShape: w.shape }) : undefined,
    ];
  },
  // conv2dBackwardInput(dy, w) is bilinear and adjoint to conv2d in x: <g, bi(dy, w)> =
  // <conv2d(g, w), dy>, whose gradient in w is conv2dBackwardFilter(g, dy).
  conv2dBackwardInput: (g, { inputs: [dy, w], params }, needs) => {
    const p = convParams(params);
    return [
      needs[0] ? bind("conv2d", [g, w], p) : undefined,
      needs[1] ? bind("conv2dBackwardFilter", [g, dy], { ...p, filterShape: w.shape }) : undefined,
    ];
  },
  // <G, bf(x, dy)> = <conv2d(x, G), dy>.
  conv2dBackwardFilter: (g, { inputs: [x, dy], params }, needs) => {
    const p = convParams(params);
    return [
      needs[0] ? bind("conv2dBackwardInput", [dy, g], { ...p, inputShape: x.shape }) : undefined,
      needs[1] ? bind("conv2d", [x, g], p) : undefined,
    ];
  },
  maxPool2d: (ct, { inputs: [x], params }) => {
    const [n, c, h, w] = x.shape;
    const idx = bind("maxPool2dArgmax", [x], poolParams(params));
    const plane = ct.shape[2] * ct.shape[3];
    const base = zeros([n, c, h * w], { dtype: x.dtype, backend: x.backend });
    const scattered = bind("scatterAdd", [
      base,
      reshape(idx, [n, c, plane]),
      reshape(ct, [n, c, plane]),
    ], {
      axis: 2,
    });
    return [reshape(scattered, x.shape)];
  },
  avgPool2d: (ct, { inputs: [x], params }) => [
    bind("avgPool2dBackward", [ct], { ...poolParams(params), inputShape: x.shape }),
  ],
  avgPool2dBackward: (g, { params }) => [bind("avgPool2d", [g], poolParams(params))],
};

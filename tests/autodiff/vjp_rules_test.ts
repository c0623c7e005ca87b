/**
 * Every differentiable primitive's VJP rule, through the public ops, against central finite
 * differences (float64) and the jvp/vjp adjoint identity, on several seeded random inputs per op.
 * The first input of each op is also checked one order up: the gradient itself is
 * finite-differenced (this is what exercises the rules of conv2dBackwardInput,
 * conv2dBackwardFilter and avgPool2dBackward).
 */
import assert from "node:assert/strict";
import {
  abs,
  add,
  avgPool2d,
  broadcastTo,
  cast,
  ceil,
  concat,
  conv2d,
  type Conv2dOptions,
  cos,
  div,
  exp,
  expm1,
  floor,
  gather,
  grad,
  log,
  log1p,
  logSoftmax,
  logSumExp,
  matmul,
  max,
  maximum,
  maxPool2d,
  mean,
  min,
  minimum,
  mul,
  neg,
  pad,
  type Pool2dOptions,
  pow,
  type ReduceOptions,
  relu,
  reshape,
  round,
  scatterAdd,
  sigmoid,
  sign,
  sin,
  slice,
  type SliceSpec,
  softmax,
  sqrt,
  sub,
  sum,
  take,
  tanh,
  type Tensor,
  transpose,
  where,
} from "../../mod.ts";
import { bind } from "../../src/autodiff/bind.ts";
import type { ConvParams } from "../../src/core/primitives.ts";
import { vjpRules } from "../../src/autodiff/vjp_rules.ts";
import {
  checkGrad,
  checkJvp,
  type CheckOptions,
  counter,
  f64,
  Gen,
  type GenOptions,
  nearHalfInteger,
  nearInteger,
  read,
} from "./gradcheck.ts";

// ---------------------------------------------------------------------------------------------
// Coverage: wrap every rule so the last test can assert each one ran at least once.
const ruleCalls = new Map<string, number>();
{
  const rules = vjpRules as unknown as Record<string, (...a: unknown[]) => unknown>;
  for (const name of Object.keys(rules)) {
    const rule = rules[name];
    ruleCalls.set(name, 0);
    rules[name] = (...a: unknown[]) => {
      ruleCalls.set(name, ruleCalls.get(name)! + 1);
      return rule(...a);
    };
  }
}

type Fn = (...args: Tensor[]) => Tensor;
interface Case {
  f: Fn;
  args: Tensor[];
  opts?: CheckOptions;
}
interface PropertyOptions {
  /** Also finite-difference the gradient of `tanh(f)` on the first trial (default true). */
  second?: boolean;
  /** Options of the second-order check. */
  secondOpts?: CheckOptions;
}

function hashName(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

/**
 * The flattened gradient (all arguments) of `sum(tanh(f(...args)) * r)` for a fixed random `r`:
 * a function whose own gradient is the second-order check. The tanh makes the cotangent reaching
 * `f` depend on the inputs, so the rules' dependence on the cotangent is exercised too.
 */
function gradOf(f: Fn, args: Tensor[], seed: number): Fn {
  const y = f(...args);
  const r = new Gen(seed).tensor(y.shape, { lo: -1, hi: 1 });
  const loss = (...xs: Tensor[]) => sum(mul(tanh(f(...xs)), r));
  const argnums = args.map((_, i) => i);
  return (...xs: Tensor[]) => {
    const gs = grad(loss, { argnums })(...xs) as Tensor[];
    const flat = gs.map((g) => reshape(g, [g.size]));
    return flat.length === 1 ? flat[0] : concat(flat, 0);
  };
}

/** Registers a property test: `trials` random cases from `build`, each fully checked. */
function property(
  name: string,
  trials: number,
  build: (g: Gen, trial: number) => Case,
  popts: PropertyOptions = {},
): void {
  Deno.test(`vjp rule: ${name}`, () => {
    for (let i = 0; i < trials; i++) {
      const seed = hashName(name) + i;
      const g = new Gen(seed);
      const c = build(g, i);
      const label = `${name} #${i} (${c.args.map((a) => `[${a.shape}]`).join(", ")})`;
      checkGrad(c.f, c.args, { ...c.opts, seed: seed + 1, name: label });
      checkJvp(c.f, c.args, { ...c.opts, seed: seed + 2, name: `${label} jvp` });
      if (i === 0 && popts.second !== false) {
        checkGrad(gradOf(c.f, c.args, seed + 3), c.args, {
          eps: 1e-5,
          rtol: 1e-5,
          atol: 1e-6,
          ...popts.secondOpts,
          seed: seed + 4,
          name: `${label} second order`,
        });
      }
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Unary elementwise

const UNARY_SHAPES = [[], [5], [2, 3], [2, 1, 3]];
const nearZero = (m = 0.05) => (v: number) => Math.abs(v) < m;

const unary: [string, (x: Tensor) => Tensor, GenOptions][] = [
  ["neg", neg, {}],
  ["exp", exp, {}],
  ["log", log, { positive: true }],
  ["log1p", log1p, { lo: -0.8, hi: 2 }],
  ["expm1", expm1, {}],
  ["sqrt", sqrt, { positive: true }],
  ["abs", abs, { avoid: nearZero() }],
  ["sin", sin, { lo: -4, hi: 4 }],
  ["cos", cos, { lo: -4, hi: 4 }],
  ["tanh", tanh, {}],
  ["sigmoid", sigmoid, { lo: -4, hi: 4 }],
  ["relu", relu, { avoid: nearZero() }],
  // Piecewise constant: zero gradient away from the jumps.
  ["sign", sign, { avoid: nearZero() }],
  ["floor", floor, { lo: -3, hi: 3, avoid: nearInteger() }],
  ["ceil", ceil, { lo: -3, hi: 3, avoid: nearInteger() }],
  ["round", round, { lo: -3, hi: 3, avoid: nearHalfInteger() }],
];
for (const [name, op, gopts] of unary) {
  property(name, UNARY_SHAPES.length, (g, i) => ({
    f: (x) => op(x),
    args: [g.tensor(UNARY_SHAPES[i], gopts)],
  }));
}

Deno.test("vjp rule: sign/floor/ceil/round give exactly zero gradients", () => {
  const g = new Gen(7);
  const x = g.tensor([3, 4], { avoid: nearHalfInteger() });
  for (const op of [sign, floor, ceil, round]) {
    const dx = grad((x: Tensor) => sum(op(mul(x, 3))))(x) as Tensor;
    assert.deepEqual(Array.from(read(dx)), new Array(12).fill(0));
    counter.checks++;
  }
});

// ---------------------------------------------------------------------------------------------
// Binary elementwise, with broadcasting in both directions

const BINARY_SHAPES: [number[], number[]][] = [
  [[3, 4], [3, 4]],
  [[3, 4], [4]],
  [[4], [3, 4]],
  [[2, 1, 4], [3, 1]],
  [[3, 1], [1, 4]],
  [[1], [2, 3]],
  [[2, 3], []],
  [[], [2, 3]],
];

const binary: [string, (a: Tensor, b: Tensor) => Tensor, GenOptions, GenOptions][] = [
  ["add", add, {}, {}],
  ["sub", sub, {}, {}],
  ["mul", mul, {}, {}],
  ["div", div, {}, { avoid: nearZero(0.3) }],
  ["pow", pow, { lo: 0.3, hi: 2 }, { lo: -2, hi: 2 }],
  ["maximum", maximum, {}, {}],
  ["minimum", minimum, {}, {}],
];
for (const [name, op, ga, gb] of binary) {
  property(name, BINARY_SHAPES.length, (g, i) => ({
    f: (a, b) => op(a, b),
    args: [g.tensor(BINARY_SHAPES[i][0], ga), g.tensor(BINARY_SHAPES[i][1], gb)],
  }));
}

property("binary ops with a plain-number operand", 3, (g, i) => ({
  // Negative bases with integer exponents included.
  f: (x) =>
    add(
      add(add(pow(x, 3), pow(x, -2)), pow(abs(x), 0.5)),
      add(div(2, x), sub(mul(1.5, x), maximum(x, 1.2))),
    ),
  args: [
    g.tensor([[2, 3], [4], []][i], {
      avoid: (v) => Math.abs(v) < 0.3 || Math.abs(v - 1.2) < 0.05,
    }),
  ],
}));

property("same tensor as both operands", 3, (g, i) => ({
  f: (x) => add(mul(x, x), add(div(x, add(x, 3)), pow(x, x))),
  args: [g.tensor([[3], [2, 2], []][i], { positive: true })],
}));

Deno.test("vjp rule: maximum/minimum split ties evenly", () => {
  const x = f64([1, -2, 3], [3]);
  for (const op of [maximum, minimum]) {
    // d/dx op(x, x) = 0.5 + 0.5 = 1; d/da op(a, b) at a = b is 0.5.
    const dx = grad((x: Tensor) => sum(op(x, x)))(x) as Tensor;
    assert.deepEqual(Array.from(read(dx)), [1, 1, 1]);
    const [da, db] = grad((a: Tensor, b: Tensor) => sum(op(a, b)), { argnums: [0, 1] })(
      x,
      f64([1, -2, 3], [3]),
    ) as Tensor[];
    assert.deepEqual(Array.from(read(da)), [0.5, 0.5, 0.5]);
    assert.deepEqual(Array.from(read(db)), [0.5, 0.5, 0.5]);
    counter.checks += 2;
  }
});

// ---------------------------------------------------------------------------------------------
// where and cast

const WHERE_SHAPES: [number[], number[], number[]][] = [
  [[3, 4], [3, 4], [3, 4]],
  [[3, 4], [3, 1], [4]],
  [[2, 3, 1], [4], [3, 4]],
  [[3], [], [2, 3]],
];
property("where", WHERE_SHAPES.length, (g, i) => {
  const [cs, as, bs] = WHERE_SHAPES[i];
  const c = g.bools(cs);
  return { f: (a, b) => where(c, a, b), args: [g.tensor(as), g.tensor(bs)] };
});

property("cast float64 -> float32 -> float64", 3, (g, i) => ({
  f: (x) => cast(exp(cast(x, "float32")), "float64"),
  args: [g.tensor([[4], [2, 3], []][i], { lo: -1, hi: 1 })],
  // float32 rounding in the middle: a wide step and loose tolerances.
  opts: { eps: 1e-2, rtol: 2e-3, atol: 2e-3 },
}), { second: false });

property("cast to float32 output", 2, (g, i) => ({
  f: (x) => mul(cast(x, "float32"), 3),
  args: [g.tensor([[4], [2, 3]][i])],
  opts: { eps: 1e-2, rtol: 1e-4, atol: 1e-4 },
}), { second: false });

// ---------------------------------------------------------------------------------------------
// Reductions

const REDUCE_OPTS: ReduceOptions[] = [
  {},
  { axis: 0 },
  { axis: -1, keepdims: true },
  { axis: [0, 2] },
  { axis: [-1, -3], keepdims: true },
  { axis: 1, keepdims: true },
  { keepdims: true },
];
for (
  const [name, op] of [["sum", sum], ["max", max], ["min", min], ["mean", mean], [
    "logSumExp",
    logSumExp,
  ]] as const
) {
  property(name, REDUCE_OPTS.length + 1, (g, i) => {
    if (i === REDUCE_OPTS.length) return { f: (x) => op(x), args: [g.tensor([])] };
    const o = REDUCE_OPTS[i];
    return { f: (x) => op(x, o), args: [g.tensor([2, 3, 4])] };
  });
}

Deno.test("vjp rule: max/min split the gradient evenly among tied extremes", () => {
  const x = f64([1, 5, 5, 2, 3, 3], [2, 3]);
  const dmax = grad((x: Tensor) => sum(max(x, { axis: 1 })))(x) as Tensor;
  assert.deepEqual(Array.from(read(dmax)), [0, 0.5, 0.5, 0, 0.5, 0.5]);
  const dmin = grad((x: Tensor) => sum(min(x)))(x) as Tensor;
  assert.deepEqual(Array.from(read(dmin)), [1, 0, 0, 0, 0, 0]);
  counter.checks += 2;
});

// ---------------------------------------------------------------------------------------------
// matmul

const MATMUL_SHAPES: [number[], number[]][] = [
  [[3, 4], [4, 5]],
  [[2, 3, 4], [2, 4, 5]],
  [[2, 3, 4], [4, 5]],
  [[3, 4], [2, 4, 2]],
  [[2, 1, 3, 4], [3, 4, 2]],
  [[4], [4, 5]],
  [[3, 4], [4]],
  [[4], [4]],
  [[2, 3, 4], [4]],
  [[4], [2, 4, 3]],
];
property("matmul", MATMUL_SHAPES.length, (g, i) => ({
  f: (a, b) => matmul(a, b),
  args: [g.tensor(MATMUL_SHAPES[i][0]), g.tensor(MATMUL_SHAPES[i][1])],
}));

// ---------------------------------------------------------------------------------------------
// Movement

const RESHAPES: [number[], number[]][] = [
  [[2, 3, 4], [6, 4]],
  [[2, 3, 4], [4, -1]],
  [[2, 3, 4], [24]],
  [[6], [3, 1, 2]],
  [[], [1, 1]],
];
property("reshape", RESHAPES.length, (g, i) => ({
  f: (x) => reshape(x, RESHAPES[i][1]),
  args: [g.tensor(RESHAPES[i][0])],
}));

const PERMS: (number[] | undefined)[] = [[2, 0, 1], [1, 0, 2], [0, 2, 1], [1, 2, 0], undefined, [
  -1,
  0,
  1,
]];
property("transpose", PERMS.length, (g, i) => ({
  f: (x) => transpose(x, PERMS[i]),
  args: [g.tensor([2, 3, 4])],
}));

const BROADCASTS: [number[], number[]][] = [
  [[3, 1], [2, 3, 4]],
  [[], [2, 2]],
  [[4], [3, 4]],
  [[1, 4], [2, 3, 4]],
];
property("broadcastTo", BROADCASTS.length, (g, i) => ({
  f: (x) => broadcastTo(x, BROADCASTS[i][1]),
  args: [g.tensor(BROADCASTS[i][0])],
}));

const SLICES: [number[], (SliceSpec | null)[]][] = [
  [[5, 6], [[1, 5, 2], [0, 6, 3]]],
  [[5, 6], [null, [-1]]],
  [[5, 6], [[-4, -1], [1, null, 2]]],
  [[3, 4, 5], [[0, 3, 2], [1, 4], [4, 0]]],
  [[3, 4, 5], [[0, 3, 3], null, [0, 5, 4]]],
  [[5, 6], [[2, 1]]],
];
property("slice (steps > 1, negative bounds, empty)", SLICES.length, (g, i) => ({
  f: (x) => slice(x, SLICES[i][1]),
  args: [g.tensor(SLICES[i][0])],
}));

// The primitive also walks axes backwards (negative steps), as reversal does.
const BACKWARDS: [number[], number[], number[], number[]][] = [
  [[6, 5], [5, 4], [-1, -1], [-1, -2]],
  [[4, 7], [1, 6], [4, -1], [1, -3]],
];
property("slice primitive with negative steps", BACKWARDS.length, (g, i) => ({
  f: (x) => {
    const [, starts, ends, steps] = BACKWARDS[i];
    return bind("slice", [x], { starts, ends, steps });
  },
  args: [g.tensor(BACKWARDS[i][0])],
}));

const PADS: [number[], [number, number][], number][] = [
  [[2, 3], [[1, 2], [0, 3]], 1.5],
  [[2, 3], [[0, 0], [2, 1]], 0],
  [[2, 2, 2], [[1, 0], [0, 0], [1, 1]], -1],
  [[4], [[3, 0]], 0],
];
property("pad", PADS.length, (g, i) => ({
  f: (x) => pad(x, PADS[i][1], PADS[i][2]),
  args: [g.tensor(PADS[i][0])],
}));

const INTERIOR: [number[], [number, number, number][]][] = [
  [[2, 3], [[1, 0, 2], [0, 1, 1]]],
  [[3, 2, 2], [[0, 0, 1], [2, 1, 0], [0, 0, 3]]],
  // Negative widths crop (per axis, with interior padding).
  [[3, 4], [[-1, 1, 0], [1, -2, 1]]],
  [[4, 3], [[-2, -1, 1], [0, 0, 0]]],
];
property("pad primitive with interior padding", INTERIOR.length, (g, i) => ({
  f: (x) => bind("pad", [x], { widths: INTERIOR[i][1], value: 0.25 }),
  args: [g.tensor(INTERIOR[i][0])],
}));

const CONCATS: [number[][], number][] = [
  [[[1, 3], [2, 3], [3, 3]], 0],
  [[[2, 1], [2, 2], [2, 3]], 1],
  [[[2, 2, 1], [2, 2, 3], [2, 2, 2]], -1],
  [[[1, 2, 2], [2, 2, 2], [1, 2, 2]], 0],
];
property("concat (3 inputs)", CONCATS.length, (g, i) => ({
  f: (a, b, c) => concat([a, b, c], CONCATS[i][1]),
  args: CONCATS[i][0].map((s) => g.tensor(s)),
}));

property("gather", 4, (g, i) => {
  switch (i) {
    case 0: {
      const idx = g.ints([3, 4], 0, 5); // repeats accumulate in the gradient
      return { f: (x) => gather(x, idx, 1), args: [g.tensor([3, 5])] };
    }
    case 1: {
      const idx = g.ints([6, 3], 0, 4);
      return { f: (x) => gather(x, idx, 0), args: [g.tensor([4, 3])] };
    }
    case 2: {
      const idx = g.ints([3, 4], -5, 5); // negative indices count from the end
      return { f: (x) => gather(x, idx, -1), args: [g.tensor([3, 5])] };
    }
    default: {
      const idx = g.ints([1, 4, 2], 0, 3); // size-1 axis broadcasts
      return { f: (x) => gather(x, idx, 1), args: [g.tensor([2, 3, 2])] };
    }
  }
});

property("scatterAdd", 3, (g, i) => {
  switch (i) {
    case 0: {
      const idx = g.ints([3, 4], 0, 5);
      return {
        f: (b, u) => scatterAdd(b, idx, u, 1),
        args: [g.tensor([3, 5]), g.tensor([3, 4])],
      };
    }
    case 1: {
      const idx = g.ints([6, 3], 0, 4);
      return {
        f: (b, u) => scatterAdd(b, idx, u, 0),
        args: [g.tensor([4, 3]), g.tensor([6, 3])],
      };
    }
    default: {
      const idx = g.ints([2, 2, 3], 0, 2);
      return {
        f: (b, u) => scatterAdd(b, idx, u, -1),
        args: [g.tensor([2, 2, 2]), g.tensor([2, 2, 3])],
      };
    }
  }
});

property("take", 3, (g, i) => {
  switch (i) {
    case 0: {
      const idx = g.ints([2, 3], 0, 5);
      return { f: (x) => take(x, idx, 0), args: [g.tensor([5, 3])] };
    }
    case 1: {
      const idx = g.ints([4], 0, 3);
      return { f: (x) => take(x, idx, 1), args: [g.tensor([2, 3, 2])] };
    }
    default: {
      const idx = g.ints([2, 2], 0, 4);
      return { f: (x) => take(x, idx, -1), args: [g.tensor([3, 4])] };
    }
  }
});

// ---------------------------------------------------------------------------------------------
// Convolution and pooling

const CONVS: [number[], number[], Conv2dOptions][] = [
  [[1, 2, 5, 5], [3, 2, 3, 3], {}],
  [[2, 2, 6, 5], [2, 2, 3, 2], { stride: 2, padding: 1 }],
  [[1, 2, 7, 7], [2, 2, 3, 3], { dilation: 2, padding: [1, 0, 2, 1] }],
  [[1, 4, 4, 4], [4, 2, 2, 2], { groups: 2, stride: [1, 2] }],
  [[1, 2, 5, 5], [2, 1, 3, 3], { groups: 2, padding: "same" }],
  [[1, 3, 6, 6], [3, 1, 3, 3], { groups: 3, stride: 2, dilation: [1, 2], padding: 2 }],
];
property("conv2d (stride, padding, dilation, groups)", CONVS.length, (g, i) => ({
  f: (x, w) => conv2d(x, w, CONVS[i][2]),
  args: [g.tensor(CONVS[i][0]), g.tensor(CONVS[i][1])],
}));

// Second-order rules on several geometries: the gradient of a nonlinear conv loss,
// finite-differenced (the gradient's own VJP runs conv2dBackwardInput's and
// conv2dBackwardFilter's rules).
property("conv2dBackwardInput / conv2dBackwardFilter (second order)", 3, (g, i) => {
  const [xs, ws, o] = CONVS[[1, 3, 5][i]];
  const x0 = g.tensor(xs);
  const w0 = g.tensor(ws);
  const r = g.tensor(conv2d(x0, w0, o).shape);
  const loss = (x: Tensor, w: Tensor) => sum(mul(tanh(conv2d(x, w, o)), r));
  const g2 = grad(loss, { argnums: [0, 1] });
  return {
    f: (x, w) => {
      const [gx, gw] = g2(x, w) as Tensor[];
      return concat([reshape(gx, [gx.size]), reshape(gw, [gw.size])], 0);
    },
    args: [x0, w0],
    opts: { eps: 1e-5 },
  };
}, { second: false });

// The two gradient primitives called directly (they are bilinear, so this is exact up to
// rounding), with asymmetric padding, stride, dilation and groups.
const BACKWARD_PARAMS: ConvParams[] = [
  { stride: [1, 2], padding: [1, 0, 0, 1], dilation: [2, 1], groups: 2 },
  { stride: [2, 1], padding: [0, 2, 1, 0], dilation: [1, 1], groups: 1 },
];
property("conv2dBackwardInput / conv2dBackwardFilter primitives directly", 2, (g, i) => {
  const params = BACKWARD_PARAMS[i];
  const x0 = g.tensor([1, 4, 6, 7]);
  const w0 = g.tensor(i === 0 ? [4, 2, 2, 3] : [3, 4, 3, 2]);
  const yShape = bind("conv2d", [x0, w0], params).shape;
  return {
    f: (dy, w, x) => {
      const dx = bind("conv2dBackwardInput", [dy, w], { ...params, inputShape: x0.shape });
      const dw = bind("conv2dBackwardFilter", [x, dy], { ...params, filterShape: w0.shape });
      return concat([reshape(dx, [dx.size]), reshape(dw, [dw.size])], 0);
    },
    args: [g.tensor(yShape), w0, x0],
  };
});

const MAXPOOLS: [number[], number | [number, number], Pool2dOptions][] = [
  [[1, 2, 4, 4], 2, {}],
  [[2, 1, 5, 5], 3, { stride: 2, padding: 1 }],
  [[1, 2, 4, 5], 2, { stride: 1 }], // overlapping windows: one input can win several
  [[1, 1, 5, 6], [2, 3], { stride: [1, 2] }],
];
property("maxPool2d", MAXPOOLS.length, (g, i) => ({
  f: (x) => maxPool2d(x, MAXPOOLS[i][1], MAXPOOLS[i][2]),
  args: [g.tensor(MAXPOOLS[i][0])],
}));

const AVGPOOLS: [number[], number | [number, number], Pool2dOptions][] = [
  [[1, 2, 4, 4], 2, {}],
  [[2, 1, 5, 5], 3, { stride: 2, padding: 1, countIncludePad: true }],
  [[2, 1, 5, 5], 3, { stride: 2, padding: 1, countIncludePad: false }],
  [[1, 2, 4, 5], [3, 2], { stride: 1, padding: 1, countIncludePad: false }],
  [[1, 1, 6, 5], [2, 3], { stride: [2, 1], padding: [1, 1], countIncludePad: true }],
];
property("avgPool2d (both countIncludePad)", AVGPOOLS.length, (g, i) => ({
  f: (x) => avgPool2d(x, AVGPOOLS[i][1], AVGPOOLS[i][2]),
  args: [g.tensor(AVGPOOLS[i][0])],
}));

property("avgPool2dBackward (second order)", 3, (g, i) => {
  const [xs, k, o] = AVGPOOLS[i + 1];
  const r = g.tensor(avgPool2d(g.tensor(xs), k, o).shape);
  const dx = grad((x: Tensor) => sum(mul(sin(avgPool2d(x, k, o)), r)));
  return { f: (x) => dx(x) as Tensor, args: [g.tensor(xs)], opts: { eps: 1e-5 } };
}, { second: false });

// ---------------------------------------------------------------------------------------------
// Composites

const SOFTMAX_AXES = [-1, 0, 1];
property("softmax", SOFTMAX_AXES.length, (g, i) => ({
  f: (x) => softmax(x, SOFTMAX_AXES[i]),
  args: [g.tensor([2, 3, 4], { lo: -3, hi: 3 })],
}));
property("logSoftmax", SOFTMAX_AXES.length, (g, i) => ({
  f: (x) => logSoftmax(x, SOFTMAX_AXES[i]),
  args: [g.tensor([2, 3, 4], { lo: -3, hi: 3 })],
}));

property("a small network (composition of many rules)", 2, (g) => {
  const x = g.tensor([4, 3]);
  const labels = g.ints([4, 1], 0, 2);
  return {
    f: (w1, b1, w2) => {
      const h = tanh(add(matmul(x, w1), b1));
      const logits = matmul(h, w2);
      return neg(mean(gather(logSoftmax(logits), labels, 1)));
    },
    args: [g.tensor([3, 5]), g.tensor([5]), g.tensor([5, 2])],
  };
});

// ---------------------------------------------------------------------------------------------
// Randomly generated shapes, axes, permutations and slices

/** A random shape of rank `lo..hi` with dimensions 1..3. */
function randomShape(g: Gen, lo: number, hi: number): number[] {
  const rank = lo + g.int(hi - lo + 1);
  return Array.from({ length: rank }, () => 1 + g.int(3));
}

/** Two shapes that broadcast together: dims set to 1 and leading dims dropped at random. */
function broadcastPair(g: Gen): [number[], number[]] {
  const base = randomShape(g, 0, 3);
  const side = () => base.slice(g.int(base.length + 1)).map((d) => (g.next() < 0.3 ? 1 : d));
  return g.next() < 0.5 ? [base.map((d) => (g.next() < 0.2 ? 1 : d)), side()] : [
    side(),
    base,
  ];
}

for (const [name, op, ga, gb] of binary) {
  property(`${name} on random broadcasting shapes`, 6, (g) => {
    const [as, bs] = broadcastPair(g);
    return { f: (a, b) => op(a, b), args: [g.tensor(as, ga), g.tensor(bs, gb)] };
  }, { second: false });
}

property("where on random broadcasting shapes", 6, (g) => {
  const [as, bs] = broadcastPair(g);
  const c = g.bools(g.next() < 0.5 ? as : bs);
  return { f: (a, b) => where(c, a, b), args: [g.tensor(as), g.tensor(bs)] };
}, { second: false });

for (
  const [name, op] of [["sum", sum], ["max", max], ["min", min], ["mean", mean], [
    "logSumExp",
    logSumExp,
  ]] as const
) {
  property(`${name} over random axes`, 6, (g) => {
    const shape = randomShape(g, 1, 4);
    const axes = shape.flatMap((
      _,
      a,
    ) => (g.next() < 0.5 ? [g.next() < 0.5 ? a : a - shape.length] : []));
    const o: ReduceOptions = { axis: axes.length ? axes : undefined, keepdims: g.next() < 0.5 };
    return { f: (x) => op(x, o), args: [g.tensor(shape)] };
  }, { second: false });
}

property("transpose by random permutations", 6, (g) => {
  const shape = randomShape(g, 1, 4);
  const perm = g.perm(shape.length);
  return { f: (x) => transpose(x, perm), args: [g.tensor(shape)] };
}, { second: false });

property("slice with random bounds and steps", 8, (g) => {
  const shape = randomShape(g, 1, 3).map((d) => d + 2);
  const specs = shape.map((d): SliceSpec | null => {
    if (g.next() < 0.2) return null;
    const bound = () => (g.next() < 0.3 ? null : g.int(2 * d + 1) - d);
    return [bound(), bound(), 1 + g.int(3)];
  });
  return { f: (x) => slice(x, specs), args: [g.tensor(shape)] };
}, { second: false });

// ---------------------------------------------------------------------------------------------

Deno.test("vjp rule coverage: every rule was exercised, and the number of checks", () => {
  const missing = [...ruleCalls].filter(([, n]) => n === 0).map(([k]) => k);
  assert.deepEqual(missing, [], `VJP rules never exercised: ${missing.join(", ")}`);
  console.log(
    `autodiff vjp_rules_test: ${counter.checks} gradient checks over ${ruleCalls.size} VJP rules`,
  );
});

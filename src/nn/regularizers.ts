/**
 * Regularizers: pure penalties on a parameter tree, to add to a loss. `l1` is `scale · Σ|w|`,
 * `l2` is `scale · Σw²` (Keras's convention: no factor 1/2, so PyTorch's `weight_decay = λ` in SGD
 * corresponds to `l2(params, { scale: λ / 2 })`), and `l1l2` their sum. A `mask` selects the
 * penalized leaves (usually weights, not biases): a tree of booleans shaped like the parameters, in
 * which a boolean may also stand for a whole subtree, or a predicate on each leaf's path
 * (`"fc1.weight"`, as `tree.flattenWithPaths` names it). Only floating-point leaves are penalized.
 *
 * @example
 * ```ts
 * import { losses, regularizers, tensor } from "@fluxion/fluxion";
 * const params = { fc: { weight: tensor([[1, -2]]), bias: tensor([3]) } };
 * const penalty = regularizers.l2(params, {
 *   scale: 1e-4,
 *   mask: (path) => path.endsWith("weight"),
 * }); // 1e-4 * (1 + 4)
 * ```
 *
 * @module
 */
import { describeValue } from "../core/check.ts";
import { isFloat } from "../core/dtype.ts";
import type { Tensor } from "../core/tensor.ts";
import { add, mul, square } from "../ops/arithmetic.ts";
import { scalar } from "../ops/creation.ts";
import { sum } from "../ops/reduce.ts";
import { abs } from "../ops/unary.ts";
import { flattenWithPaths } from "../tree/traverse.ts";
import { type Mask, maskFlags } from "../tree/mask.ts";

export type { Mask, MaskTree } from "../tree/mask.ts";

/** Options of `l1` and `l2`. */
export interface RegularizerOptions {
  /** The coefficient λ multiplying the penalty (default 1). */
  scale?: number;
  /** Which leaves to penalize (default all floating-point leaves). */
  mask?: Mask;
}

/** Options of `l1l2`. */
export interface L1L2Options {
  /** The coefficient of `Σ|w|` (default 1). */
  l1?: number;
  /** The coefficient of `Σw²` (default 1). */
  l2?: number;
  /** Which leaves to penalize (default all floating-point leaves). */
  mask?: Mask;
}

/** The floating-point leaves of `params` the mask selects (errors name the regularizer). */
function selected(op: string, params: unknown, mask: Mask | undefined): Tensor[] {
  const leaves = flattenWithPaths(params);
  const flags = mask === undefined ? leaves.map(() => true) : maskFlags(op, params, mask);
  return leaves.flatMap(([, t], i) => (flags[i] && isFloat(t.dtype) ? [t] : []));
}

function checkScale(op: string, name: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isFinite(v)) {
    throw new TypeError(`${op}: ${name} must be a finite number, got ${describeValue(v)}`);
  }
  return v;
}

/** `Σ f(leaf)` over the leaves, as a scalar (float32 0 when nothing is selected). */
function total(leaves: Tensor[], f: (t: Tensor) => Tensor): Tensor {
  if (leaves.length === 0) return scalar(0, "float32");
  return leaves.map((t) => sum(f(t))).reduce((a, b) => add(a, b));
}

/**
 * The L1 penalty `scale · Σ|w|` over the selected leaves of `params` (a scalar tensor).
 *
 * @example
 * ```ts
 * import { regularizers, tensor } from "@fluxion/fluxion";
 * const params = { weight: tensor([1, -2]), bias: tensor([5]) };
 * regularizers.l1(params, { scale: 0.1, mask: { weight: true, bias: false } }); // 0.3
 * ```
 */
export function l1(params: unknown, opts: RegularizerOptions = {}): Tensor {
  const scale = checkScale("regularizers.l1", "scale", opts.scale ?? 1);
  return mul(total(selected("regularizers.l1", params, opts.mask), abs), scale);
}

/**
 * The L2 penalty `scale · Σw²` over the selected leaves of `params` (a scalar tensor). As in
 * Keras there is no factor 1/2: its gradient is `2 · scale · w`.
 *
 * @example
 * ```ts
 * import { regularizers, tensor } from "@fluxion/fluxion";
 * const params = { weight: tensor([1, -2]), bias: tensor([5]) };
 * regularizers.l2(params, { scale: 0.1, mask: (path) => path !== "bias" }); // 0.5
 * ```
 */
export function l2(params: unknown, opts: RegularizerOptions = {}): Tensor {
  const scale = checkScale("regularizers.l2", "scale", opts.scale ?? 1);
  return mul(total(selected("regularizers.l2", params, opts.mask), square), scale);
}

/**
 * The elastic-net penalty `l1 · Σ|w| + l2 · Σw²` over the selected leaves (the form of Keras's `L1L2`; here both coefficients default to 1).
 *
 * @example
 * ```ts
 * import { regularizers, tensor } from "@fluxion/fluxion";
 * regularizers.l1l2({ w: tensor([1, -2]) }, { l1: 0.1, l2: 0.01 }); // 0.3 + 0.05
 * ```
 */
export function l1l2(params: unknown, opts: L1L2Options = {}): Tensor {
  const op = "regularizers.l1l2";
  const a = checkScale(op, "l1", opts.l1 ?? 1);
  const b = checkScale(op, "l2", opts.l2 ?? 1);
  const leaves = selected(op, params, opts.mask);
  return add(mul(total(leaves, abs), a), mul(total(leaves, square), b));
}

/**
 * Special functions and activation functions composed from the primitive ops: `erf` (for exact
 * GELU), `leakyRelu`, `elu`, `gelu`, `silu` and `softplus`, each with PyTorch's definition.
 *
 * @module
 */
import { customVjp } from "../autodiff/custom_vjp.ts";
import { requireTensor } from "../core/check.ts";
import { isFloat } from "../core/dtype.ts";
import type { Tensor } from "../core/tensor.ts";
import { add, div, mul, sub } from "./arithmetic.ts";
import { cast } from "./cast.ts";
import { greater, less, where } from "./comparison.ts";
import { abs, exp, expm1, log1p, neg, sigmoid, sign, tanh } from "./unary.ts";

function floatInput(op: string, x: Tensor): Tensor {
  requireTensor(op, x);
  return isFloat(x.dtype) ? x : cast(x, "float32");
}

/** Horner evaluation of `c[0] + t (c[1] + t (c[2] + ...))`. */
function horner(t: Tensor, c: readonly number[]): Tensor {
  let acc: Tensor = add(mul(t, c[c.length - 1]), c[c.length - 2]);
  for (let i = c.length - 3; i >= 0; i--) acc = add(mul(acc, t), c[i]);
  return acc;
}

// erfc(z) = t exp(-z² + P(t)), t = 1 / (1 + z/2), z >= 0: Numerical Recipes' Chebyshev fit,
// relative error below 1.2e-7 everywhere.
const ERFC_COEFFS = [
  -1.26551223,
  1.00002368,
  0.37409196,
  0.09678418,
  -0.18628806,
  0.27886807,
  -1.13520398,
  1.48851587,
  -0.82215223,
  0.17087277,
];
// erf(x) = 2/√π Σ (-1)^n x^(2n+1) / (n! (2n+1)), used for |x| < 0.5 where 1 - erfc loses digits.
const SERIES = Array.from({ length: 7 }, (_, n) => {
  let fact = 1;
  for (let k = 2; k <= n; k++) fact *= k;
  return ((n % 2 === 0 ? 1 : -1) * 2) / (Math.sqrt(Math.PI) * fact * (2 * n + 1));
});
const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

function erfForward(x: Tensor): Tensor {
  const z = abs(x);
  const t = div(1, add(mul(z, 0.5), 1));
  const erfc = mul(t, exp(sub(horner(t, ERFC_COEFFS), mul(z, z))));
  const large = mul(sign(x), sub(1, erfc));
  const small = mul(x, horner(mul(x, x), SERIES));
  return where(less(z, 0.5), small, large);
}

const erfWithGrad = customVjp(
  (x: Tensor) => erfForward(x),
  (x: Tensor) => [erfForward(x), x] as [Tensor, Tensor],
  (x: Tensor, ct: Tensor) => [mul(ct, mul(exp(neg(mul(x, x))), TWO_OVER_SQRT_PI))],
);

/**
 * The error function `erf(x) = 2/√π ∫₀ˣ exp(-t²) dt`, elementwise, accurate to about 1.2e-7
 * relative (a power series near zero, Numerical Recipes' Chebyshev fit of erfc elsewhere). The
 * gradient is the exact `2/√π exp(-x²)` (and differentiable again). Integer inputs give float32.
 *
 * @example
 * ```ts
 * import { erf, tensor } from "@fluxion/fluxion";
 * erf(tensor([0, 0.5, 1, -2])); // [0, 0.5205, 0.8427, -0.9953]
 * ```
 */
export function erf(x: Tensor): Tensor {
  return erfWithGrad(floatInput("erf", x));
}

/**
 * `x` where positive, `negativeSlope * x` elsewhere, as PyTorch's `F.leaky_relu` (default slope
 * 0.01; the gradient at 0 is the slope).
 *
 * @example
 * ```ts
 * import { leakyRelu, tensor } from "@fluxion/fluxion";
 * leakyRelu(tensor([-2, 3]), 0.1); // [-0.2, 3]
 * ```
 */
export function leakyRelu(x: Tensor, negativeSlope = 0.01): Tensor {
  const xf = floatInput("leakyRelu", x);
  return where(greater(xf, 0), xf, mul(xf, negativeSlope));
}

/**
 * The exponential linear unit `x > 0 ? x : alpha (exp(x) - 1)`, as PyTorch's `F.elu`.
 *
 * @example
 * ```ts
 * import { elu, tensor } from "@fluxion/fluxion";
 * elu(tensor([-1, 2])); // [-0.6321, 2]
 * ```
 */
export function elu(x: Tensor, alpha = 1): Tensor {
  const xf = floatInput("elu", x);
  const pos = greater(xf, 0);
  // The branch not taken sees 0 instead of x, so it stays finite and its zero gradient stays 0.
  return where(pos, xf, mul(expm1(where(pos, 0, xf)), alpha));
}

/**
 * The Gaussian error linear unit, as PyTorch's `F.gelu`: `x Φ(x) = x/2 (1 + erf(x/√2))` (default
 * `approximate: "none"`), or with `approximate: "tanh"`, `x/2 (1 + tanh(√(2/π) (x + 0.044715 x³)))`.
 *
 * @example
 * ```ts
 * import { gelu, tensor } from "@fluxion/fluxion";
 * gelu(tensor([-1, 0, 1])); // [-0.1587, 0, 0.8413]
 * gelu(tensor([1]), { approximate: "tanh" }); // [0.8412]
 * ```
 */
export function gelu(x: Tensor, opts: { approximate?: "none" | "tanh" } = {}): Tensor {
  const xf = floatInput("gelu", x);
  const approximate = opts.approximate ?? "none";
  if (approximate === "none") return mul(mul(xf, 0.5), add(erf(mul(xf, Math.SQRT1_2)), 1));
  if (approximate === "tanh") {
    const inner = mul(add(xf, mul(mul(mul(xf, xf), xf), 0.044715)), Math.sqrt(2 / Math.PI));
    return mul(mul(xf, 0.5), add(tanh(inner), 1));
  }
  throw new TypeError(
    `gelu: approximate must be "none" or "tanh", got ${JSON.stringify(approximate)}`,
  );
}

/**
 * The sigmoid linear unit (swish) `x * sigmoid(x)`, as PyTorch's `F.silu`.
 *
 * @example
 * ```ts
 * import { silu, tensor } from "@fluxion/fluxion";
 * silu(tensor([0, 1])); // [0, 0.7311]
 * ```
 */
export function silu(x: Tensor): Tensor {
  const xf = floatInput("silu", x);
  return mul(xf, sigmoid(xf));
}

/**
 * `log(1 + exp(beta x)) / beta`, reverting to `x` where `beta x > threshold` for numerical
 * stability, as PyTorch's `F.softplus` (defaults beta 1, threshold 20).
 *
 * @example
 * ```ts
 * import { softplus, tensor } from "@fluxion/fluxion";
 * softplus(tensor([0, 30])); // [0.6931, 30]
 * ```
 */
export function softplus(x: Tensor, beta = 1, threshold = 20): Tensor {
  const xf = floatInput("softplus", x);
  if (typeof beta !== "number" || !(beta !== 0 && Number.isFinite(beta))) {
    throw new RangeError(`softplus: beta must be a finite non-zero number, got ${beta}`);
  }
  const bx = mul(xf, beta);
  const linear = greater(bx, threshold);
  // The branch not taken sees 0, so exp stays finite and its zero gradient stays 0 (not NaN).
  const soft = div(log1p(exp(where(linear, 0, bx))), beta);
  return where(linear, xf, soft);
}

/**
 * `stopGradient`: the identity whose derivative is zero.
 *
 * @module
 */
import { describeValue } from "../core/check.ts";
import { Tensor } from "../core/tensor.ts";
import { traceObserver } from "../core/trace_hooks.ts";

/**
 * `x` itself as a value, but treated as a constant by `grad` and friends: no gradient flows
 * through it.
 *
 * @example
 * ```ts
 * import { grad, mul, stopGradient, type Tensor, tensor } from "@fluxion/fluxion";
 * const f = (x: Tensor) => mul(x, stopGradient(x)); // d/dx = stopGradient(x) = x, not 2x
 * await grad(f)(tensor(3)).data(); // [3]
 * ```
 */
export function stopGradient(x: Tensor): Tensor {
  if (!(x instanceof Tensor)) {
    throw new TypeError(`stopGradient: expected a Tensor, got ${describeValue(x)}`);
  }
  // A new tensor sharing the (immutable) storage, unknown to every tape.
  const y = new Tensor(x.backend, x.storage, x.shape, x.dtype);
  traceObserver()?.source(y, "stopGradient", null, [x]);
  return y;
}

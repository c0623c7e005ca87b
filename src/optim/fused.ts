/**
 * Fused optimizer steps: where the parameters' backend has a fused kernel for an update and no
 * gradient tape is recording (nothing differentiates through the step), one kernel replaces the
 * several primitives of the update, with the same results. Otherwise `undefined`, and the
 * optimizer composes primitives.
 *
 * @module
 */
import type { AdamConstants } from "../backend/backend.ts";
import { recording } from "../autodiff/tape.ts";
import { traceObserver } from "../core/trace_hooks.ts";
import { isDisposed } from "../core/lifetime.ts";
import { shapesEqual } from "../core/shape.ts";
import { Tensor } from "../core/tensor.ts";

/** Whether `xs` can go to one fused kernel: live tensors of one backend, dtype and shape. */
function fusable(xs: readonly Tensor[]): boolean {
  const [a] = xs;
  return !recording() && traceObserver() === null &&
    xs.every((x) =>
      x instanceof Tensor && !isDisposed(x) && x.backend === a.backend && x.dtype === a.dtype &&
      shapesEqual(x.shape, a.shape)
    );
}

/** One Adam step for a parameter: `[update, mu, nu]`, or `undefined` when not fused. */
export function fusedAdam(
  g: Tensor,
  mu: Tensor,
  nu: Tensor,
  c: AdamConstants,
): [Tensor, Tensor, Tensor] | undefined {
  const kernel = g.backend.fused?.adam;
  if (kernel === undefined || !fusable([g, mu, nu])) return undefined;
  const out = kernel(g, mu, nu, c);
  return out?.map((s) => new Tensor(g.backend, s, g.shape, g.dtype)) as
    | [Tensor, Tensor, Tensor]
    | undefined;
}

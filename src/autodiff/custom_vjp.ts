/**
 * `customVjp`: a function with a hand-written gradient.
 *
 * @module
 */
import { traceObserver } from "../core/trace_hooks.ts";
import { Tensor } from "../core/tensor.ts";
import { isFloat } from "../core/dtype.ts";
import { fmtShape, shapesEqual } from "../core/shape.ts";
import { cast } from "../ops/cast.ts";
import { zerosLike } from "../ops/creation.ts";
import * as tree from "../tree/tree.ts";
import { record, tapesWatching, withoutTapesGuarded } from "./tape.ts";

/**
 * `f` with a custom gradient, like `jax.custom_vjp`. `fwd(...args)` returns `[output, residuals]`
 * (output must equal `f(...args)`); `bwd(residuals, outputCotangent)` returns one cotangent
 * pytree per argument, shaped like it (or `null` for an argument that gets no gradient). Without
 * an active gradient, `f` runs as it is. Use it for numerically stable gradients or to clip
 * gradients in the backward pass.
 *
 * Tensors that carry gradients must reach `fwd` as arguments: one it reads from a closure is
 * reported as an error (its gradient would be lost). `bwd` is differentiated again only through
 * its use of the cotangent and the arguments: residuals computed in `fwd` are constants to
 * enclosing gradients.
 *
 * @example
 * ```ts
 * import { customVjp, grad, mul, type Tensor, tensor, where, greater, abs } from "@fluxion/fluxion";
 * // Identity whose gradient is clipped to [-1, 1].
 * const clipGrad = customVjp(
 *   (x: Tensor) => x,
 *   (x: Tensor) => [x, null],
 *   (_res: null, ct: Tensor) => [where(greater(abs(ct), 1), mul(ct, 0), ct)],
 * );
 * grad((x: Tensor) => mul(clipGrad(x), 5))(tensor(1)); // 0: the cotangent 5 was clipped
 * ```
 */
export function customVjp<Args extends unknown[], Out, Res>(
  f: (...args: Args) => Out,
  fwd: (...args: Args) => [Out, Res],
  bwd: (residuals: Res, cotangent: Out) => unknown[],
): (...args: Args) => Out {
  for (const [name, fn] of [["f", f], ["fwd", fwd], ["bwd", bwd]] as const) {
    if (typeof fn !== "function") throw new TypeError(`customVjp: ${name} must be a function`);
  }
  return (...args: Args): Out => {
    const inputs = tree.leaves(args);
    const tapes = tapesWatching(inputs);
    if (tapes.length === 0) {
      // A trace records f's ops; replay under a tape later needs this rule (compile notes it).
      traceObserver()?.customRule();
      return f(...args);
    }
    const [out, res] = withoutTapesGuarded("customVjp", inputs, () => fwd(...args));
    const [outLeaves, outDef] = tree.flatten(out);
    // Fresh identities, so outputs that are inputs passed through get their own tape entries.
    const outputs = outLeaves.map((o) => new Tensor(o.backend, o.storage, o.shape, o.dtype));
    outputs.forEach((o, i) => traceObserver()?.source(o, "customVjp", null, [outLeaves[i]]));
    record({
      prim: "customVjp",
      params: null,
      inputs,
      outputs,
      custom: (cts) => {
        const ct = tree.unflatten(outDef, cts.map((c, i) => c ?? zerosLike(outputs[i])));
        const grads = bwd(res, ct);
        if (!Array.isArray(grads) || grads.length !== args.length) {
          throw new Error(
            `customVjp: bwd must return an array of ${args.length} cotangents (one per argument), got ${
              Array.isArray(grads) ? grads.length : typeof grads
            }`,
          );
        }
        const flat = grads.flatMap((g, i) => {
          const want = tree.leaves(args[i]);
          // null or undefined: no gradient for this argument.
          if (g === null || g === undefined) return want.map(() => undefined);
          const got = tree.leaves(g);
          if (!tree.structureEqual(g, args[i]) || got.length !== want.length) {
            throw new Error(
              `customVjp: bwd's cotangent ${i} does not match the structure of argument ${i}`,
            );
          }
          return got.map((c, j) => {
            const x = want[j];
            if (!shapesEqual(c.shape, x.shape) || !isFloat(c.dtype)) {
              throw new Error(
                `customVjp: bwd's cotangent ${i} (leaf ${j}) is ${fmtShape(c.shape)} ${c.dtype}, ` +
                  `but the argument is ${fmtShape(x.shape)} ${x.dtype}`,
              );
            }
            return c.dtype === x.dtype ? c : cast(c, x.dtype);
          });
        });
        return flat;
      },
    }, tapes);
    return tree.unflatten(outDef, outputs);
  };
}

/**
 * Step counts that live on the device. An optimizer's state counts its updates; a plain number
 * count is exact and lets backends fuse the update, but every step changes it, so a compiled
 * training step (`compile`) would trace again each time. `capturable(opt)` keeps the count as an
 * int32 scalar tensor instead: learning-rate schedules and bias corrections are then computed
 * with tensor ops in float32 (as PyTorch's `capturable=True` optimizers do for CUDA graphs), and
 * one traced step replays for every later step.
 *
 * @module
 */
import { scalar } from "../ops/creation.ts";
import { Tensor } from "../core/tensor.ts";
import { leaves } from "../tree/structure.ts";
import type { GradientTransformation } from "./transform.ts";

/**
 * A step count: a number, or an int32 scalar tensor for `capturable` optimizers.
 *
 * @example
 * ```ts
 * import { optim, tensor } from "@fluxion/fluxion";
 * const s = optim.capturable(optim.sgd({ lr: 0.1 })).init({ w: tensor([1]) });
 * const count: optim.StepCount = s.count; // a tensor here, 0 for a plain sgd
 * ```
 */
export type StepCount = number | Tensor;

function replaceCounts(state: unknown, backend: Tensor["backend"]): unknown {
  if (Array.isArray(state)) return state.map((s) => replaceCounts(s, backend));
  if (state === null || typeof state !== "object" || state instanceof Tensor) return state;
  if (Object.getPrototypeOf(state) !== Object.prototype) return state;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(state)) {
    out[k] = k === "count" && typeof v === "number"
      ? scalar(v, "int32", backend)
      : replaceCounts(v, backend);
  }
  return out;
}

/**
 * `opt` with its step counts kept as int32 scalar tensors on the parameters' backend (every
 * `count` field of its state, chained transformations included), so that `compile` traces one
 * training step and replays it for all later steps. Schedules and bias corrections are then
 * computed in float32 on the device: results agree with `opt`'s to float32 rounding. Custom
 * schedules (plain functions of a number) are an error; built-in ones work.
 *
 * @example
 * ```ts
 * import { optim, tensor } from "@fluxion/fluxion";
 * const opt = optim.capturable(optim.adam({ lr: 1e-2 }));
 * const state = opt.init({ w: tensor([1, 2]) });
 * console.log((state as { count: unknown }).count); // an int32 scalar tensor
 * ```
 */
export function capturable<S>(opt: GradientTransformation<S>): GradientTransformation<S> {
  return {
    init(params) {
      const state = opt.init(params);
      const first = leaves(params)[0];
      if (first === undefined) return state;
      return replaceCounts(state, first.backend) as S;
    },
    update: (grads, state, params) => opt.update(grads, state, params),
  };
}

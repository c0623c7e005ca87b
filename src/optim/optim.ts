/**
 * Optimizers as pure gradient transformations, in the style of Optax: each is a value with
 * `init(params) -> state` and `update(grads, state, params) -> [updates, state]`, composed with
 * `chain` and applied with `applyUpdates`. Nothing mutates; the state is a pytree of tensors and
 * step counts.
 *
 * `sgd`, `adam`, `adamw`, `adagrad`, `rmsprop` and `adadelta` take PyTorch's option names and
 * follow PyTorch 1.13's update equations. Learning rates may be numbers or schedules (`constant`,
 * `stepDecay`, `exponentialDecay`, `cosineDecay`, `warmupCosineDecay`, or any
 * `(step) => number`), evaluated at the step count (0 at the first update). Building blocks:
 * `clipByGlobalNorm`, `clipByValue`, `addDecayedWeights`, `scaleByLearningRate`, `scale`,
 * `identity`, and `masked` to freeze parameters by a mask tree or a predicate over their paths.
 *
 * @example
 * ```ts
 * import { add, mean, mul, optim, square, sub, tensor, type Tensor, valueAndGrad } from "@fluxion/fluxion";
 * const x = tensor([1, 2, 3, 4]);
 * const y = tensor([3, 5, 7, 9]); // y = 2x + 1
 * type P = { w: Tensor; b: Tensor };
 * const loss = (p: P) => mean(square(sub(add(mul(x, p.w), p.b), y)));
 * const opt = optim.chain(optim.clipByGlobalNorm(10), optim.adam({ lr: 0.1 }));
 * let params: P = { w: tensor(0), b: tensor(0) };
 * let state = opt.init(params);
 * for (let step = 0; step < 100; step++) {
 *   const [, grads] = valueAndGrad(loss)(params);
 *   const [updates, next] = opt.update(grads, state, params);
 *   params = optim.applyUpdates(params, updates);
 *   state = next;
 * }
 * ```
 *
 * @module
 */
export * from "./transform.ts";
export * from "./schedules.ts";
export * from "./sgd.ts";
export * from "./adam.ts";
export * from "./adagrad.ts";
export * from "./rmsprop.ts";
export * from "./adadelta.ts";
export * from "./clip.ts";
export * from "./weight_decay.ts";
export * from "./masked.ts";
export * from "./capturable.ts";

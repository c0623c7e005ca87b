/**
 * Models as morphisms: layers, their composition, initializers, summaries and fine-tuning tools.
 * Every model is an immutable value with `init` and `apply`; parameter names and layouts follow
 * PyTorch's `state_dict`.
 *
 * @example
 * ```ts
 * import { nn, random, zeros } from "@fluxion/fluxion";
 * const net = nn.sequential({ fc1: nn.linear(4, 8), act: nn.relu(), fc2: nn.linear(8, 2) });
 * const { params } = net.init(random.key(0), [1, 4]);
 * const y = net.apply(params, zeros([1, 4])); // [1, 2]
 * ```
 *
 * @module
 */
export * from "./model.ts";
export * from "./compose.ts";
export * from "./branches.ts";
export { LayerError } from "./chain.ts";
export { ShapeError } from "./validate.ts";
export * from "./layers/basic.ts";
export * from "./layers/conv.ts";
export * from "./layers/pool.ts";
export * from "./layers/activation.ts";
export * from "./layers/dropout.ts";
export * from "./layers/norm.ts";
export * from "./layers/embedding.ts";
export * from "./layers/recurrent.ts";
export * from "./layers/attention.ts";
export * as init from "./init.ts";
export * from "./summary.ts";
export * from "./finetune.ts";
export * from "./state_dict.ts";

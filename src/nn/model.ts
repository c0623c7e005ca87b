/**
 * Models as values: a model is a pair of pure functions, `init` (parameters and state from a key
 * and an input shape) and `apply` (output from parameters and an input). Nothing is mutated; a
 * stateful layer (batch norm) returns its new state from `applyWithState`.
 *
 * @module
 */
import type { Shape } from "../core/shape.ts";
import type { Key } from "../random/random.ts";
import { flattenWithPaths } from "../tree/traverse.ts";

/** A tree of parameters (or of state): nested plain objects whose leaves are tensors. */
export type Params = { readonly [name: string]: unknown };

/**
 * The shape of a model's input or output: one shape for a tensor, an array or object of them for
 * models that take or return several tensors.
 */
export type ShapeSpec = Shape | readonly ShapeSpec[] | { readonly [name: string]: ShapeSpec };

/** What `apply` may need besides parameters and input. */
export interface ApplyContext {
  /** Training mode (dropout active, batch norm using batch statistics); default false. */
  readonly training?: boolean;
  /** The key for random layers (dropout); required when training a model that has them. */
  readonly key?: Key;
  /** Layer state (batch norm running statistics) for `apply`; `applyWithState` takes it apart. */
  readonly state?: Params;
}

/** What `init` returns: parameters, state (empty for stateless models) and the output shape. */
export interface InitResult {
  /** Parameters, named like PyTorch's `state_dict` (`weight`, `bias`, `0.weight`, `fc1.bias`). */
  readonly params: Params;
  /** Non-trainable state (batch norm `running_mean`, ...), `{}` for stateless models. */
  readonly state: Params;
  /** The output shape for the given input shape. */
  readonly outputShape: ShapeSpec;
}

/**
 * A model from inputs of type `I` to outputs of type `O`.
 *
 * @example
 * ```ts
 * import { nn, random, zeros } from "@fluxion/fluxion";
 * const model = nn.linear(4, 2);
 * const { params, outputShape } = model.init(random.key(0), [8, 4]); // outputShape [8, 2]
 * const y = model.apply(params, zeros([8, 4]));
 * ```
 */
export interface Model<I = unknown, O = unknown> {
  /** The layer's kind and arguments, as PyTorch prints them: `Linear(in=4, out=2)`. */
  readonly name: string;
  /** Child models by name, for summaries and graphs (empty for leaf layers). */
  readonly children: { readonly [name: string]: Model<unknown, unknown> };
  /**
   * How the children are wired, for summaries and graphs: one after another (`serial`), each on
   * its own input (`parallel`), all on the same input (`fanOut`), or `residual` (x + child(x)).
   * Absent for leaf layers and layers that use their children in their own way.
   */
  readonly structure?: Structure;
  /** Parameters and state for an input of `inputShape`, checking the shape. */
  init(key: Key, inputShape: ShapeSpec): InitResult;
  /**
   * The output for `input` (state, if any, from `ctx.state`). In training mode a model whose
   * state would change (batch norm) throws instead of silently dropping the new state: use
   * `applyWithState` there.
   */
  apply(params: Params, input: I, ctx?: ApplyContext): O;
  /** The output and the new state (batch norm running statistics in training mode). */
  applyWithState(params: Params, state: Params, input: I, ctx?: ApplyContext): [O, Params];
}

/** How a composite model wires its children (see `Model.structure`). */
export type Structure = "serial" | "parallel" | "fanOut" | "residual";

/** The parts that define a layer; `layer()` fills in the rest. */
export interface LayerSpec<I, O> {
  /** As `Model.name`. */
  name: string;
  /** Child models, if any. */
  children?: { readonly [name: string]: Model<unknown, unknown> };
  /** How the children are wired, if the layer is a plain composite. */
  structure?: Structure;
  /** As `Model.init`. */
  init(key: Key, inputShape: ShapeSpec): InitResult;
  /** The output and new state; stateless layers return the state they were given. */
  call(params: Params, state: Params, input: I, ctx: ApplyContext): [O, Params];
}

/** Whether `next` holds any tensor that `prev` does not hold at the same place. */
function stateChanged(prev: Params, next: Params): boolean {
  const a = flattenWithPaths(prev);
  const b = flattenWithPaths(next);
  if (a.length !== b.length) return b.length > 0;
  return b.some(([path, t], i) => a[i][0] !== path || a[i][1] !== t);
}

/**
 * A model from its `init` and its stateful `call`: `apply` and `applyWithState` are derived.
 *
 * @example
 * ```ts
 * import { mul, nn, type Tensor } from "@fluxion/fluxion";
 * const double = nn.layer<Tensor, Tensor>({
 *   name: "Double",
 *   init: (_key, shape) => ({ params: {}, state: {}, outputShape: shape }),
 *   call: (_p, state, x) => [mul(x, 2), state],
 * });
 * ```
 */
export function layer<I, O>(spec: LayerSpec<I, O>): Model<I, O> {
  return {
    name: spec.name,
    children: spec.children ?? {},
    ...(spec.structure ? { structure: spec.structure } : {}),
    init: spec.init,
    apply: (params, input, ctx = {}) => {
      const state = ctx.state ?? {};
      const [y, next] = spec.call(params, state, input, ctx);
      if (ctx.training && stateChanged(state, next)) {
        throw new Error(
          `${spec.name}: apply in training mode would drop the updated state (batch norm running ` +
            "statistics); use applyWithState(params, state, input, ctx) and keep the state it returns",
        );
      }
      return y;
    },
    applyWithState: (params, state, input, ctx = {}) => spec.call(params, state, input, ctx),
  };
}

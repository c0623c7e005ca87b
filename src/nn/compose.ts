/**
 * Composition of models one after another: `serial` (positional names, like `nn.Sequential`),
 * `sequential` (named children), and the category structure (`identity`, `compose`).
 *
 * @module
 */
import type { Tensor } from "../core/tensor.ts";
import { type AnyModel, chain, type Entry } from "./chain.ts";
import { layer, type Model } from "./model.ts";

export type { AnyModel } from "./chain.ts";
/** The input type of a model. */
export type InputOf<M> = M extends Model<infer I, unknown> ? I : never;
/** The output type of a model. */
export type OutputOf<M> = M extends Model<never, infer O> ? O : never;
type Last<T extends readonly unknown[]> = T extends readonly [...unknown[], infer L] ? L : never;
/** `Ms` when each model's output type fits the next one's input type. */
export type Chained<Ms extends readonly AnyModel[]> = Ms extends
  readonly [infer A extends AnyModel, infer B extends AnyModel, ...infer R extends AnyModel[]]
  ? [A, ...Chained<[OutputOf<A> extends InputOf<B> ? B : Model<OutputOf<A>, OutputOf<B>>, ...R]>]
  : Ms;

/**
 * Models applied one after another; parameters are named `"0"`, `"1"`, ... as in PyTorch's
 * `nn.Sequential` (`0.weight`). Each model's output type must fit the next one's input.
 *
 * @example
 * ```ts
 * import { nn, random } from "@fluxion/fluxion";
 * const mlp = nn.serial(nn.linear(784, 128), nn.relu(), nn.linear(128, 10));
 * const { params } = mlp.init(random.key(0), [32, 784]);
 * Object.keys(params); // ["0", "1", "2"]
 * ```
 */
export function serial<const Ms extends readonly AnyModel[]>(
  ...models: Ms & Chained<Ms>
): Model<InputOf<Ms[0]>, OutputOf<Last<Ms>>> {
  return chain("Serial", models.map((m, i) => [String(i), m] as const)) as Model<
    InputOf<Ms[0]>,
    OutputOf<Last<Ms>>
  >;
}

/**
 * Models applied one after another in the order of the object's keys, with parameters named by
 * those keys (`conv1.weight`, `fc2.bias`), like PyTorch modules with named children.
 *
 * @example
 * ```ts
 * import { nn, random } from "@fluxion/fluxion";
 * const net = nn.sequential({ fc1: nn.linear(4, 8), act: nn.tanh(), fc2: nn.linear(8, 1) });
 * const { params } = net.init(random.key(0), [2, 4]); // { fc1: {weight, bias}, act: {}, fc2: {...} }
 * ```
 */
export function sequential<M extends { readonly [name: string]: Model<Tensor, Tensor> }>(
  models: M,
): Model<Tensor, Tensor> {
  const entries = Object.entries(models);
  for (const [name] of entries) {
    if (name === "" || name.includes(".")) {
      throw new Error(
        `sequential: child name ${JSON.stringify(name)} must be non-empty without "."`,
      );
    }
  }
  return chain("Sequential", entries) as Model<Tensor, Tensor>;
}

/**
 * The identity model: no parameters, output = input. `compose` drops it, so
 * `compose(identity(), f)` is `f` itself.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "@fluxion/fluxion";
 * nn.identity().apply({}, tensor([1, 2])); // [1, 2]
 * ```
 */
export function identity<A>(): Model<A, A> {
  return IDENTITY as Model<A, A>;
}

const IDENTITY: Model<unknown, unknown> = layer({
  name: "Identity",
  init: (_key, shape) => ({ params: {}, state: {}, outputShape: shape }),
  call: (_p, state, x) => [x, state],
});

function parts(m: AnyModel): Entry[] {
  if (m === IDENTITY) return [];
  const ps = (m as { parts?: Entry[]; composed?: boolean }).composed
    ? (m as unknown as { parts: Entry[] }).parts
    : undefined;
  return ps ? ps.map(([, c]) => ["", c] as const) : [["", m]];
}

/**
 * `bc ∘ ab`: first `ab`, then `bc`. Compositions flatten (parameters `"0"`, `"1"`, ... over all
 * parts) and drop identities, so composition is associative and `identity` is its unit exactly.
 *
 * @example
 * ```ts
 * import { nn } from "@fluxion/fluxion";
 * const f = nn.compose(nn.relu(), nn.linear(3, 2)); // linear, then relu
 * ```
 */
export function compose<A, B, C>(bc: Model<B, C>, ab: Model<A, B>): Model<A, C> {
  const all = [...parts(ab), ...parts(bc)];
  if (all.length === 0) return IDENTITY as Model<A, C>;
  if (all.length === 1) return all[0][1] as Model<A, C>;
  const m = chain("Serial", all.map(([, c], i) => [String(i), c] as const));
  return { ...m, composed: true } as unknown as Model<A, C>;
}

/**
 * Models form a category: objects are types, arrows are models, `compose` and `identity` as
 * above. The shape matches fp-ts's `Category2` (see the tests).
 *
 * @example
 * ```ts
 * import { nn } from "@fluxion/fluxion";
 * const { compose, id } = nn.ModelCategory;
 * const f = compose(nn.relu(), compose(nn.linear(3, 2), id()));
 * ```
 */
export const ModelCategory: {
  readonly URI: "Model";
  readonly compose: <A, B, C>(bc: Model<B, C>, ab: Model<A, B>) => Model<A, C>;
  readonly id: <A>() => Model<A, A>;
} = { URI: "Model", compose, id: identity };

/**
 * Composition of models: `serial` (positional names, like `nn.Sequential`), `sequential` (named
 * children), `parallel`, `fanOut`, `residual`, and the category structure (`identity`, `compose`).
 *
 * @module
 */
import type { Tensor } from "../core/tensor.ts";
import { add } from "../ops/arithmetic.ts";
import { foldIn, type Key, split } from "../random/random.ts";
import { type ApplyContext, layer, type Model, type Params, type ShapeSpec } from "./model.ts";
import { ShapeError, withPath } from "./validate.ts";
import { fmtShape, shapesEqual } from "../core/shape.ts";

/** Any model, whatever its input and output types. */
// deno-lint-ignore no-explicit-any
export type AnyModel = Model<any, any>;
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

type Entry = readonly [string, AnyModel];

/** The keys children get: one split per child at init, one fold per child at apply. */
function childKeys(key: Key, n: number): Key[] {
  return n === 0 ? [] : split(key, n);
}

function childContext(ctx: ApplyContext, i: number): ApplyContext {
  return { training: ctx.training, key: ctx.key && foldIn(ctx.key, i) };
}

/** Parameters or state of child `name`, or `{}` when the tree has none for it. */
function sub(tree: Params, name: string): Params {
  return (tree[name] as Params | undefined) ?? {};
}

/** Runs `entries` one after another; parameters and state are keyed by entry name. */
function chain(
  kind: string,
  entries: readonly Entry[],
): Model<unknown, unknown> & { parts: Entry[]; kind: string } {
  const m = layer<unknown, unknown>({
    name: `${kind}(${
      entries.map(([n, c]) => (kind === "Sequential" ? `${n}: ${c.name}` : c.name)).join(", ")
    })`,
    children: Object.fromEntries(entries),
    structure: "serial",
    init(key, inputShape) {
      const keys = childKeys(key, entries.length);
      const params: Record<string, Params> = {};
      const state: Record<string, Params> = {};
      let shape: ShapeSpec = inputShape;
      entries.forEach(([name, child], i) => {
        const r = withPath(name, () => child.init(keys[i], shape));
        params[name] = r.params;
        state[name] = r.state;
        shape = r.outputShape;
      });
      return { params, state, outputShape: shape };
    },
    call(params, state, input, ctx) {
      let x = input;
      const next: Record<string, Params> = {};
      entries.forEach(([name, child], i) => {
        const [y, s] = child.applyWithState(
          sub(params, name),
          sub(state, name),
          x,
          childContext(ctx, i),
        );
        x = y;
        next[name] = s;
      });
      return [x, next];
    },
  });
  return { ...m, parts: [...entries], kind };
}

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

/**
 * Applies model `i` to input `i` of a tuple: `[x0, x1] -> [m0(x0), m1(x1)]`; parameters `"0"`,
 * `"1"`, ...
 *
 * @example
 * ```ts
 * import { nn } from "@fluxion/fluxion";
 * const both = nn.parallel(nn.linear(4, 2), nn.linear(3, 2));
 * ```
 */
export function parallel(...models: Model<Tensor, Tensor>[]): Model<Tensor[], Tensor[]> {
  return branches("Parallel", models, true);
}

/**
 * Applies every model to the same input: `x -> [m0(x), m1(x), ...]`; parameters `"0"`, `"1"`, ...
 *
 * @example
 * ```ts
 * import { nn } from "@fluxion/fluxion";
 * const heads = nn.fanOut(nn.linear(8, 10), nn.linear(8, 1));
 * ```
 */
export function fanOut(...models: Model<Tensor, Tensor>[]): Model<Tensor, Tensor[]> {
  return branches("FanOut", models, false) as unknown as Model<Tensor, Tensor[]>;
}

function branches(
  kind: string,
  models: Model<Tensor, Tensor>[],
  split_: boolean,
): Model<Tensor[], Tensor[]> {
  const names = models.map((_, i) => String(i));
  return layer<Tensor[], Tensor[]>({
    name: `${kind}(${models.map((m) => m.name).join(", ")})`,
    children: Object.fromEntries(models.map((m, i) => [names[i], m])),
    structure: split_ ? "parallel" : "fanOut",
    init(key, inputShape) {
      if (split_ && (!Array.isArray(inputShape) || inputShape.length !== models.length)) {
        throw new ShapeError([
          `${kind}: expects a list of ${models.length} input shapes, got ${
            JSON.stringify(inputShape)
          }`,
        ]);
      }
      const keys = childKeys(key, models.length);
      const params: Record<string, Params> = {};
      const state: Record<string, Params> = {};
      const out = models.map((m, i) => {
        const s = split_ ? (inputShape as ShapeSpec[])[i] : inputShape;
        const r = withPath(names[i], () => m.init(keys[i], s));
        params[names[i]] = r.params;
        state[names[i]] = r.state;
        return r.outputShape;
      });
      return { params, state, outputShape: out };
    },
    call(params, state, input, ctx) {
      const next: Record<string, Params> = {};
      const ys = models.map((m, i) => {
        const x = split_ ? input[i] : (input as unknown as Tensor);
        const [y, s] = m.applyWithState(
          sub(params, names[i]),
          sub(state, names[i]),
          x,
          childContext(ctx, i),
        );
        next[names[i]] = s;
        return y;
      });
      return [ys, next];
    },
  });
}

/**
 * `x -> x + m(x)` (a skip connection); `m` must keep the shape. Parameters are `m`'s own.
 *
 * @example
 * ```ts
 * import { nn } from "@fluxion/fluxion";
 * const block = nn.residual(nn.serial(nn.linear(16, 16), nn.relu()));
 * ```
 */
export function residual(m: Model<Tensor, Tensor>): Model<Tensor, Tensor> {
  return layer<Tensor, Tensor>({
    name: `Residual(${m.name})`,
    children: { fn: m },
    structure: "residual",
    init(key, inputShape) {
      const r = m.init(key, inputShape);
      const a = inputShape as readonly number[];
      const b = r.outputShape as readonly number[];
      if (!shapesEqual(a, b)) {
        throw new ShapeError([
          `Residual(${m.name}): the block maps ${fmtShape(a)} to ${
            fmtShape(b)
          }; a residual needs the same shape`,
        ]);
      }
      return r;
    },
    call(params, state, x, ctx) {
      const [y, s] = m.applyWithState(params, state, x, ctx);
      return [add(x, y), s];
    },
  });
}

/**
 * A copy of a serial model (`serial`, `sequential`, `compose`) with the child at `path` replaced:
 * tree surgery for fine-tuning, e.g. a new classification head. The other children are the same
 * values, so their parameters (from `loadParams`) still fit. Dotted paths reach nested models.
 *
 * @example
 * ```ts
 * import { nn } from "@fluxion/fluxion";
 * const net = nn.sequential({ body: nn.linear(4, 8), head: nn.linear(8, 10) });
 * const fiveWay = nn.replaceChild(net, "head", nn.linear(8, 5));
 * ```
 */
export function replaceChild<I, O>(
  model: Model<I, O>,
  path: string,
  child: AnyModel,
): Model<I, O> {
  const [first, ...rest] = path.split(".");
  const c = model as unknown as { parts?: Entry[]; kind?: string };
  if (model.structure !== "serial" || !c.parts || !c.kind) {
    throw new Error(`replaceChild: ${model.name} is not a serial model; cannot replace "${path}"`);
  }
  const i = c.parts.findIndex(([n]) => n === first);
  if (i < 0) {
    throw new Error(
      `replaceChild: ${model.name} has no child "${first}" (children: ${
        c.parts.map(([n]) => n).join(", ")
      })`,
    );
  }
  const replacement = rest.length ? replaceChild(c.parts[i][1], rest.join("."), child) : child;
  const entries = c.parts.map((e, j) => (j === i ? [e[0], replacement] as const : e));
  return chain(c.kind, entries) as unknown as Model<I, O>;
}

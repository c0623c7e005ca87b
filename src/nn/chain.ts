/**
 * The machinery behind composite models (internal): running named children one after another,
 * the keys and contexts children get, and taking a serial model apart for tree surgery.
 *
 * @module
 */
import { foldIn, type Key, split } from "../random/random.ts";
import { type ApplyContext, layer, type Model, type Params, type ShapeSpec } from "./model.ts";
import { withPath } from "./validate.ts";

/** Any model, whatever its input and output types. */
// deno-lint-ignore no-explicit-any
export type AnyModel = Model<any, any>;

/** A named child of a composite model. */
export type Entry = readonly [string, AnyModel];

/**
 * An error raised while applying a child of a composite model: `path` names the child from the
 * outermost model down, `cause` is the original error.
 */
export class LayerError extends Error {
  /** The children's names from the outermost model down (`["body", "fc1"]`). */
  readonly path: readonly string[];
  /** The original message, without the path. */
  readonly detail: string;
  /** Wraps `detail` raised at `path`. */
  constructor(path: readonly string[], detail: string, options?: { cause?: unknown }) {
    super(`${path.join(".")}: ${detail}`, options);
    this.name = "LayerError";
    this.path = path;
    this.detail = detail;
  }
}

/** Runs `fn` (applying child `name`), adding `name` to the path of any error it raises. */
export function inChild<T>(name: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof LayerError) {
      throw new LayerError([name, ...e.path], e.detail, { cause: e.cause });
    }
    if (e instanceof Error) throw new LayerError([name], e.message, { cause: e });
    throw e;
  }
}

/** The keys children get: one split per child at init, one fold per child at apply. */
export function childKeys(key: Key, n: number): Key[] {
  return n === 0 ? [] : split(key, n);
}

export function childContext(ctx: ApplyContext, i: number): ApplyContext {
  return { training: ctx.training, key: ctx.key && foldIn(ctx.key, i) };
}

/** Parameters or state of child `name`, or `{}` when the tree has none for it. */
export function sub(tree: Params, name: string): Params {
  return (tree[name] as Params | undefined) ?? {};
}

/** Runs `entries` one after another; parameters and state are keyed by entry name. */
export function chain(
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
        const [y, s] = inChild(
          name,
          () => child.applyWithState(sub(params, name), sub(state, name), x, childContext(ctx, i)),
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
 * A serial model like `model` (same kind of names) over `entries`; for tree surgery.
 * Returns undefined when `model` is not a serial composition.
 */
export function serialParts(
  model: AnyModel,
): { entries: Entry[]; rebuild: (e: readonly Entry[]) => AnyModel } | undefined {
  const c = model as unknown as { parts?: Entry[]; kind?: string };
  if (model.structure !== "serial" || !c.parts || !c.kind) return undefined;
  const kind = c.kind;
  return { entries: [...c.parts], rebuild: (e) => chain(kind, e) };
}

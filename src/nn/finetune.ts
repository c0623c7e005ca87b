/**
 * Fine-tuning is data, not mutation: select parameters by name (to freeze them with
 * `optim.masked`) and replace a model's children (a new head); moving parameters between models
 * by name is in `state_dict.ts`.
 *
 * @module
 */
import { Tensor } from "../core/tensor.ts";
import type { Model, Params } from "./model.ts";
import { type AnyModel, serialParts } from "./chain.ts";
import type { MaskTree } from "../tree/mask.ts";

/**
 * Selects parameters by path: a string matches that path and everything under it (`"conv1"`
 * matches `conv1.weight`; `*` stands for one path segment, so `"*.bias"` matches every bias one
 * level down), a RegExp is tested against the whole path.
 */
export type PathPattern = string | RegExp;

function segmentsMatch(pattern: string, path: string): boolean {
  const p = pattern.split(".");
  const s = path.split(".");
  return p.length <= s.length && p.every((seg, i) => seg === "*" || seg === s[i]);
}

/**
 * A predicate over parameter paths that is true when any pattern matches.
 *
 * @example
 * ```ts
 * import { nn } from "@fluxion/fluxion";
 * const frozen = nn.matchPaths(["conv1", "conv2", /\.bias$/]);
 * frozen("conv1.weight"); // true
 * frozen("fc1.weight"); // false
 * ```
 */
export function matchPaths(patterns: readonly PathPattern[]): (path: string) => boolean {
  for (const p of patterns) {
    if (typeof p !== "string" && !(p instanceof RegExp)) {
      throw new TypeError(`matchPaths: patterns must be strings or RegExps, got ${typeof p}`);
    }
  }
  // Stateless copies of RegExps: a /g or /y pattern's lastIndex would make test() alternate.
  const tests = patterns.map((p) =>
    typeof p === "string"
      ? (path: string) => segmentsMatch(p, path)
      : ((re: RegExp) => (path: string) => re.test(path))(
        new RegExp(p.source, p.flags.replace(/[gy]/g, "")),
      )
  );
  return (path) => tests.some((t) => t(path));
}

export type { MaskTree } from "../tree/mask.ts";

/**
 * A mask tree for `params`: `true` where `select(path)` holds. With `optim.masked`, a mask of
 * trainable parameters freezes the rest.
 *
 * @example
 * ```ts
 * import { nn, random } from "@fluxion/fluxion";
 * const net = nn.sequential({ fc1: nn.linear(4, 8), fc2: nn.linear(8, 2) });
 * const { params } = net.init(random.key(0), [1, 4]);
 * const frozen = nn.matchPaths(["fc1"]);
 * const trainable = nn.maskTree(params, (path) => !frozen(path)); // fc1: false, fc2: true
 * ```
 */
export function maskTree(params: Params, select: (path: string) => boolean): MaskTree {
  const go = (v: unknown, path: string): MaskTree => {
    if (v instanceof Tensor) return select(path);
    if (Array.isArray(v)) return v.map((c, i) => go(c, path ? `${path}.${i}` : String(i)));
    if (v && typeof v === "object") {
      return Object.fromEntries(
        Object.entries(v).map(([k, c]) => [k, go(c, path ? `${path}.${k}` : k)]),
      );
    }
    return false;
  };
  return go(params, "");
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
  const serial = serialParts(model);
  if (!serial) {
    throw new Error(`replaceChild: ${model.name} is not a serial model; cannot replace "${path}"`);
  }
  const i = serial.entries.findIndex(([n]) => n === first);
  if (i < 0) {
    throw new Error(
      `replaceChild: ${model.name} has no child "${first}" (children: ${
        serial.entries.map(([n]) => n).join(", ")
      })`,
    );
  }
  const replacement = rest.length
    ? replaceChild(serial.entries[i][1], rest.join("."), child)
    : child;
  const entries = serial.entries.map((e, j) => (j === i ? [e[0], replacement] as const : e));
  return serial.rebuild(entries) as unknown as Model<I, O>;
}

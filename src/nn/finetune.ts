/**
 * Fine-tuning is data, not mutation: select parameters by name to freeze, move parameters between
 * models by name (strictly, or partially with a report), and convert between nested parameter
 * trees and PyTorch-style flat `state_dict`s.
 *
 * @module
 */
import { fmtShape, shapesEqual } from "../core/shape.ts";
import { Tensor } from "../core/tensor.ts";
import { flattenWithPaths } from "../tree/traverse.ts";
import type { Params } from "./model.ts";
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
  return (path) =>
    patterns.some((p) => (typeof p === "string" ? segmentsMatch(p, path) : p.test(path)));
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
 * The flat `{ "fc1.weight": Tensor, ... }` form of a parameter (or state) tree, as PyTorch's
 * `state_dict()` names it.
 *
 * @example
 * ```ts
 * import { nn, random } from "@fluxion/fluxion";
 * const { params } = nn.linear(2, 3).init(random.key(0), [1, 2]);
 * Object.keys(nn.toStateDict({ fc: params })); // ["fc.bias", "fc.weight"]
 * ```
 */
export function toStateDict(params: Params): Record<string, Tensor> {
  return Object.fromEntries(flattenWithPaths(params));
}

/**
 * The nested tree of a flat `state_dict` (names split at `.`).
 *
 * @example
 * ```ts
 * import { nn, zeros } from "@fluxion/fluxion";
 * nn.fromStateDict({ "fc1.weight": zeros([2, 2]) }); // { fc1: { weight: ... } }
 * ```
 */
export function fromStateDict(flat: { readonly [name: string]: Tensor }): Params {
  const root: Record<string, unknown> = {};
  for (const [name, t] of Object.entries(flat)) {
    if (!(t instanceof Tensor)) {
      throw new TypeError(`fromStateDict: entry "${name}" is not a Tensor`);
    }
    const parts = name.split(".");
    let node = root;
    parts.slice(0, -1).forEach((p, i) => {
      const child = node[p];
      if (child instanceof Tensor) {
        throw new Error(
          `fromStateDict: "${
            parts.slice(0, i + 1).join(".")
          }" is both a tensor and a prefix of "${name}"`,
        );
      }
      node = (node[p] ??= {}) as Record<string, unknown>;
    });
    node[parts[parts.length - 1]] = t;
  }
  return root;
}

/** Options of `loadParams`. */
export interface LoadOptions {
  /** Every name must match with the same shape and dtype (default true). */
  strict?: boolean;
}

/** What `loadParams` did. */
export interface LoadReport {
  /** The loaded parameters: `target`'s structure, with `source`'s tensors where they fit. */
  readonly params: Params;
  /** Names taken from the source. */
  readonly loaded: readonly string[];
  /** Names the target has but the source lacks (kept from the target). */
  readonly missing: readonly string[];
  /** Names the source has but the target lacks (ignored). */
  readonly unexpected: readonly string[];
  /** Names present in both whose shapes or dtypes differ (kept from the target), with why. */
  readonly mismatched: readonly { readonly name: string; readonly reason: string }[];
}

/**
 * Loads `source` (a nested tree or a flat `state_dict`) into the structure of `target` (usually a
 * fresh `init`). Strict loading (the default) throws one error listing every missing, unexpected
 * and misshapen entry; `{ strict: false }` takes what fits and reports the rest, which is how a
 * pre-trained body meets a new head.
 *
 * @example
 * ```ts
 * import { nn, random } from "@fluxion/fluxion";
 * const old = nn.sequential({ fc1: nn.linear(4, 8), fc2: nn.linear(8, 10) });
 * const fresh = nn.sequential({ fc1: nn.linear(4, 8), fc2: nn.linear(8, 3) });
 * const trained = old.init(random.key(0), [1, 4]).params;
 * const start = fresh.init(random.key(1), [1, 4]).params;
 * const { params, mismatched } = nn.loadParams(start, trained, { strict: false });
 * mismatched.map((m) => m.name); // ["fc2.bias", "fc2.weight"]
 * ```
 */
export function loadParams(target: Params, source: Params, opts: LoadOptions = {}): LoadReport {
  const strict = opts.strict ?? true;
  const want = new Map(flattenWithPaths(target));
  const flatSource = Object.values(source).every((v) => v instanceof Tensor) &&
      Object.keys(source).some((k) => k.includes("."))
    ? Object.entries(source) as [string, Tensor][]
    : flattenWithPaths(source);
  const have = new Map(flatSource);
  const loaded: string[] = [];
  const mismatched: { name: string; reason: string }[] = [];
  const missing = [...want.keys()].filter((k) => !have.has(k));
  const unexpected = [...have.keys()].filter((k) => !want.has(k));
  const chosen = new Map<string, Tensor>();
  for (const [name, t] of want) {
    const s = have.get(name);
    if (!s) continue;
    if (!shapesEqual(s.shape, t.shape) || s.dtype !== t.dtype) {
      mismatched.push({
        name,
        reason: `source ${fmtShape(s.shape)} ${s.dtype}, model ${fmtShape(t.shape)} ${t.dtype}`,
      });
      continue;
    }
    chosen.set(name, s);
    loaded.push(name);
  }
  if (strict && (missing.length || unexpected.length || mismatched.length)) {
    const lines = [
      ...missing.map((n) => `missing: ${n} ${fmtShape(want.get(n)!.shape)}`),
      ...unexpected.map((n) => `unexpected: ${n} ${fmtShape(have.get(n)!.shape)}`),
      ...mismatched.map((m) => `shape mismatch: ${m.name}: ${m.reason}`),
    ];
    throw new Error(
      `loadParams: the source does not match the model (${lines.length} problems; pass { strict: false } to load what fits):\n  ${
        lines.join("\n  ")
      }`,
    );
  }
  const rebuild = (v: unknown, path: string): unknown => {
    if (v instanceof Tensor) return chosen.get(path) ?? v;
    if (Array.isArray(v)) return v.map((c, i) => rebuild(c, path ? `${path}.${i}` : String(i)));
    if (v && typeof v === "object") {
      return Object.fromEntries(
        Object.entries(v).map(([k, c]) => [k, rebuild(c, path ? `${path}.${k}` : k)]),
      );
    }
    return v;
  };
  return { params: rebuild(target, "") as Params, loaded, missing, unexpected, mismatched };
}

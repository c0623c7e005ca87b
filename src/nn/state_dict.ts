/**
 * Parameters by name, as PyTorch's `state_dict`: flat and nested forms, and loading a source into
 * a model's parameters (and state) strictly, or partially with a report of what was skipped.
 *
 * @module
 */
import { isFloat } from "../core/dtype.ts";
import { fmtShape, shapesEqual } from "../core/shape.ts";
import { cast } from "../ops/cast.ts";
import { Tensor } from "../core/tensor.ts";
import { flattenWithPaths } from "../tree/traverse.ts";
import type { Params } from "./model.ts";

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
  /**
   * Names present in both whose shapes differ, or whose dtypes are of different kinds (float
   * against integer), kept from the target, with why. Float values convert to the model's float
   * dtype, as PyTorch's `load_state_dict` copies them.
   */
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
  const [params, report] = loadInto("loadParams", [target], source, opts);
  return { params: params[0], ...report };
}

/** What `loadStateDict` returns: parameters and state loaded from one `state_dict`. */
export interface LoadStateReport extends Omit<LoadReport, "params"> {
  /** The loaded parameters. */
  readonly params: Params;
  /** The loaded state (batch norm running statistics and the like). */
  readonly state: Params;
}

/**
 * Loads parameters and state together from one flat `state_dict`, as PyTorch saves them
 * (`bn.weight` next to `bn.running_mean`): like `loadParams`, strict by default, with every
 * name checked against the union of both trees.
 *
 * @example
 * ```ts
 * import { nn, random } from "@fluxion/fluxion";
 * const net = nn.sequential({ fc: nn.linear(4, 4), bn: nn.batchNorm1d(4) });
 * const { params, state } = net.init(random.key(0), [2, 4]);
 * const saved = { ...nn.toStateDict(params), ...nn.toStateDict(state) };
 * const loaded = nn.loadStateDict({ params, state }, saved); // strict: every name matched
 * ```
 */
export function loadStateDict(
  target: { readonly params: Params; readonly state: Params },
  source: Params,
  opts: LoadOptions = {},
): LoadStateReport {
  const [[params, state], report] = loadInto(
    "loadStateDict",
    [target.params, target.state],
    source,
    opts,
  );
  return { params, state, ...report };
}

type Report = Omit<LoadReport, "params">;

/** Matches `source` against the union of `targets` by name; rebuilds each target. */
function loadInto(
  op: string,
  targets: readonly Params[],
  source: Params,
  opts: LoadOptions,
): [Params[], Report] {
  const strict = opts.strict ?? true;
  const want = new Map(targets.flatMap((t) => flattenWithPaths(t)));
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
    // Like PyTorch's load_state_dict, values convert to the model's dtype within a kind (a float64
    // checkpoint fills float32 parameters; int64-born int32 counters stay int32); shapes must match.
    const convertible = s.dtype === t.dtype || (isFloat(s.dtype) && isFloat(t.dtype));
    if (!shapesEqual(s.shape, t.shape) || !convertible) {
      mismatched.push({
        name,
        reason: `source ${fmtShape(s.shape)} ${s.dtype}, model ${fmtShape(t.shape)} ${t.dtype}`,
      });
      continue;
    }
    chosen.set(name, s.dtype === t.dtype ? s : cast(s, t.dtype));
    loaded.push(name);
  }
  if (strict && (missing.length || unexpected.length || mismatched.length)) {
    const lines = [
      ...missing.map((n) => `missing: ${n} ${fmtShape(want.get(n)!.shape)}`),
      ...unexpected.map((n) => `unexpected: ${n} ${fmtShape(have.get(n)!.shape)}`),
      ...mismatched.map((m) => `mismatch: ${m.name}: ${m.reason}`),
    ];
    throw new Error(
      `${op}: the source does not match the model (${lines.length} problem${
        lines.length === 1 ? "" : "s"
      }; pass { strict: false } to load what fits):\n  ${lines.join("\n  ")}`,
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
  return [
    targets.map((t) => rebuild(t, "") as Params),
    { loaded, missing, unexpected, mismatched },
  ];
}

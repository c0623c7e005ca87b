/**
 * What a model is made of: a printable summary (layers, output shapes, parameter counts, like
 * `torchsummary`) and its dataflow graph as a Mermaid flowchart, the way the seed draws networks.
 *
 * @module
 */
import type { Shape } from "../core/shape.ts";
import { type Key, key as makeKey, split } from "../random/random.ts";
import { leaves } from "../tree/structure.ts";
import type { Model, Params, ShapeSpec } from "./model.ts";

/** One leaf layer of a model, as `summary` lists it. */
export interface SummaryRow {
  /** The layer's path in the parameter tree (`conv1`, `0`, `block.fc1`). */
  readonly path: string;
  /** The layer's description (`Linear(in_features=784, out_features=128, bias=True)`). */
  readonly layer: string;
  /** The layer's output shape for the summarized input shape. */
  readonly outputShape: ShapeSpec;
  /** Its number of trainable parameters. */
  readonly params: number;
  /** Its number of state elements (batch norm running statistics). */
  readonly state: number;
}

const count = (t: Params): number => leaves(t).reduce((n, x) => n + x.size, 0);
const join = (path: string, name: string) => (path ? `${path}.${name}` : name);

/** Walks a model's structure, calling `leaf` for every leaf layer with its input shape. */
function walk(
  m: Model<unknown, unknown>,
  path: string,
  shape: ShapeSpec,
  key: Key,
  leaf: (m: Model<unknown, unknown>, path: string, shape: ShapeSpec, key: Key) => ShapeSpec,
): ShapeSpec {
  const names = Object.keys(m.children);
  if (!m.structure || names.length === 0) return leaf(m, path, shape, key);
  const keys = split(key, names.length);
  switch (m.structure) {
    case "serial":
      return names.reduce(
        (s, n, i) => walk(m.children[n], join(path, n), s, keys[i], leaf),
        shape,
      );
    case "parallel":
      return names.map((n, i) =>
        walk(m.children[n], join(path, n), (shape as ShapeSpec[])[i], keys[i], leaf)
      );
    case "fanOut":
      return names.map((n, i) => walk(m.children[n], join(path, n), shape, keys[i], leaf));
    case "residual":
      // The block's parameters are the residual's own, so it keeps the residual's path.
      return walk(m.children[names[0]], path, shape, key, leaf);
  }
}

/**
 * The leaf layers of `model` for an input of `inputShape`, with output shapes and parameter
 * counts (initializes each layer once to count).
 *
 * @example
 * ```ts
 * import { nn } from "@fluxion/fluxion";
 * const rows = nn.summaryRows(nn.serial(nn.linear(4, 8), nn.linear(8, 2)), [1, 4]);
 * rows.map((r) => r.params); // [40, 18]
 * ```
 */
export function summaryRows(model: Model<unknown, unknown>, inputShape: ShapeSpec): SummaryRow[] {
  const rows: SummaryRow[] = [];
  walk(model, "", inputShape, makeKey(0), (m, path, shape, key) => {
    const r = m.init(key, shape);
    rows.push({
      path,
      layer: m.name,
      outputShape: r.outputShape,
      params: count(r.params),
      state: count(r.state),
    });
    return r.outputShape;
  });
  return rows;
}

const fmtSpec = (s: ShapeSpec): string =>
  Array.isArray(s) && s.every((d) => typeof d === "number")
    ? `[${(s as Shape).join(",")}]`
    : Array.isArray(s)
    ? `(${s.map(fmtSpec).join(", ")})`
    : `{${Object.entries(s).map(([k, v]) => `${k}: ${fmtSpec(v)}`).join(", ")}}`;

const thousands = (n: number) => n.toLocaleString("en-US");

/**
 * A table of the model's layers, output shapes and parameter counts, like `torchsummary`.
 *
 * @example
 * ```ts
 * import { nn } from "@fluxion/fluxion";
 * console.log(nn.summary(nn.sequential({ fc1: nn.linear(4, 8), act: nn.relu(), fc2: nn.linear(8, 2) }), [1, 4]));
 * ```
 */
export function summary(model: Model<unknown, unknown>, inputShape: ShapeSpec): string {
  const rows = summaryRows(model, inputShape);
  const table = [
    ["Layer", "Type", "Output shape", "Params"],
    ...rows.map((r) => [r.path || "(model)", r.layer, fmtSpec(r.outputShape), thousands(r.params)]),
  ];
  const widths = table[0].map((_, c) => Math.max(...table.map((row) => row[c].length)));
  const line = (row: string[]) =>
    row.map((cell, c) => (c === 3 ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join("  ")
      .trimEnd();
  const rule = "-".repeat(widths.reduce((a, b) => a + b, 0) + 2 * (widths.length - 1));
  const total = rows.reduce((n, r) => n + r.params, 0);
  const state = rows.reduce((n, r) => n + r.state, 0);
  return [
    `Input shape: ${fmtSpec(inputShape)}`,
    rule,
    line(table[0]),
    rule,
    ...table.slice(1).map(line),
    rule,
    `Total parameters: ${thousands(total)}`,
    `State (non-trainable): ${thousands(state)}`,
  ].join("\n");
}

/**
 * The model's dataflow graph as a Mermaid flowchart (`flowchart TD`): one node per leaf layer
 * with its output shape, edges in the order data flows, branches for `parallel`/`fanOut`, and an
 * addition node with a skip edge for `residual`.
 *
 * @example
 * ```ts
 * import { nn } from "@fluxion/fluxion";
 * console.log(nn.mermaid(nn.serial(nn.linear(4, 8), nn.relu()), [1, 4]));
 * ```
 */
export function mermaid(model: Model<unknown, unknown>, inputShape: ShapeSpec): string {
  const lines = ["flowchart TD"];
  let next = 0;
  const node = (label: string, shape: "box" | "round" | "circle" = "box") => {
    const id = `n${next++}`;
    const text = label.replaceAll('"', "'");
    lines.push(
      shape === "round"
        ? `  ${id}(["${text}"])`
        : shape === "circle"
        ? `  ${id}(("${text}"))`
        : `  ${id}["${text}"]`,
    );
    return id;
  };
  const edge = (from: string[], to: string) => from.forEach((f) => lines.push(`  ${f} --> ${to}`));
  const keyRoot = makeKey(0);
  // Returns the ids whose outputs leave the sub-graph.
  const draw = (
    m: Model<unknown, unknown>,
    path: string,
    shape: ShapeSpec,
    from: string[],
    key: Key,
  ): [string[], ShapeSpec] => {
    const names = Object.keys(m.children);
    if (!m.structure || names.length === 0) {
      const r = m.init(key, shape);
      const id = node(`${path ? `${path}: ` : ""}${m.name}<br/>${fmtSpec(r.outputShape)}`);
      edge(from, id);
      return [[id], r.outputShape];
    }
    const keys = split(key, names.length);
    switch (m.structure) {
      case "serial": {
        let cur = from;
        let s = shape;
        names.forEach((n, i) => ([cur, s] = draw(m.children[n], join(path, n), s, cur, keys[i])));
        return [cur, s];
      }
      case "parallel":
      case "fanOut": {
        const outs = names.map((n, i) => {
          const input = m.structure === "parallel" ? (shape as ShapeSpec[])[i] : shape;
          const src = m.structure === "parallel" && from.length === names.length ? [from[i]] : from;
          return draw(m.children[n], join(path, n), input, src, keys[i]);
        });
        return [outs.flatMap(([ids]) => ids), outs.map(([, s]) => s)];
      }
      case "residual": {
        const [ids, s] = draw(m.children[names[0]], path, shape, from, key);
        const plus = node("+", "circle");
        edge([...ids, ...from], plus);
        return [[plus], s];
      }
    }
  };
  const input = node(`input ${fmtSpec(inputShape)}`, "round");
  const [outs] = draw(model, "", inputShape, [input], keyRoot);
  edge(outs, node("output", "round"));
  return lines.join("\n");
}

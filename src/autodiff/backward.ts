/**
 * The backward pass: walk a tape in reverse, applying each entry's VJP rule.
 *
 * @module
 */
import type { Tensor } from "../core/tensor.ts";
import { add } from "../ops/arithmetic.ts";
import type { Tape } from "./tape.ts";
import { type DiffPrim, type Recorded, vjpRules } from "./vjp_rules.ts";

/**
 * Propagates `seeds` (output tensor, cotangent) back through `tape` and returns the cotangent
 * reaching each of `targets` (`undefined` where none does). The tape must no longer be recording;
 * the rules' own ops are recorded on any outer tapes, which is what makes nested gradients work.
 */
export function backward(
  tape: Tape,
  seeds: readonly (readonly [Tensor, Tensor])[],
  targets: readonly Tensor[],
): (Tensor | undefined)[] {
  const cts = new Map<Tensor, Tensor>();
  const accumulate = (x: Tensor, c: Tensor) => {
    const prev = cts.get(x);
    cts.set(x, prev === undefined ? c : add(prev, c));
  };
  for (const [out, ct] of seeds) accumulate(out, ct);
  const keep = new Set(targets);
  for (let i = tape.entries.length - 1; i >= 0; i--) {
    const e = tape.entries[i];
    const outCts = e.outputs.map((o) => cts.get(o));
    if (outCts.every((c) => c === undefined)) continue;
    // Outputs are not needed past this point (unless asked for): free them early.
    for (const o of e.outputs) if (!keep.has(o)) cts.delete(o);
    const needs = e.inputs.map((x) => tape.watched.has(x));
    let inCts: (Tensor | undefined)[];
    if (e.custom) {
      inCts = e.custom(outCts);
    } else {
      const rule = vjpRules[e.prim as DiffPrim] as (
        ct: Tensor,
        call: Recorded<DiffPrim>,
        needs: readonly boolean[],
      ) => (Tensor | undefined)[];
      if (!rule) throw new Error(`internal: no VJP rule for primitive ${e.prim}`);
      inCts = rule(outCts[0]!, e as Recorded<DiffPrim>, needs);
    }
    inCts.forEach((c, j) => {
      if (c !== undefined && needs[j]) accumulate(e.inputs[j], c);
    });
  }
  return targets.map((t) => cts.get(t));
}

/**
 * The trace: a stack of tapes, each recording the primitive calls that depend on the tensors it
 * watches. Nested `grad` calls push nested tapes, so gradients of gradients are recorded too.
 *
 * @module
 */
import type { Tensor } from "../core/tensor.ts";
import { setEscapeCheck } from "../core/lifetime.ts";

/** A backward function for an entry that is not a primitive (see `customVjp`). */
export type CustomBackward = (cts: readonly (Tensor | undefined)[]) => (Tensor | undefined)[];

/** One recorded call: a primitive (with its parameters) or a custom rule. */
export interface TapeEntry {
  /** The primitive's name, or the custom rule's label. */
  readonly prim: string;
  /** The primitive's parameters. */
  readonly params: unknown;
  /** The call's inputs. */
  readonly inputs: readonly Tensor[];
  /** The call's outputs (one for every primitive). */
  readonly outputs: readonly Tensor[];
  /** Present for custom rules: maps output cotangents to input cotangents. */
  readonly custom?: CustomBackward;
}

/** A tape: the tensors it differentiates with respect to, and what was computed from them. */
export class Tape {
  /** Tensors whose cotangents this tape tracks. */
  readonly watched: Set<Tensor> = new Set();
  /** Recorded calls, in execution order. */
  readonly entries: TapeEntry[] = [];
}

const stack: Tape[] = [];

/** Whether any tape is recording (an enclosing `grad` may still need recorded tensors). */
export function recording(): boolean {
  return stack.length > 0 || guard !== null;
}
setEscapeCheck(recording);

/** Starts recording onto `t` (a new tape by default) as the innermost tape. */
export function pushTape(t: Tape = new Tape()): Tape {
  stack.push(t);
  return t;
}

/** Stops recording onto `tape`, which must be the innermost. */
export function popTape(tape: Tape): void {
  const top = stack.pop();
  if (top !== tape) throw new Error("internal: tapes popped out of order");
}

/** While set, ops may not read tensors the hidden tapes watch, except `allowed` (customVjp). */
let guard: { hidden: Tape[]; allowed: Set<Tensor>; op: string } | null = null;

/**
 * Runs `fn` with no tape recording, but throws if it computes with a tensor that a suspended
 * tape watches and that is not in `allowed`: such a tensor would silently lose its gradient.
 */
export function withoutTapesGuarded<T>(op: string, allowed: readonly Tensor[], fn: () => T): T {
  const saved = stack.splice(0, stack.length);
  const prev = guard;
  guard = { hidden: [...saved, ...(prev?.hidden ?? [])], allowed: new Set(allowed), op };
  try {
    return fn();
  } finally {
    guard = prev;
    stack.push(...saved);
  }
}

function checkGuard(inputs: readonly Tensor[]): void {
  const g = guard!;
  for (const x of inputs) {
    if (!g.allowed.has(x) && g.hidden.some((t) => t.watched.has(x))) {
      throw new Error(
        `${g.op}: the function reads a tensor [${
          x.shape.join(",")
        }] ${x.dtype} that depends on a ` +
          "variable being differentiated but is not one of its arguments; pass it as an argument " +
          "so its gradient can flow",
      );
    }
  }
}

/** Whether any tape is recording. */
export function isRecording(): boolean {
  return stack.length > 0;
}

/** Which active tapes watch any of `inputs`. */
export function tapesWatching(inputs: readonly Tensor[]): Tape[] {
  return stack.filter((t) => inputs.some((x) => t.watched.has(x)));
}

/**
 * Records a call on every active tape that watches one of its inputs; its floating-point outputs
 * become watched there. Calls whose outputs are all non-float (comparisons, argmax) carry no
 * gradient and are not recorded.
 */
export function record(entry: TapeEntry, tapes?: Tape[]): void {
  if (guard) checkGuard(entry.inputs);
  if (stack.length === 0) return;
  tapes ??= tapesWatching(entry.inputs);
  if (tapes.length === 0) return;
  const diffOuts = entry.outputs.filter((o) => o.dtype === "float32" || o.dtype === "float64");
  if (diffOuts.length === 0) return;
  for (const t of tapes) {
    t.entries.push(entry);
    for (const o of diffOuts) t.watched.add(o);
  }
}

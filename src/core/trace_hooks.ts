/**
 * Where a running trace (`trace` in src/compile) observes the computation: every primitive call,
 * tensors made outside primitives (random samples, `stopGradient`, `customVjp` outputs) and data
 * reads, which a traced function must not make. Internal.
 *
 * @module
 */
import type { Tensor } from "./tensor.ts";

/** What a trace is told while it runs. */
export interface TraceObserver {
  /** A primitive call made `output` from `inputs`. */
  bind(prim: string, params: unknown, inputs: readonly Tensor[], output: Tensor): void;
  /** A tensor made outside a primitive, from `inputs` (none for a random sample). */
  source(t: Tensor, op: string, params: unknown, inputs: readonly Tensor[]): void;
  /** `op` (`data`, `dataSync`) is about to read `t`; throws while tracing. */
  read(op: string, t: Tensor): void;
  /** Random key `k` was made by `op` (`split`, `foldIn`) from key `parent` with `params`. */
  key(k: object, op: string, params: unknown, parent: object): void;
  /** Tensor `t` was sampled with key `k` (`params`: its shape, dtype). */
  random(t: Tensor, op: string, params: unknown, k: object): void;
}

let observer: TraceObserver | null = null;

/** The running trace's observer, or null. */
export function traceObserver(): TraceObserver | null {
  return observer;
}

/** Installs `o` (null to remove it); returns the previous observer. */
export function setTraceObserver(o: TraceObserver | null): TraceObserver | null {
  const previous = observer;
  observer = o;
  return previous;
}

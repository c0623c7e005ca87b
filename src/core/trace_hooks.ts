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
  /** Tensor `t` was just constructed (every tensor: the trace checks each is accounted for). */
  created(t: Tensor): void;
  /** A function with a custom gradient rule ran without a tape (its ops are recorded plainly). */
  customRule(): void;
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

/** Host copies of the scalar tensors made while a trace runs (numbers turned into tensors). */
const hostScalars = new WeakMap<Tensor, number>();

/** Remembers that `t`, a one-element tensor made while tracing, holds `value`. */
export function rememberHostScalar(t: Tensor, value: number): void {
  if (observer !== null) hostScalars.set(t, value);
}

/** Tensors made from host data while a trace runs: constants of the graph, not computed. */
const hostMade = new WeakSet<Tensor>();

/** Marks `t` as made from host data (`tensor`, `zeros`, numbers turned into tensors). */
export function rememberHostMade(t: Tensor): void {
  if (observer !== null) hostMade.add(t);
}

/** Whether `t` was made from host data while a trace ran. */
export function isHostMade(t: Tensor): boolean {
  return hostMade.has(t);
}

/** The value of a one-element tensor made while tracing, if known on the host. */
export function hostScalar(t: Tensor): number | undefined {
  return hostScalars.get(t);
}

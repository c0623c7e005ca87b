/**
 * Tensor lifetimes: which tensors are live on each backend, when their storage is released, and
 * the scopes that release a computation's intermediates deterministically when it returns.
 *
 * Storage is reference-counted by the tensors that hold it (a reshape shares its input's
 * storage). A tensor is released by `dispose`, by a `using` declaration, by the end of the scope
 * that created it (every `grad`/`valueAndGrad` call, and functions wrapped by `scoped`) unless it
 * escapes as part of the result, or, as a backstop, when the garbage collector reclaims it.
 *
 * @module
 */
import type { Backend } from "../backend/backend.ts";
import type { Tensor } from "./tensor.ts";
import { fmtShape } from "./shape.ts";

/** Live tensors and bytes on one backend. */
export interface BackendMemory {
  /** Tensors created and not yet disposed or collected. */
  tensors: number;
  /** Bytes of the distinct storage those tensors hold. */
  bytes: number;
}

interface Held {
  readonly backend: Backend;
  readonly storage: unknown;
  released: boolean;
}

const refs = new Map<unknown, number>();
const counts = new Map<Backend, BackendMemory>();
const held = new WeakMap<Tensor, Held>();
const disposedSet = new WeakSet<Tensor>();
const scopes: Set<Tensor>[] = [];
let escapeCheck: () => boolean = () => false;

const collector = new FinalizationRegistry<Held>((h) => releaseHeld(h));

function stats(backend: Backend): BackendMemory {
  let s = counts.get(backend);
  if (s === undefined) counts.set(backend, s = { tensors: 0, bytes: 0 });
  return s;
}

/** Starts tracking a new tensor: counts it, references its storage, adds it to the open scope. */
export function track(t: Tensor): void {
  const { backend, storage } = t;
  const s = stats(backend);
  s.tensors++;
  const n = refs.get(storage) ?? 0;
  if (n === 0) s.bytes += backend.storageBytes?.(storage) ?? 0;
  refs.set(storage, n + 1);
  const h: Held = { backend, storage, released: false };
  held.set(t, h);
  collector.register(t, h, h);
  scopes[scopes.length - 1]?.add(t);
}

function releaseHeld(h: Held): void {
  if (h.released) return;
  h.released = true;
  const s = stats(h.backend);
  s.tensors--;
  const n = refs.get(h.storage)! - 1;
  if (n > 0) {
    refs.set(h.storage, n);
    return;
  }
  refs.delete(h.storage);
  s.bytes -= h.backend.storageBytes?.(h.storage) ?? 0;
  h.backend.release?.(h.storage);
}

/**
 * Whether a scope is open (`grad`, `valueAndGrad`, `jvp` or `scoped` is running): tensors made
 * now are released deterministically unless they escape as results.
 */
export function inScope(): boolean {
  return scopes.length > 0;
}

/**
 * Takes `t` out of every open scope, so their ends do not release it (a traced graph's
 * constants live as long as the graph).
 */
export function unscope(t: Tensor): void {
  for (const s of scopes) s.delete(t);
}

/** Releases one tensor (idempotent). */
export function disposeTensor(t: Tensor): void {
  const h = held.get(t);
  if (h === undefined || h.released) return;
  disposedSet.add(t);
  collector.unregister(h);
  releaseHeld(h);
}

/** Whether `t` has been disposed. */
export function isDisposed(t: Tensor): boolean {
  return disposedSet.has(t);
}

/** An error naming `op` for a disposed input `t`. */
export function disposedError(op: string, t: Tensor): Error {
  return new Error(
    `${op}: input ${fmtShape(t.shape)} ${t.dtype} on ${t.backend.name} was disposed ` +
      "(by dispose(), a using declaration, donation to a scoped call, or the end of the grad or " +
      "scoped call that created it without returning it); return tensors you keep from such " +
      "calls, and use the results of a donating call instead of its arguments",
  );
}

/** Live tensors and bytes per backend name. */
export function liveMemory(): Record<string, BackendMemory> {
  const out: Record<string, BackendMemory> = {};
  for (const [b, s] of counts) {
    const prev = out[b.name];
    out[b.name] = prev === undefined
      ? { ...s }
      : { tensors: prev.tensors + s.tensors, bytes: prev.bytes + s.bytes };
  }
  return out;
}

/**
 * Lets the autodiff layer say when tensors must outlive a scope: while an enclosing tape records,
 * an inner scope's tensors may be needed by the outer backward pass.
 */
export function setEscapeCheck(check: () => boolean): void {
  escapeCheck = check;
}

/**
 * Runs `fn` in a scope: tensors created inside and not reachable from `keep(result)` are released
 * when it returns (or throws); the rest pass to the enclosing scope.
 */
export function withScope<T>(fn: () => T, keep: (result: T) => Iterable<Tensor>): T {
  const scope = new Set<Tensor>();
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    closeScope(scope, new Set());
    throw e;
  }
  if (typeof (result as { then?: unknown } | null)?.then === "function") {
    closeScope(scope, new Set());
    throw new TypeError(
      "the function returned a Promise: grad, valueAndGrad and scoped take synchronous " +
        "functions (their tensors are released when they return); await data outside them",
    );
  }
  closeScope(scope, new Set(keep(result)));
  return result;
}

function closeScope(scope: Set<Tensor>, kept: Set<Tensor>): void {
  if (scopes.pop() !== scope) throw new Error("internal: scopes closed out of order");
  const parent = scopes[scopes.length - 1];
  // Under an enclosing tape the outer backward pass may need any of these: defer to the parent.
  const defer = escapeCheck();
  for (const t of scope) {
    if (defer || kept.has(t)) parent?.add(t);
    else disposeTensor(t);
  }
}

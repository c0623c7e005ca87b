/**
 * Which backend new tensors are created on.
 *
 * @module
 */
import type { Backend } from "./backend.ts";
import { cpuBackend } from "./cpu/cpu_backend.ts";

let current: Backend = cpuBackend;

/** The backend that creation functions use unless told otherwise. */
export function defaultBackend(): Backend {
  return current;
}

/** Makes `backend` the default for new tensors; returns the previous default. */
export function setDefaultBackend(backend: Backend): Backend {
  const prev = current;
  current = backend;
  return prev;
}

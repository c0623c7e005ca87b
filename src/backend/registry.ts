/**
 * Which backend new tensors are created on, and the backends by name.
 *
 * @module
 */
import type { Backend } from "./backend.ts";
import { cpuBackend } from "./cpu/cpu_backend.ts";
import { webgpuBackend } from "./webgpu/webgpu_backend.ts";

let current: Backend = cpuBackend;

/** The names of fluxion's backends. */
export type BackendName = "cpu" | "webgpu";

/** The backends tensors can be created on and moved between, by name. */
export const backends: Readonly<Record<BackendName, Backend>> = {
  cpu: cpuBackend,
  webgpu: webgpuBackend as Backend,
};

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

/**
 * The backend `b` names or is (the default when `undefined`), or an error naming `op` that lists
 * the choices.
 */
export function resolveBackend(op: string, b: Backend | BackendName | undefined): Backend {
  if (b === undefined) return current;
  if (typeof b === "string") {
    const found = (backends as Record<string, Backend>)[b];
    if (found === undefined) {
      throw new RangeError(
        `${op}: no backend "${b}"; choose one of ${Object.keys(backends).join(", ")}`,
      );
    }
    return found;
  }
  if (typeof (b as Backend | null)?.fromArray !== "function") {
    throw new TypeError(
      `${op}: backend must be a backend name (${
        Object.keys(backends).join(", ")
      }) or a Backend, such as another tensor's t.backend`,
    );
  }
  return b;
}

/**
 * Choosing a backend: `init`, `backendInfo`, `toBackend` and `flush`.
 *
 * @module
 */
import type { Backend } from "./backend.ts";
import { cpuBackend } from "./cpu/cpu_backend.ts";
import { backends, defaultBackend, setDefaultBackend } from "./registry.ts";
export { backends };
export type { BackendName } from "./registry.ts";
import {
  type AdapterSummary,
  createContext,
  currentContext,
  requestAdapter,
  summarize,
} from "./webgpu/context.ts";
import { webgpuBackend } from "./webgpu/webgpu_backend.ts";
import { Tensor } from "../core/tensor.ts";
import * as tree from "../tree/tree.ts";

/** Which backend `init` should make the default. */
export type BackendChoice = "auto" | "webgpu" | "cpu";

/** Options of `init`. */
export interface InitOptions {
  /**
   * `"auto"` (default) takes WebGPU on a hardware adapter and the CPU otherwise (a software
   * adapter such as llvmpipe computes far slower than the CPU backend); `"webgpu"` forces WebGPU
   * (an error if there is no adapter); `"cpu"` the CPU backend.
   */
  backend?: BackendChoice;
}

/** Which backend runs new tensors, and why. */
export interface BackendInfo {
  /** The default backend's name: `"cpu"` or `"webgpu"`. */
  name: string;
  /** The WebGPU adapter, when one is in use or was considered. */
  adapter?: AdapterSummary;
  /** Why `init` chose this backend. */
  reason: string;
}

let info: BackendInfo = { name: "cpu", reason: "the default until init() chooses" };

/**
 * Chooses the default backend for new tensors and, for WebGPU, creates the device (a fresh one
 * if the previous device was lost). Returns what it chose and why.
 *
 * @example
 * ```ts
 * import { init } from "@fluxion/fluxion";
 * const info = await init({ backend: "cpu" });
 * console.log(info.name); // "cpu"
 * ```
 */
export async function init(opts: InitOptions = {}): Promise<BackendInfo> {
  const choice = opts.backend ?? "auto";
  if (!["auto", "webgpu", "cpu"].includes(choice)) {
    throw new RangeError(`init: backend must be "auto", "webgpu" or "cpu", got ${String(choice)}`);
  }
  if (choice === "cpu") {
    setDefaultBackend(cpuBackend);
    return info = { name: "cpu", reason: 'requested with backend: "cpu"' };
  }
  const [adapter, why] = await requestAdapter();
  if (adapter === undefined) {
    if (choice === "webgpu") throw new Error(`init: WebGPU is unavailable: ${why}`);
    setDefaultBackend(cpuBackend);
    return info = { name: "cpu", reason: `no WebGPU adapter (${why})` };
  }
  const summary = summarize(adapter);
  if (choice === "auto" && summary.isFallbackAdapter) {
    setDefaultBackend(cpuBackend);
    return info = {
      name: "cpu",
      adapter: summary,
      reason: `the WebGPU adapter "${summary.description}" is a software fallback, slower than ` +
        'the CPU backend; choose backend "webgpu" to use it anyway',
    };
  }
  const live = currentContext();
  if (live === undefined || live.lostReason !== undefined) await createContext(adapter);
  setDefaultBackend(webgpuBackend);
  return info = {
    name: "webgpu",
    adapter: currentContext()!.adapter,
    reason: choice === "webgpu"
      ? 'requested with backend: "webgpu"'
      : `hardware WebGPU adapter "${summary.description}"`,
  };
}

/**
 * The backend new tensors are created on, its adapter, and why `init` chose it.
 *
 * @example
 * ```ts
 * import { backendInfo } from "@fluxion/fluxion";
 * console.log(backendInfo().name); // "cpu" until init() chooses otherwise
 * ```
 */
export function backendInfo(): BackendInfo {
  return { ...info, name: defaultBackend().name };
}

/**
 * Copies every tensor in `value` (any pytree) to the backend named `name`; tensors already there
 * are returned as they are. Reading from the GPU waits for pending work.
 *
 * @example
 * ```ts
 * import { tensor, toBackend } from "@fluxion/fluxion";
 * const onCpu = await toBackend({ w: tensor([1, 2]) }, "cpu");
 * console.log(onCpu.w.backend.name); // "cpu"
 * ```
 */
export async function toBackend<T>(value: T, name: string): Promise<T> {
  const target = (backends as Record<string, Backend>)[name];
  if (target === undefined) {
    throw new RangeError(
      `toBackend: no backend "${name}"; choose one of ${Object.keys(backends).join(", ")}`,
    );
  }
  const [leaves, def] = tree.flatten(value);
  const moved = await Promise.all(leaves.map(async (t) => {
    if (!(t instanceof Tensor) || t.backend === target) return t;
    if (target.dtypes !== undefined && !target.dtypes.includes(t.dtype)) {
      throw new TypeError(
        `toBackend: the ${name} backend has no ${t.dtype} tensors; cast [${
          t.shape.join(",")
        }] ${t.dtype} to float32 first`,
      );
    }
    const data = await t.data();
    return new Tensor(target, target.fromArray(data, t.shape, t.dtype), t.shape, t.dtype);
  }));
  return tree.unflatten(def, moved) as T;
}

/**
 * Waits until the GPU has finished all work recorded so far, and throws errors it found (a
 * validation error, an index out of range). A no-op on the CPU backend.
 *
 * @example
 * ```ts
 * import { flush } from "@fluxion/fluxion";
 * await flush();
 * ```
 */
export async function flush(): Promise<void> {
  const ctx = currentContext();
  if (ctx === undefined || ctx.lostReason !== undefined) return;
  await ctx.dispatcher.flush();
}

/**
 * The WebGPU device fluxion computes on: adapter, device, buffer pool, pipelines and dispatcher,
 * and what happens when the device is lost.
 *
 * @module
 */
import type { DType } from "../../core/dtype.ts";
import { BufferPool } from "./buffer_pool.ts";
import { Dispatcher, type Launch } from "./dispatcher.ts";

/** What the adapter says about itself. */
export interface AdapterSummary {
  /** The adapter's description, such as `"llvmpipe (LLVM 15.0.6, 256 bits)"`. */
  description: string;
  /** The vendor, as the adapter reports it. */
  vendor: string;
  /** The architecture, as the adapter reports it. */
  architecture: string;
  /** Whether this is a software fallback adapter (llvmpipe, SwiftShader, WARP). */
  isFallbackAdapter: boolean;
}

/** Bytes per element on the GPU: `bool` is stored as one 32-bit word per element. */
export const GPU_BYTES = 4;

/** A tensor's storage on the GPU. */
export interface GpuStorage {
  /** The buffer (possibly larger than the tensor, from the pool). */
  readonly buffer: GPUBuffer;
  /** Bytes the tensor's elements occupy (4 per element). */
  readonly bytes: number;
  /** The device context that owns the buffer. */
  readonly ctx: GpuContext;
}

/** One device and everything fluxion keeps for it. */
export class GpuContext {
  /** The device. */
  readonly device: GPUDevice;
  /** The adapter it came from. */
  readonly adapter: AdapterSummary;
  /** Storage buffers, pooled. */
  readonly pool: BufferPool;
  /** Batches dispatches. */
  readonly dispatcher: Dispatcher;
  /** Why the device was lost, once it is. */
  lostReason: string | undefined;

  /** Wraps `device` (from `adapter`). */
  constructor(device: GPUDevice, adapter: AdapterSummary) {
    this.device = device;
    this.adapter = adapter;
    this.pool = new BufferPool(device);
    this.dispatcher = new Dispatcher(device, this.pool);
    device.lost.then((info) => {
      this.lostReason = `${info.reason ?? "unknown"}${info.message ? `: ${info.message}` : ""}`;
    });
    device.addEventListener("uncapturederror", (e) => {
      const err = (e as GPUUncapturedErrorEvent).error;
      this.dispatcher.fail(new Error(`webgpu: ${err.constructor.name}: ${err.message.trim()}`));
    });
  }

  /** Throws if the device was lost, naming `op`. */
  check(op: string): void {
    if (this.lostReason !== undefined) {
      throw new Error(
        `${op}: the WebGPU device was lost (${this.lostReason}); tensors on it are gone. ` +
          'Call await init({ backend: "webgpu" }) to create a fresh device',
      );
    }
  }

  /** The most bytes one binding of a kernel may cover. */
  get bindingLimit(): number {
    return Math.floor(this.device.limits.maxStorageBufferBindingSize / 4) * 4;
  }

  /**
   * Fresh storage for `size` elements, from the pool. Only `chunked` outputs (elementwise ops on
   * equal shapes, which bind their operands a range at a time) may exceed one binding.
   */
  alloc(size: number, label: string, chunked = false): GpuStorage {
    const bytes = size * GPU_BYTES;
    if (chunked && bytes > this.device.limits.maxBufferSize) {
      throw new RangeError(
        `${label}: the output needs ${bytes} bytes, past this adapter's buffer size limit of ` +
          `${this.device.limits.maxBufferSize} bytes (maxBufferSize)`,
      );
    }
    const limit = this.bindingLimit;
    if (!chunked && bytes > limit) {
      throw new RangeError(
        `${label}: the output needs ${bytes} bytes, past this adapter's storage binding limit ` +
          `of ${limit} bytes (maxStorageBufferBindingSize); split the work into smaller tensors`,
      );
    }
    return { buffer: this.pool.acquire(bytes, label), bytes, ctx: this };
  }

  /** Records a dispatch. */
  launch(l: Launch): void {
    this.dispatcher.dispatch(l);
  }

  /**
   * Records an elementwise dispatch over `n` elements whose operands are all contiguous and `n`
   * long (word 0 is the count): past the binding limit it runs range by range, each binding a
   * window of every operand (offsets aligned as the adapter requires).
   */
  launchChunked(l: Launch, n: number): void {
    if (n * GPU_BYTES <= this.bindingLimit) {
      this.launch(l);
      return;
    }
    const align = this.device.limits.minStorageBufferOffsetAlignment / GPU_BYTES;
    const step = Math.floor(this.bindingLimit / GPU_BYTES / align) * align;
    for (let start = 0; start < n; start += step) {
      const len = Math.min(step, n - start);
      const words = Array.from(l.words);
      words[0] = len;
      const fault = l.describeFault;
      this.launch({
        ...l,
        buffers: l.buffers.map((b) => ({
          buffer: "buffer" in b ? b.buffer : b,
          offset: start * GPU_BYTES,
          size: len * GPU_BYTES,
        })),
        words,
        threads: len,
        describeFault: fault && ((i, v) => fault(i + start, v)),
      });
    }
  }
}

/** The WGSL type that holds elements of `dtype` on the GPU. */
export function wgslType(dtype: DType): "f32" | "i32" | "u32" {
  if (dtype === "float32") return "f32";
  if (dtype === "int32") return "i32";
  if (dtype === "bool") return "u32";
  throw new TypeError(
    `webgpu: the GPU stores float32, int32 and bool, not ${dtype} (WGSL has no 64-bit floats); ` +
      'create float32 data (pass { dtype: "float32" }; a Float64Array is float64 by default)',
  );
}

let current: GpuContext | undefined;

/** The live context, if `init` created one. */
export function currentContext(): GpuContext | undefined {
  return current;
}

/**
 * On headless Linux, Mesa's Vulkan driver prints "error: XDG_RUNTIME_DIR is invalid or not set"
 * twice while probing display servers (harmless: compute needs no display). When the variable is
 * unset and this process may already set it (no prompt), point it at the temp directory first.
 */
function quietHeadlessProbe(): void {
  try {
    if (Deno.build.os !== "linux") return;
    const perm = Deno.permissions.querySync({ name: "env", variable: "XDG_RUNTIME_DIR" });
    if (perm.state !== "granted" || Deno.env.get("XDG_RUNTIME_DIR") !== undefined) return;
    const tmp = Deno.permissions.querySync({ name: "env", variable: "TMPDIR" }).state === "granted"
      ? Deno.env.get("TMPDIR")
      : undefined;
    Deno.env.set("XDG_RUNTIME_DIR", tmp ?? "/tmp");
  } catch {
    // Not Deno, or no permission API: leave the environment alone.
  }
}

/** The adapter WebGPU offers, or `undefined` (with the reason) when there is none. */
export async function requestAdapter(): Promise<[GPUAdapter | undefined, string]> {
  quietHeadlessProbe();
  const gpu = (globalThis.navigator as { gpu?: GPU } | undefined)?.gpu;
  if (gpu === undefined) return [undefined, "navigator.gpu is not available in this runtime"];
  try {
    const adapter = await gpu.requestAdapter({ powerPreference: "high-performance" });
    return adapter ? [adapter, ""] : [undefined, "navigator.gpu.requestAdapter() found no adapter"];
  } catch (e) {
    return [undefined, `requestAdapter failed: ${(e as Error).message}`];
  }
}

/** What `adapter` says about itself. */
export function summarize(adapter: GPUAdapter): AdapterSummary {
  const info = adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
  const legacy = (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter;
  return {
    description: info.description || "(no description)",
    vendor: info.vendor,
    architecture: info.architecture,
    isFallbackAdapter: Boolean(info.isFallbackAdapter ?? legacy) ||
      /llvmpipe|lavapipe|swiftshader|softpipe|warp/i.test(info.description),
  };
}

/** Creates a fresh device on `adapter` and makes it current (replacing a lost one). */
export async function createContext(adapter: GPUAdapter): Promise<GpuContext> {
  const l = adapter.limits;
  const device = await adapter.requestDevice({
    label: "fluxion",
    requiredLimits: {
      maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
      maxBufferSize: l.maxBufferSize,
      maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
      // Fused elementwise kernels (compile) bind every input and output of a chain.
      maxStorageBuffersPerShaderStage: l.maxStorageBuffersPerShaderStage,
    },
  });
  current = new GpuContext(device, summarize(adapter));
  return current;
}

/** Forgets the current context (after `init` chose another backend, or in tests). */
export function dropContext(): void {
  current = undefined;
}

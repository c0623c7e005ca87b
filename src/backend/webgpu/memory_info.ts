/**
 * What the WebGPU backend reports to `memory()`.
 *
 * @module
 */
import { currentContext } from "./context.ts";

/** Live WebGPU tensors and bytes, and the buffer pool behind them. */
export interface GpuMemoryInfo {
  /** Tensors not yet disposed or collected. */
  tensors: number;
  /** Bytes of their distinct storage (4 per element). */
  bytes: number;
  /** Bytes of buffers handed out by the pool (size classes round up). */
  inUseBytes: number;
  /** Bytes of free buffers the pool keeps for reuse. */
  pooledBytes: number;
  /** Buffers created since the device was created. */
  buffersCreated: number;
  /** The most bytes handed out at once since the device was created (peak GPU memory). */
  peakInUseBytes: number;
  /** Dispatches recorded since the device was created. */
  dispatches: number;
  /** Command buffers submitted since the device was created. */
  submits: number;
}

/** The pool's figures, or `undefined` when no WebGPU device is in use. */
export function gpuMemoryInfo(): Omit<GpuMemoryInfo, "tensors" | "bytes"> | undefined {
  const ctx = currentContext();
  if (ctx === undefined) return undefined;
  const s = ctx.pool.stats;
  return {
    inUseBytes: s.inUseBytes,
    pooledBytes: s.pooledBytes,
    buffersCreated: s.created,
    peakInUseBytes: s.peakInUseBytes,
    dispatches: ctx.dispatcher.dispatches,
    submits: ctx.dispatcher.submits,
  };
}

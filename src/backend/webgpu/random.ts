/**
 * The WebGPU PRNG: Threefry-2x32 uniforms with the same bits as the CPU backend.
 *
 * @module
 */
import type { DType } from "../../core/dtype.ts";
import type { Shape } from "../../core/shape.ts";
import type { GpuContext, GpuStorage } from "./context.ts";

/** Uniform numbers in [0, 1) from `key`, bit for bit as `uniformBits` on the CPU. */
export function randomUniform(
  _ctx: GpuContext,
  _key: readonly [number, number],
  _shape: Shape,
  _dtype: DType,
): GpuStorage {
  throw new Error("random.uniform: not yet implemented on the webgpu backend");
}

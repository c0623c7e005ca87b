/**
 * The WebGPU PRNG: Threefry-2x32 uniforms with the same bits as the CPU backend
 * (`kernels/random.wgsl`, one invocation per counter, each writing two elements).
 *
 * @module
 */
import type { DType } from "../../core/dtype.ts";
import { type Shape, sizeOf } from "../../core/shape.ts";
import type { GpuContext, GpuStorage } from "./context.ts";

/**
 * Uniform numbers in [0, 1) from `key`, bit for bit as `uniformBits` on the CPU: element `i` is
 * `(w[i] >>> 8) * 2^-24`, where words `2j` and `2j + 1` are `threefry2x32(key, (j, 0))`.
 *
 * @param ctx The device to compute on.
 * @param key The key words `[k0, k1]` (uint32).
 * @param shape The output's shape.
 * @param dtype The output's dtype: only `float32` (WGSL has no 64-bit floats).
 * @returns The new tensor's storage.
 * @throws {TypeError} For a dtype other than float32.
 */
export function randomUniform(
  ctx: GpuContext,
  key: readonly [number, number],
  shape: Shape,
  dtype: DType,
): GpuStorage {
  if (dtype !== "float32") {
    throw new TypeError(
      `random.uniform: the webgpu backend draws float32 only, got ${dtype} (WGSL has no ` +
        `64-bit floats); use dtype "float32", or the cpu backend for ${dtype}`,
    );
  }
  const n = sizeOf(shape);
  const label = `random.uniform [${shape.join(",")}] ${dtype}`;
  const o = ctx.alloc(n, label);
  const counters = Math.ceil(n / 2);
  ctx.launch({
    kernel: "random",
    entry: "uniform_f32",
    buffers: [o.buffer],
    words: [counters, n, 0, 0, key[0] >>> 0, key[1] >>> 0],
    threads: counters,
    label,
  });
  return o;
}

/**
 * The WebGPU backend: every primitive as a WGSL kernel (from `kernels/`), dispatched through
 * Deno's built-in `navigator.gpu`. Ops record dispatches and return at once; only reading data
 * waits for the GPU.
 *
 * @module
 */
import type { DType, TypedArray } from "../../core/dtype.ts";
import { BINARY_PRIMS, COMPARE_PRIMS, type PrimName, UNARY_PRIMS } from "../../core/primitives.ts";
import { type Shape, sizeOf } from "../../core/shape.ts";
import type { Backend } from "../backend.ts";
import { currentContext, type GpuContext, type GpuStorage, wgslType } from "./context.ts";
import { checkRange } from "./check.ts";
import { convKernels } from "./conv.ts";
import { fusedElementwise, gemmEpilogue } from "./fused.ts";
import { elementwiseKernels } from "./elementwise.ts";
import { indexingKernels } from "./indexing.ts";
import type { GpuKernel, GpuKernelTable } from "./kernel.ts";
import { matmulKernels } from "./matmul.ts";
import { movementKernels } from "./movement.ts";
import { poolKernels } from "./pool.ts";
import { randomUniform } from "./random.ts";
import { reduceKernels } from "./reduce.ts";

/** Every primitive's WebGPU kernel, keyed by primitive name. */
export const gpuKernels: GpuKernelTable<PrimName> = {
  ...elementwiseKernels,
  ...reduceKernels,
  ...matmulKernels,
  ...movementKernels,
  ...indexingKernels,
  ...convKernels,
  ...poolKernels,
};

/** The live device, or an error naming `op` that says how to get one. */
export function requireContext(op: string): GpuContext {
  const ctx = currentContext();
  if (ctx === undefined) {
    throw new Error(
      `${op}: no WebGPU device; call await init({ backend: "webgpu" }) first`,
    );
  }
  ctx.check(op);
  return ctx;
}

function checkOwner(op: string, ctx: GpuContext, s: GpuStorage): void {
  s.ctx.check(op);
  if (s.ctx !== ctx) {
    throw new Error(
      `${op}: a tensor was created on an earlier WebGPU device, since replaced by init(); ` +
        "read it back (await t.data()) and create it again",
    );
  }
}

/** Primitives that split operands past one binding (when every operand has the output's shape). */
const CHUNKED = new Set<string>([...UNARY_PRIMS, ...BINARY_PRIMS, ...COMPARE_PRIMS, "cast"]);

/**
 * Kernels bind whole operands, and one binding covers at most the adapter's limit: a larger
 * input is an error naming the op, unless the op is elementwise over equal shapes (it then runs
 * range by range).
 */
function checkBindable(
  prim: string,
  ctx: GpuContext,
  inputs: readonly { storage: GpuStorage; shape: Shape; dtype: DType }[],
  outShape: Shape,
): void {
  const limit = ctx.bindingLimit;
  const big = inputs.find((x) => x.storage.bytes > limit);
  if (big === undefined) return;
  const sameShape = inputs.every((x) =>
    x.shape.length === outShape.length &&
    x.shape.every((d, i) => d === outShape[i])
  );
  if (CHUNKED.has(prim) && sameShape) return;
  throw new RangeError(
    `${prim}: input [${big.shape.join(",")}] ${big.dtype} holds ${big.storage.bytes} bytes, past ` +
      `this adapter's storage binding limit of ${limit} bytes; only elementwise ops on equal ` +
      "shapes split such tensors: slice it into parts first",
  );
}

/** Elements as the GPU holds them: 32 bits each (bool as a u32 of 0 or 1). */
function toGpuWords(data: TypedArray, dtype: DType): Float32Array | Int32Array | Uint32Array {
  if (dtype === "float32") return data instanceof Float32Array ? data : Float32Array.from(data);
  if (dtype === "int32") return data instanceof Int32Array ? data : Int32Array.from(data);
  return Uint32Array.from(data, (v) => +(v !== 0));
}

function fromGpuBytes(bytes: ArrayBuffer, dtype: DType): TypedArray {
  if (dtype === "float32") return new Float32Array(bytes);
  if (dtype === "int32") return new Int32Array(bytes);
  return Uint8Array.from(new Uint32Array(bytes));
}

/** The WebGPU backend (float32, int32 and bool tensors). */
export const webgpuBackend: Backend<GpuStorage> = {
  name: "webgpu",
  dtypes: ["float32", "int32", "bool"],
  fromArray(data: TypedArray, shape: Shape, dtype: DType): GpuStorage {
    const ctx = requireContext("tensor");
    try {
      wgslType(dtype);
    } catch (e) {
      throw new TypeError(`tensor: ${(e as Error).message.replace(/^webgpu: /, "")}`);
    }
    const words = toGpuWords(data, dtype);
    const s = ctx.alloc(sizeOf(shape), `tensor [${shape.join(",")}] ${dtype}`, true);
    if (words.length > 0) {
      ctx.device.queue.writeBuffer(s.buffer, 0, words as Uint32Array<ArrayBuffer>);
    }
    return s;
  },
  async read(storage: GpuStorage, dtype: DType): Promise<TypedArray> {
    const ctx = storage.ctx;
    ctx.check("data");
    return fromGpuBytes(await ctx.dispatcher.read(storage.buffer, storage.bytes), dtype);
  },
  readSync: () => undefined,
  run(prim, inputs, params, out) {
    const ctx = requireContext(prim);
    for (const x of inputs) checkOwner(prim, ctx, x.storage);
    checkBindable(prim, ctx, inputs, out.shape);
    const kernel = gpuKernels[prim] as GpuKernel<typeof prim>;
    return kernel(ctx, inputs, params, out);
  },
  randomUniform(key: readonly [number, number], shape: Shape, dtype: DType): GpuStorage {
    return randomUniform(requireContext("random.uniform"), key, shape, dtype);
  },
  checkRange(storage, dtype, range, describe): void {
    const ctx = requireContext("check");
    checkOwner("check", ctx, storage);
    checkRange(ctx, storage, dtype, range, describe);
  },
  fused: {
    get maxBuffers(): number {
      return currentContext()?.device.limits.maxStorageBuffersPerShaderStage ?? 8;
    },
    elementwise(program, inputs, shape) {
      const ctx = requireContext("fused elementwise");
      for (const x of inputs) checkOwner("fused elementwise", ctx, x.storage);
      return fusedElementwise(ctx, program, inputs, shape);
    },
    epilogue(prim, inputs, params, out, program, acc, extras) {
      const ctx = requireContext(prim);
      for (const x of [...inputs, ...extras]) checkOwner(prim, ctx, x.storage);
      checkBindable(prim, ctx, inputs, out.shape);
      const kernel = gpuKernels[prim] as GpuKernel<typeof prim>;
      return gemmEpilogue(
        ctx,
        program,
        acc,
        extras,
        out.shape,
        () => kernel(ctx, inputs, params as never, out),
      );
    },
  },
  storageBytes: (s: GpuStorage) => s.bytes,
  release(s: GpuStorage): void {
    if (s.ctx.lostReason === undefined) s.ctx.pool.release(s.buffer);
  },
};

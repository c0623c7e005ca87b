/**
 * The CPU backend: kernels over typed arrays, in TypeScript (the reference every other backend
 * is tested against) and, for float32's hot primitives, in WebAssembly SIMD on every core over
 * storage kept in the WebAssembly heap (`wasm/`).
 *
 * @module
 */
import type { DType, TypedArray } from "../../core/dtype.ts";
import { adopt, allocate, release } from "./alloc.ts";
import type { PrimName } from "../../core/primitives.ts";
import { type Shape, sizeOf } from "../../core/shape.ts";
import { uniformBits } from "../threefry.ts";
import { adamF32, uniformF32 } from "./wasm/elementwise.ts";
import type { Backend } from "../backend.ts";
import { convKernels } from "./conv.ts";
import { elementwiseKernels } from "./elementwise.ts";
import type { CpuInput, CpuKernelTable } from "./kernel.ts";
import { fusedElementwise } from "./fused.ts";
import { matmulKernels } from "./matmul.ts";
import { movementKernels } from "./movement.ts";
import { poolKernels } from "./pool.ts";
import { reduceKernels } from "./reduce.ts";

/** Every primitive's CPU kernel, keyed by primitive name. */
export const cpuKernels: CpuKernelTable<PrimName> = {
  ...elementwiseKernels,
  ...reduceKernels,
  ...matmulKernels,
  ...movementKernels,
  ...convKernels,
  ...poolKernels,
};

/** The CPU backend (the default). */
export const cpuBackend: Backend<TypedArray> = {
  name: "cpu",
  dtypes: ["float32", "float64", "int32", "bool"],
  storageBytes: (storage: TypedArray) => storage.byteLength,
  release,
  fromArray: adopt,
  read: (storage: TypedArray) => Promise.resolve(storage.slice()),
  readSync: (storage: TypedArray) => storage.slice(),
  run(prim, inputs, params, out) {
    const kernel = cpuKernels[prim] as (
      i: typeof inputs,
      p: typeof params,
      o: typeof out,
    ) => TypedArray;
    return kernel(inputs, params, out);
  },
  fused: {
    maxBuffers: 64,
    adam: (g, mu, nu, c) =>
      g.dtype === "float32"
        ? adamF32(
          g.storage as Float32Array,
          mu.storage as Float32Array,
          nu.storage as Float32Array,
          c,
        )
        : undefined,
    elementwise: (program, inputs, shape) =>
      fusedElementwise(program, inputs as readonly CpuInput[], shape),
  },
  randomUniform(key: readonly [number, number], shape: Shape, dtype: DType): TypedArray {
    const out = allocate(dtype, sizeOf(shape), false);
    if (!(out instanceof Float32Array && uniformF32(key, out))) {
      uniformBits(key, out as Float32Array | Float64Array);
    }
    return out;
  },
};

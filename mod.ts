/**
 * Fluxion: deep learning in TypeScript for Deno. Immutable tensors, reverse-mode autodiff over
 * pytrees, and models as pure functions.
 *
 * @example
 * ```ts
 * import { grad, mean, mul, sub, tensor } from "@fluxion/fluxion";
 * const x = tensor([1, 2, 3]);
 * const y = tensor([2, 4, 6]);
 * const loss = (w: ReturnType<typeof tensor>) => mean(mul(sub(mul(x, w), y), sub(mul(x, w), y)));
 * const dw = grad(loss)(tensor(1)); // d/dw of the squared error at w = 1
 * console.log(await dw.data()); // Float32Array [ -18.666... ]
 * ```
 *
 * @module
 */
export { Tensor } from "./src/core/tensor.ts";
export type { NestedArray } from "./src/core/tensor.ts";
export type { DType, TypedArray } from "./src/core/dtype.ts";
export type { Shape } from "./src/core/shape.ts";
export type {
  AdamConstants,
  Backend,
  BackendInput,
  ElementwiseProgram,
  ElementwiseStep,
  FusedDType,
  FusedKernels,
  OutputSpec,
  ValueRange,
} from "./src/backend/backend.ts";
export type {
  BinaryPrim,
  ComparePrim,
  ConvParams,
  NoParams,
  Padding4,
  Pair,
  PoolParams,
  PrimName,
  PrimParams,
  UnaryPrim,
} from "./src/core/primitives.ts";
export {
  arange,
  eye,
  full,
  linspace,
  ones,
  onesLike,
  tensor,
  zeros,
  zerosLike,
} from "./src/ops/creation.ts";
export type { ArrayData, CreateOptions, TensorOptions } from "./src/ops/creation.ts";
export type { TensorLike } from "./src/ops/promotion.ts";
export { add, div, maximum, minimum, mul, pow, square, sub } from "./src/ops/arithmetic.ts";
export { cast } from "./src/ops/cast.ts";
export {
  equal,
  greater,
  greaterEqual,
  less,
  lessEqual,
  notEqual,
  where,
} from "./src/ops/comparison.ts";
export {
  abs,
  ceil,
  cos,
  exp,
  expm1,
  floor,
  log,
  log1p,
  neg,
  relu,
  round,
  sigmoid,
  sign,
  sin,
  sqrt,
  tanh,
} from "./src/ops/unary.ts";
export { argmax, argmin, logSumExp, max, mean, min, sum } from "./src/ops/reduce.ts";
export type { ArgOptions, ReduceOptions } from "./src/ops/reduce.ts";
export { matmul } from "./src/ops/linalg.ts";
export { unstack } from "./src/ops/unstack.ts";
export { gather, scatterAdd, take } from "./src/ops/indexing.ts";
export {
  broadcastTo,
  expandDims,
  reshape,
  squeeze,
  sumToShape,
  transpose,
} from "./src/ops/shape_ops.ts";
export { concat, pad, slice, stack } from "./src/ops/slicing.ts";
export type { SliceSpec } from "./src/ops/slicing.ts";
export { conv2d } from "./src/ops/conv.ts";
export type { Conv2dOptions, Padding2, Size2 } from "./src/ops/conv.ts";
export { avgPool2d, maxPool2d } from "./src/ops/pool.ts";
export type { Pool2dOptions } from "./src/ops/pool.ts";
export { logSoftmax, softmax } from "./src/ops/softmax.ts";
export { elu, erf, gelu, leakyRelu, silu, softplus } from "./src/ops/special.ts";
export { stopGradient } from "./src/ops/stop_gradient.ts";
export { grad, jvp, valueAndGrad, vjp } from "./src/autodiff/transforms.ts";
export type { Argnums, GradOptions, GradsOf } from "./src/autodiff/transforms.ts";
export { customVjp } from "./src/autodiff/custom_vjp.ts";
export * as tree from "./src/tree/tree.ts";
export * as random from "./src/random/random.ts";
export * as nn from "./src/nn/nn.ts";
export * as losses from "./src/losses/losses.ts";
export * as optim from "./src/optim/optim.ts";
export * as io from "./src/io/io.ts";
export * as regularizers from "./src/nn/regularizers.ts";
export * as data from "./src/data/data.ts";
export { backendInfo, backends, flush, init, toBackend } from "./src/backend/select.ts";
export type { BackendChoice, BackendInfo, BackendName, InitOptions } from "./src/backend/select.ts";
export type { AdapterSummary } from "./src/backend/webgpu/context.ts";
export { dispose, memory, scoped } from "./src/backend/memory.ts";
export { trace } from "./src/compile/trace.ts";
export { compile, type Compiled, type CompileStats } from "./src/compile/compile.ts";
export { Graph, type GraphNode } from "./src/compile/graph.ts";
export type { CpuMemoryInfo, MemoryInfo, ScopedOptions } from "./src/backend/memory.ts";
export type { BackendMemory } from "./src/core/lifetime.ts";
export type { GpuMemoryInfo } from "./src/backend/webgpu/memory_info.ts";
export { cpuThreads, setCpuThreads } from "./src/backend/cpu/wasm/pool.ts";

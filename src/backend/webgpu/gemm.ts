/**
 * The launcher shared by matmul and the convolutions (`kernels/gemm.wgsl`): picks tiled or
 * direct products, splits long sums over K across workgroups when the output alone would leave
 * the GPU idle, and adds the partial sums up (`kernels/gemm_split.wgsl`).
 *
 * @module
 */
import type { GpuContext, GpuStorage } from "./context.ts";

/** Which product the gemm kernel computes (its `MODE` constant). */
export const GemmMode = {
  /** Batched matmul with broadcast batch dimensions. */
  matmul: 0,
  /** conv2d as an implicit GEMM: weights times gathered input windows. */
  conv2d: 1,
  /** The input gradient of conv2d: transposed weights times gathered cotangent. */
  conv2dBackwardInput: 2,
  /** The filter gradient of conv2d: cotangent times gathered input windows, K over images. */
  conv2dBackwardFilter: 3,
} as const;

/** One batched product C[z] = A[z] · B[z] for the gemm kernel. */
export interface GemmProblem {
  /** The product's kind. */
  readonly mode: (typeof GemmMode)[keyof typeof GemmMode];
  /** Rows of C. */
  readonly m: number;
  /** Columns of C. */
  readonly n: number;
  /** Length of each dot product. */
  readonly k: number;
  /** Batch elements (matmul) or groups (convolutions). */
  readonly batches: number;
  /** Uniform words from 10 on (the mode's own: batch strides or conv geometry); 0..9 are set. */
  readonly words: number[];
  /** The two input buffers, in the primitive's order. */
  readonly inputs: readonly [GPUBuffer, GPUBuffer];
  /** Elements of the output tensor. */
  readonly outSize: number;
  /** The element type. */
  readonly type: "f32" | "i32";
  /** The op with its shapes, for labels and errors. */
  readonly label: string;
  /** Elementwise ops applied to each result before it is stored (see kernels/gemm.wgsl). */
  readonly epilogue?: GemmEpilogue;
}

/** A fused epilogue: its WGSL (`fn epilogue` and bindings 4..), buffers and words 40... */
export interface GemmEpilogue {
  /** The WGSL defining `epilogue` and its bindings. */
  readonly prelude: string;
  /** Buffers for bindings 4, 5, ... */
  readonly buffers: readonly GPUBuffer[];
  /** Uniform words from word 40. */
  readonly words: readonly number[];
}

/** The identity epilogue of a plain product. */
const IDENTITY = "fn epilogue(v: T, o: u32) -> T { return v; }";

/** Rows and columns of C per workgroup of the tiled kernel, and its step along K. */
const TILE = 64, TK = 16;
/** Invocations wanted busy before splitting K stops paying (a large GPU's worth). */
const BUSY = 65536;
/** The least K one split takes. */
const MIN_SPLIT_K = 256;
/** The most splits, and the most bytes their partial sums may take. */
const MAX_SPLITS = 64, MAX_PARTS_BYTES = 128 * 1024 * 1024;

let pending: GemmEpilogue | undefined;

/** Runs `launch` (one product's kernel) with `epilogue` fused into its product's stores. */
export function withEpilogue<T>(epilogue: GemmEpilogue, launch: () => T): T {
  pending = epilogue;
  try {
    return launch();
  } finally {
    pending = undefined;
  }
}

/** Records the dispatches of `g` and returns the output storage. */
export function runGemm(ctx: GpuContext, problem: GemmProblem): GpuStorage {
  const g = pending === undefined ? problem : { ...problem, epilogue: pending };
  pending = undefined;
  const { m, n, k, batches } = g;
  const o = ctx.alloc(g.outSize, g.label);
  const count = m * n * batches;
  if (count === 0) return o;
  // Tiles waste most of their work when C has only a few rows or columns.
  const direct = Math.min(m, n) <= 4;
  const tilesM = Math.ceil(m / TILE), tilesN = Math.ceil(n / TILE);
  const busy = direct ? count : tilesM * tilesN * batches * 256;
  const limit = Math.min(ctx.device.limits.maxStorageBufferBindingSize, MAX_PARTS_BYTES);
  // A fused epilogue needs the whole sum of each result: no K splits.
  let splits = g.epilogue ? 1 : Math.min(
    Math.ceil(BUSY / busy),
    Math.floor(k / MIN_SPLIT_K),
    MAX_SPLITS,
    Math.floor(limit / (4 * g.outSize)),
  );
  splits = Math.max(1, splits);
  const step = direct ? 1 : TK;
  const chunk = Math.ceil(Math.ceil(k / splits) / step) * step;
  if (chunk > 0) splits = Math.ceil(k / chunk);
  const words = [...g.words];
  words.length = Math.max(words.length, 10);
  if (g.epilogue) {
    words.length = Math.max(words.length, 40);
    words.splice(40, g.epilogue.words.length, ...g.epilogue.words);
  }
  words.splice(0, 10, m, n, 0, k, batches, tilesM, tilesN, splits, chunk, g.outSize);
  const parts = splits > 1 ? ctx.alloc(splits * g.outSize, `${g.label} (split partial sums)`) : o;
  ctx.launch({
    kernel: "gemm",
    entry: direct ? "direct" : "tiled",
    includes: g.epilogue ? ["elementwise_math"] : undefined,
    prelude: `alias T = ${g.type};\n${g.epilogue?.prelude ?? IDENTITY}`,
    constants: { MODE: g.mode },
    buffers: [...g.inputs, parts.buffer, ...(g.epilogue?.buffers ?? [])],
    words,
    ...(direct ? { threads: count * splits } : { groups: tilesM * tilesN * batches * splits }),
    label: g.label,
  });
  if (splits > 1) {
    ctx.launch({
      kernel: "gemm_split",
      prelude: `alias T = ${g.type};`,
      buffers: [parts.buffer, o.buffer],
      words: [g.outSize, 0, 0, splits],
      threads: g.outSize,
      label: `${g.label} (adding ${splits} split sums)`,
    });
    ctx.pool.release(parts.buffer);
  }
  return o;
}

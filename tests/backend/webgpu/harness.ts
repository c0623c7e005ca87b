/**
 * Shared by the WebGPU tests: one device for the whole run (without changing the default
 * backend), seeded inputs, and CPU-against-GPU parity checks for values and gradients.
 *
 * Tests use `ignore: !gpu`, so a machine without an adapter skips them with the printed reason.
 */
import {
  type DType,
  mul,
  sum,
  type Tensor,
  tensor,
  toBackend,
  valueAndGrad,
} from "../../../mod.ts";
import * as tree from "../../../src/tree/tree.ts";
import {
  createContext,
  currentContext,
  type GpuContext,
  requestAdapter,
} from "../../../src/backend/webgpu/context.ts";
import { webgpuBackend } from "../../../src/backend/webgpu/webgpu_backend.ts";
import { assertClose, type CloseOptions } from "../../assert_close.ts";
import { prod, rng } from "../../test_rng.ts";
import assert from "node:assert/strict";

async function open(): Promise<GpuContext | undefined> {
  const live = currentContext();
  if (live !== undefined && live.lostReason === undefined) return live;
  const [adapter, why] = await requestAdapter();
  if (adapter === undefined) {
    console.log(`WebGPU tests skipped: ${why}`);
    return undefined;
  }
  const ctx = await createContext(adapter);
  console.log(
    `WebGPU tests run on "${ctx.adapter.description}" (fallback: ${ctx.adapter.isFallbackAdapter})`,
  );
  return ctx;
}

/** The test device, or `undefined` when this machine has no WebGPU adapter. */
export const gpu: GpuContext | undefined = await open();
/** Pass as `ignore` to GPU tests. */
export const noGpu: boolean = gpu === undefined;
/** The WebGPU backend, for `{ backend }` options. */
export const webgpu = webgpuBackend;

/** A seeded CPU tensor of `shape` with values in [lo, hi) (integers for int32, 0/1 for bool). */
export function rand(
  shape: readonly number[],
  seed: number,
  dtype: DType = "float32",
  lo = -1,
  hi = 1,
): Tensor {
  const r = rng(seed);
  const n = prod(shape);
  const v = Array.from({ length: n }, () => lo + (hi - lo) * (r() + 1) / 2);
  if (dtype === "bool") return tensor(v.map((x) => x > (lo + hi) / 2), { shape, dtype });
  if (dtype === "int32") return tensor(v.map(Math.floor), { shape, dtype });
  return tensor(v, { shape, dtype });
}

/** Copies a pytree of CPU tensors to the GPU. */
export function onGpu<T>(value: T): Promise<T> {
  return toBackend(value, "webgpu");
}

/** Asserts that two pytrees of tensors have equal structure, shapes, dtypes and close values. */
export async function assertTreesClose(
  gpuOut: unknown,
  cpuOut: unknown,
  opts: CloseOptions & { what?: string } = {},
): Promise<void> {
  const g = tree.leaves(gpuOut), c = tree.leaves(cpuOut);
  assert.equal(g.length, c.length, `${opts.what}: number of outputs`);
  for (let i = 0; i < g.length; i++) {
    const what = `${opts.what ?? "output"} leaf ${i}`;
    assert.equal(g[i].backend.name, "webgpu", `${what}: stays on the GPU`);
    assert.deepEqual(g[i].shape, c[i].shape, `${what}: shape`);
    assert.equal(g[i].dtype, c[i].dtype, `${what}: dtype`);
    assertClose(await g[i].data(), c[i].dataSync(), { rtol: 1e-5, atol: 1e-5, ...opts, msg: what });
  }
}

/** Runs `f` on CPU `inputs` and on copies on the GPU, and asserts the results agree. */
export async function parity(
  what: string,
  f: (...xs: Tensor[]) => unknown,
  inputs: readonly Tensor[],
  opts: CloseOptions = {},
): Promise<void> {
  const expected = f(...inputs);
  const got = f(...await onGpu([...inputs]));
  await assertTreesClose(got, expected, { ...opts, what });
}

/**
 * Asserts that the value and gradient of the scalar `sum(f(...) * weights)` with respect to
 * every float input agree between the CPU and the GPU (the weights make every output element
 * count differently).
 */
export async function gradParity(
  what: string,
  f: (...xs: Tensor[]) => Tensor,
  inputs: readonly Tensor[],
  opts: CloseOptions = {},
): Promise<void> {
  const floats = inputs.map((x, i) => (x.dtype === "float32" ? i : -1)).filter((i) => i >= 0);
  const weights = rand(f(...inputs).shape, 991, "float32");
  const run = (xs: Tensor[], w: Tensor) =>
    valueAndGrad((...ys: Tensor[]) => sum(mul(f(...ys), w)), { argnums: floats })(...xs);
  const expected = run([...inputs], weights);
  const got = run(await onGpu([...inputs]), await onGpu(weights));
  await assertTreesClose(got, expected, { rtol: 1e-4, atol: 1e-4, ...opts, what: `grad ${what}` });
}

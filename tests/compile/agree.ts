/**
 * Compiled-against-eager checks for the compile tests: run `f` eagerly and compiled on the same
 * arguments and compare every output leaf. On the CPU the fused loops round each step as the
 * primitives do, so results must be bit-identical; on WebGPU a shader compiler may contract a
 * multiply and an add inside a fused kernel, so results agree to float32 rounding.
 */
import * as fx from "../../mod.ts";
import { assertClose } from "../assert_close.ts";
import assert from "node:assert/strict";

/** Asserts that the tensor leaves of `got` equal those of `want` (bitwise on the CPU). */
export async function assertSameResults(
  got: unknown,
  want: unknown,
  what: string,
  opts: { rtol?: number; atol?: number } = {},
): Promise<void> {
  const g = fx.tree.leaves(got), w = fx.tree.leaves(want);
  assert.equal(g.length, w.length, `${what}: number of outputs`);
  for (let i = 0; i < g.length; i++) {
    const msg = `${what}: output ${i} ${w[i].dtype}[${w[i].shape}]`;
    assert.deepEqual(g[i].shape, w[i].shape, msg);
    assert.equal(g[i].dtype, w[i].dtype, msg);
    assert.equal(g[i].backend, w[i].backend, msg);
    const a = await g[i].data(), b = await w[i].data();
    if (w[i].backend.name === "cpu") assert.deepEqual(a, b, `${msg}: bit-identical`);
    else assertClose(a, b, { rtol: opts.rtol ?? 2e-5, atol: opts.atol ?? 2e-6, msg });
  }
}

/**
 * Runs `f(...args)` eagerly and compiled (twice, so the second call replays a cached plan) and
 * asserts the results agree; returns the compiled function.
 */
export async function assertCompiledAgrees<A extends unknown[]>(
  what: string,
  f: (...args: A) => unknown,
  args: A,
  opts: { rtol?: number; atol?: number } = {},
): Promise<fx.Compiled<A, unknown>> {
  const c = fx.compile(f);
  const want = f(...args);
  await assertSameResults(c(...args), want, `${what} (first call)`, opts);
  await assertSameResults(c(...args), want, `${what} (replay)`, opts);
  assert.equal(c.traces(), 1, `${what}: one trace`);
  return c;
}

/**
 * Adam's fused CPU kernel against its oracle, the same update composed from primitives (itself
 * checked against PyTorch in adam_test.ts): bit-identical parameters and moments over several
 * steps, with maximize, odd sizes and a learning-rate schedule; and the fused kernel is not used
 * while a gradient tape records (differentiating through the step still works).
 */
import * as fx from "../../mod.ts";
import { cpuBackend } from "../../src/backend/cpu/cpu_backend.ts";
import assert from "node:assert/strict";

type Fused = typeof cpuBackend.fused;

function run(opts: fx.optim.AdamOptions, fused: boolean, steps: number): Float32Array[] {
  const saved: Fused = cpuBackend.fused;
  let calls = 0;
  (cpuBackend as { fused?: Fused }).fused = fused
    ? { adam: (...a) => (calls++, saved!.adam!(...a)) }
    : undefined;
  try {
    const opt = fx.optim.adam(opts);
    let params: Record<string, fx.Tensor> = {
      w: fx.random.normal(fx.random.key(1), [37, 41]),
      b: fx.random.normal(fx.random.key(2), [41]),
      s: fx.random.normal(fx.random.key(3), [3]),
    };
    let state = opt.init(params);
    for (let t = 0; t < steps; t++) {
      const grads = fx.tree.map(
        (p: fx.Tensor) => fx.mul(fx.random.normal(fx.random.key(10 + t), p.shape), 3),
        params,
      );
      const [u, s] = opt.update(grads, state, params);
      params = fx.optim.applyUpdates(params, u) as typeof params;
      state = s;
    }
    if (fused) assert.ok(calls >= steps * 2, `the fused kernel ran (${calls} calls)`);
    const mu = state.mu as Record<string, fx.Tensor>, nu = state.nu as Record<string, fx.Tensor>;
    return [params.w, params.b, params.s, mu.w, nu.w, mu.b, nu.b].map((t) =>
      t.dataSync() as Float32Array
    );
  } finally {
    (cpuBackend as { fused?: Fused }).fused = saved;
  }
}

Deno.test("fused Adam equals Adam composed from primitives, bit for bit", () => {
  const schedule = (step: number) => 1e-2 / (1 + step);
  for (
    const opts of [{}, { lr: 0.05, betas: [0.8, 0.99] as const, eps: 1e-6 }, { maximize: true }, {
      lr: schedule,
    }]
  ) {
    const fused = run(opts, true, 4);
    const plain = run(opts, false, 4);
    fused.forEach((a, i) => assert.deepEqual(a, plain[i], `${JSON.stringify(opts)} tensor ${i}`));
  }
});

Deno.test("Adam inside a gradient tape composes primitives, so the step stays differentiable", () => {
  const saved: Fused = cpuBackend.fused;
  let calls = 0;
  (cpuBackend as { fused?: Fused }).fused = { adam: (...a) => (calls++, saved!.adam!(...a)) };
  try {
    const lr = 0.1, eps = 1e-3;
    const opt = fx.optim.adam({ lr, eps });
    const p = { w: fx.random.normal(fx.random.key(4), [64]) };
    const state = opt.init(p);
    const outer = (g: fx.Tensor) => {
      const [u] = opt.update({ w: g }, state, p);
      return fx.sum(fx.optim.applyUpdates(p, u).w as fx.Tensor);
    };
    const g0 = fx.random.normal(fx.random.key(5), [64]);
    const dg = fx.grad(outer)(g0).dataSync();
    // Step 1: mu = (1 - b1) g and nu = (1 - b2) g^2, so u = -lr g / (|g| + eps) and
    // du/dg = -lr eps / (|g| + eps)^2.
    const g = g0.dataSync();
    for (let i = 0; i < 64; i++) {
      const want = -lr * eps / (Math.abs(g[i]) + eps) ** 2;
      assert.ok(Math.abs(dg[i] - want) <= 1e-3 * Math.abs(want), `${i}: ${dg[i]} vs ${want}`);
    }
    assert.equal(calls, 0, "no fused kernel under a recording tape");
  } finally {
    (cpuBackend as { fused?: Fused }).fused = saved;
  }
});

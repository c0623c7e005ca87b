/**
 * Choosing the backend (`init`, `backendInfo`, `toBackend`), mixing backends, the buffer pool,
 * and the two faults a user can meet: a validation error and a lost device.
 */
import * as fx from "../../../mod.ts";
import { gpu, noGpu, onGpu, webgpu } from "./harness.ts";
import { requireContext } from "../../../src/backend/webgpu/webgpu_backend.ts";
import { currentContext } from "../../../src/backend/webgpu/context.ts";
import assert from "node:assert/strict";

Deno.test({
  name: "init: auto skips a software adapter and says why; webgpu forces it; cpu restores",
  ignore: noGpu,
  async fn() {
    try {
      const auto = await fx.init();
      if (gpu!.adapter.isFallbackAdapter) {
        assert.equal(auto.name, "cpu");
        assert.match(auto.reason, /is a software fallback, slower than the CPU backend/);
        assert.equal(auto.adapter?.description, gpu!.adapter.description);
      } else {
        assert.equal(auto.name, "webgpu");
      }
      const forced = await fx.init({ backend: "webgpu" });
      assert.equal(forced.name, "webgpu");
      assert.equal(fx.backendInfo().name, "webgpu");
      assert.equal(fx.tensor([1]).backend.name, "webgpu", "new tensors go to the default");
      console.log(`backendInfo: ${JSON.stringify(fx.backendInfo())}`);
    } finally {
      const cpu = await fx.init({ backend: "cpu" });
      assert.equal(cpu.name, "cpu");
    }
    assert.equal(fx.tensor([1]).backend.name, "cpu");
    await assert.rejects(
      () => fx.init({ backend: "tpu" as "cpu" }),
      /init: backend must be "auto", "webgpu" or "cpu", got tpu/,
    );
  },
});

Deno.test({
  name: "toBackend moves pytrees both ways; mixing backends in one op says how to move",
  ignore: noGpu,
  async fn() {
    const params = { w: fx.tensor([[1, 2], [3, 4]]), b: fx.tensor([1, 0], { dtype: "int32" }) };
    const g = await fx.toBackend(params, "webgpu");
    assert.equal(g.w.backend.name, "webgpu");
    assert.equal(g.b.dtype, "int32");
    const back = await fx.toBackend(g, "cpu");
    assert.deepEqual(back.w.dataSync(), params.w.dataSync());
    assert.throws(
      () => fx.add(g.w, params.w),
      /add: inputs live on different backends \(\[2,2\] float32 on webgpu, \[2,2\] float32 on cpu\)/,
    );
    assert.throws(() => g.w.dataSync(), /lives on the webgpu backend.*use await t.data\(\)/);
    await assert.rejects(
      () => fx.toBackend(fx.tensor([1], { dtype: "float64" }), "webgpu"),
      /toBackend: the webgpu backend has no float64 tensors/,
    );
    await assert.rejects(
      () => fx.toBackend(params, "tpu"),
      /no backend "tpu"; choose one of cpu, webgpu/,
    );
    assert.match(
      String(g.w),
      /Tensor\(\[2,2\] float32, webgpu\) <on webgpu; await t.data\(\) to read>/,
    );
  },
});

Deno.test({
  name: "disposed GPU tensors return their buffers to the pool, which later ops reuse",
  ignore: noGpu,
  async fn() {
    const [x] = await onGpu([fx.tensor(Array.from({ length: 1000 }, (_, i) => i))]);
    await fx.flush();
    const before = fx.memory().webgpu!;
    const y = fx.exp(fx.neg(x));
    const mid = fx.memory().webgpu!;
    assert.equal(mid.tensors - before.tensors, 2);
    assert.equal(mid.bytes - before.bytes, 8000);
    fx.dispose(y);
    await fx.flush(); // released buffers become reusable after the next submit
    const created = fx.memory().webgpu!.buffersCreated;
    const z = fx.exp(x);
    assert.equal(fx.memory().webgpu!.buffersCreated, created, "reused a pooled buffer");
    assert.ok(Math.abs((await z.data())[1] - Math.exp(1)) < 1e-5);
  },
});

Deno.test({
  name: "a validation error surfaces as an exception naming the kernel and shapes",
  ignore: noGpu,
  async fn() {
    const ctx = requireContext("test");
    const [x] = await onGpu([fx.tensor([1, 2, 3])]);
    const s = x.storage as { buffer: GPUBuffer };
    // One buffer bound as both input and output of a dispatch: WebGPU rejects it.
    ctx.launch({
      kernel: "unary",
      prelude: "alias T = f32;\nfn apply(v: T) -> T { return v; }",
      buffers: [s.buffer, s.buffer],
      words: [3],
      threads: 3,
      label: "forced(x [3] float32 in place)",
    });
    await assert.rejects(
      () => fx.flush(),
      /webgpu: GPUValidationError: [\s\S]*in the batch running: forced\(x \[3\] float32 in place\)/,
    );
    // The device stays usable.
    assert.deepEqual([...await fx.add(x, 1).data()], [2, 3, 4]);
  },
});

Deno.test({
  name: "a lost device is reported by every op, and init() creates a fresh one",
  ignore: noGpu,
  async fn() {
    const [x] = await onGpu([fx.tensor([1, 2])]);
    const old = currentContext()!;
    old.device.destroy();
    await old.device.lost;
    assert.throws(
      () => fx.mul(x, x),
      /mul: the WebGPU device was lost \(destroyed.*\); tensors on it are gone\. Call await init\(\{ backend: "webgpu" \}\) to create a fresh device/,
    );
    assert.throws(() => fx.tensor([1], { backend: webgpu }), /tensor: the WebGPU device was lost/);
    try {
      await fx.init({ backend: "webgpu" });
      assert.notEqual(currentContext(), old);
      const y = fx.mul(fx.tensor([1, 2, 3]), 2);
      assert.deepEqual([...await y.data()], [2, 4, 6]);
      assert.throws(() => fx.mul(x, x), /was lost/);
    } finally {
      await fx.init({ backend: "cpu" });
    }
  },
});

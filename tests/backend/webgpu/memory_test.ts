/**
 * Memory stays flat on WebGPU: 500 training steps of an MLP (forward, loss, backward, Adam) in a
 * scoped step with donated state end with exactly the live tensors and bytes of the first step,
 * and the buffer pool stops growing. No data is read back until the end.
 */
import * as fx from "../../../mod.ts";
import { noGpu, onGpu } from "./harness.ts";
import assert from "node:assert/strict";

Deno.test({
  name: "webgpu: 500 MLP training steps hold live tensors and bytes flat",
  ignore: noGpu,
  async fn() {
    const model = fx.nn.serial(fx.nn.linear(20, 32), fx.nn.relu(), fx.nn.linear(32, 10));
    const opt = fx.optim.adam({ lr: 1e-2 });
    const init = model.init(fx.random.key(0), [16, 20]).params;
    const x0 = fx.random.normal(fx.random.key(1), [16, 20]);
    const labels0 = fx.random.randint(fx.random.key(2), [16], 0, 10);
    const [params, x, labels] = await onGpu([init, x0, labels0] as const);
    type P = typeof params;
    const loss = (p: P) => fx.losses.crossEntropy(model.apply(p, x), labels);
    const step = fx.scoped((p: P, s: ReturnType<typeof opt.init>) => {
      const [l, g] = fx.valueAndGrad(loss)(p);
      const [u, s2] = opt.update(g, s, p);
      return { params: fx.optim.applyUpdates(p, u), state: s2, loss: l };
    }, { donate: [0, 1] });

    let st = step(params, opt.init(params));
    const firstLoss = await st.loss.item();
    const after1 = fx.memory().webgpu!;
    let created250 = 0;
    for (let i = 1; i < 500; i++) {
      const prev = st.loss;
      st = step(st.params, st.state);
      fx.dispose(prev);
      if (i === 250) created250 = fx.memory().webgpu!.buffersCreated;
    }
    const lastLoss = await st.loss.item();
    const after500 = fx.memory().webgpu!;
    console.log(
      `webgpu memory after step 1: ${after1.tensors} tensors, ${after1.bytes} bytes; after 500: ` +
        `${after500.tensors} tensors, ${after500.bytes} bytes; pool ${after500.pooledBytes} bytes ` +
        `free, ${after500.buffersCreated} buffers created, ${after500.dispatches} dispatches in ` +
        `${after500.submits} submits; loss ${firstLoss.toFixed(4)} -> ${lastLoss.toFixed(4)}`,
    );
    assert.equal(after500.tensors, after1.tensors);
    assert.equal(after500.bytes, after1.bytes);
    assert.equal(after500.inUseBytes, after1.inUseBytes);
    assert.equal(after500.buffersCreated, created250, "the pool reached a steady state");
    assert.ok(lastLoss < firstLoss * 0.5, `it trained: ${firstLoss} -> ${lastLoss}`);
  },
});

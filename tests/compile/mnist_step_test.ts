/**
 * The seed's MNIST CNN training step (dropout, NLL of log-softmax, capturable Adam with the
 * example's step-decay schedule, hit count), compiled against eager on the CPU (bit-identical)
 * and WebGPU (to float32 rounding): one trace for every step, fewer kernels after fusion (and
 * fewer real dispatches on WebGPU, printed), and memory flat over many compiled steps.
 */
import * as fx from "../../mod.ts";
import { seedNet } from "../../examples/lib/seed_net.ts";
import { noGpu, onGpu } from "../backend/webgpu/harness.ts";
import { assertSameResults } from "./agree.ts";
import assert from "node:assert/strict";

const net = seedNet();
const BATCH = 4;

function setup() {
  const opt = fx.optim.capturable(
    fx.optim.adam({ lr: fx.optim.stepDecay({ init: 1e-3, stepSize: 2, gamma: 0.7 }) }),
  );
  const lossOf = (p: fx.nn.Params, x: fx.Tensor, y: fx.Tensor, key: fx.random.Key) => {
    const out = net.apply(p, x, { training: true, key });
    return [fx.losses.nll(out, y), out] as const;
  };
  const vg = fx.valueAndGrad(lossOf, { hasAux: true });
  const step = (p: fx.nn.Params, s: unknown, x: fx.Tensor, y: fx.Tensor, key: fx.random.Key) => {
    const [[loss, out], grads] = vg(p, x, y, key);
    const [updates, next] = opt.update(grads, s as never, p);
    const hits = fx.sum(fx.cast(fx.equal(fx.argmax(out, { axis: 1 }), y), "int32"));
    return { params: fx.optim.applyUpdates(p, updates), state: next, loss, hits };
  };
  const params = net.init(fx.random.key(0), [BATCH, 1, 28, 28]).params;
  const x = fx.random.uniform(fx.random.key(1), [BATCH, 1, 28, 28]);
  const y = fx.tensor([3, 1, 4, 1], { dtype: "int32" });
  return { opt, step, params, x, y };
}

const dispatches = () => fx.memory().webgpu?.dispatches ?? 0;

for (const backend of ["cpu", "webgpu"] as const) {
  Deno.test({
    name: `the compiled MNIST step equals the eager one on ${backend}, with fewer kernels`,
    ignore: backend === "webgpu" && noGpu,
    async fn() {
      let { opt, step, params, x, y } = setup();
      if (backend === "webgpu") [params, x, y] = await onGpu([params, x, y] as const);
      const compiled = fx.compile(step);
      let eager = { params, state: opt.init(params) as unknown };
      let comp = eager;
      const counts = { eager: 0, compiled: 0 };
      for (let i = 0; i < 3; i++) {
        const key = fx.random.foldIn(fx.random.key(9), i);
        const d0 = dispatches();
        const e = step(eager.params, eager.state, x, y, key);
        const d1 = dispatches();
        const c = compiled(comp.params, comp.state, x, y, key);
        const d2 = dispatches();
        if (i > 0) [counts.eager, counts.compiled] = [d1 - d0, d2 - d1];
        await assertSameResults(c, e, `step ${i + 1}`, { rtol: 1e-4, atol: 1e-5 });
        eager = e;
        comp = c;
      }
      assert.equal(compiled.traces(), 1);
      const s = compiled.stats(comp.params, comp.state, x, y, fx.random.key(0))!;
      assert.ok(s.kernels < s.ops && s.fusedPasses > 0, JSON.stringify(s));
      assert.ok(s.peakBytes < s.totalBytes, "buffers are reused");
      console.log(
        `MNIST step (batch ${BATCH}) on ${backend}: ${s.ops} ops -> ${s.kernels} kernels ` +
          `(${s.fusedPasses} fused passes); planned buffers ${s.peakBytes} bytes of ${s.totalBytes}` +
          (backend === "webgpu"
            ? `; dispatches per step: eager ${counts.eager}, compiled ${counts.compiled}`
            : ""),
      );
      if (backend === "webgpu") assert.ok(counts.compiled < counts.eager, JSON.stringify(counts));
    },
  });

  Deno.test({
    name: `memory stays flat over compiled MNIST steps on ${backend}`,
    ignore: backend === "webgpu" && noGpu,
    async fn() {
      let { opt, step, params, x, y } = setup();
      if (backend === "webgpu") [params, x, y] = await onGpu([params, x, y] as const);
      const train = fx.scoped(fx.compile(step), { donate: [0, 1] });
      let cur = { params, state: opt.init(params) as unknown };
      const seen: number[] = [];
      for (let i = 0; i < 12; i++) {
        const r = train(cur.params, cur.state, x, y, fx.random.key(i));
        await r.loss.data();
        fx.dispose([r.loss, r.hits]);
        cur = r;
        const m = fx.memory();
        const bytes = backend === "cpu" ? m.cpu!.heapInUseBytes : m.webgpu!.inUseBytes;
        seen.push(bytes + (backend === "cpu" ? m.cpu!.tensors : m.webgpu!.tensors));
      }
      // After the first steps (trace, pools warming), every step ends where the last did.
      assert.deepEqual(seen.slice(4), Array(8).fill(seen[4]), `memory per step: ${seen}`);
    },
  });
}

/**
 * The static memory plan: a value is released only after its last reader has run (so no dispatch
 * reads a buffer that its own output reuses), outputs and arguments are never released, aliases
 * keep their source alive, and slots are reused by liveness. Replay releases what the plan says:
 * after a call only its outputs stay in the CPU heap.
 */
import * as fx from "../../mod.ts";
import { planMemory } from "../../src/compile/memory_plan.ts";
import assert from "node:assert/strict";

function chain(x: fx.Tensor, w: fx.Tensor) {
  const h = fx.relu(fx.matmul(x, w));
  const g = fx.tanh(fx.matmul(h, w));
  const flat = fx.reshape(g, [-1]);
  return [fx.sum(fx.exp(flat)), fx.matmul(g, w)];
}

Deno.test("the memory plan frees each value after its last reader and reuses slots", () => {
  const x = fx.random.normal(fx.random.key(1), [8, 8]);
  const w = fx.random.normal(fx.random.key(2), [8, 8]);
  const f = fx.compile(chain);
  f(x, w);
  for (const g of [f.graph(x, w)!, f.fusedGraph(x, w)!]) {
    const plan = planMemory(g);
    const freedAt = new Map<number, number>();
    plan.frees.forEach((ids, at) => ids.forEach((id) => freedAt.set(id, at)));
    for (const n of g.nodes) {
      for (const i of n.inputs) {
        const at = freedAt.get(i);
        if (at !== undefined) assert.ok(at >= n.id, `%${i} freed at %${at}, read by %${n.id}`);
      }
    }
    for (const id of [...g.outputs, ...g.inputs]) assert.ok(!freedAt.has(id), `%${id} is kept`);
    // The reshape shares g's buffer: g is not freed before the reshape's readers run.
    const reshape = g.nodes.find((n) => n.op === "reshape")!;
    const lastReader = Math.max(
      ...g.nodes.filter((n) => n.inputs.includes(reshape.id)).map((n) => n.id),
    );
    assert.ok(freedAt.get(reshape.id)! >= lastReader);
    assert.ok(plan.peakBytes < plan.totalBytes, `${plan.peakBytes} < ${plan.totalBytes}`);
    assert.ok(plan.slots < g.nodes.length);
  }
});

Deno.test("after a compiled call only its outputs stay in the CPU heap", () => {
  const x = fx.random.normal(fx.random.key(1), [64, 64]);
  const w = fx.random.normal(fx.random.key(2), [64, 64]);
  const f = fx.compile(chain);
  fx.dispose(f(x, w));
  fx.scoped(() => {
    const before = fx.memory().cpu!.heapInUseBytes;
    const outs = f(x, w);
    const after = fx.memory().cpu!.heapInUseBytes;
    const outBytes = outs.reduce((s, t) => s + t.size * 4, 0);
    // Blocks are size classes: outputs take at most twice their bytes, intermediates none.
    assert.ok(after - before >= outBytes && after - before <= 2 * outBytes, `${after - before}`);
    fx.dispose(outs);
    assert.equal(fx.memory().cpu!.heapInUseBytes, before);
  })();
});

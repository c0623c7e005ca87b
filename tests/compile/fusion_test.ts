/**
 * Elementwise fusion: which ops a pass takes (chains, multi-output updates, the buffer limit,
 * uses outside a group), and fused passes against the primitives on every elementwise op,
 * broadcasting, literals and special values (NaN, infinities, signed zeros): bit-identical on
 * the CPU, to float32 rounding on WebGPU. Also the CPU's size limit for generated loops.
 */
import * as fx from "../../mod.ts";
import { BINARY_PRIMS, COMPARE_PRIMS, UNARY_PRIMS } from "../../src/core/primitives.ts";
import { bind } from "../../src/autodiff/bind.ts";
import { FUSED_LOOP_LIMIT } from "../../src/backend/cpu/fused.ts";
import { MAX_BUFFERS } from "../../src/compile/fusion.ts";
import { noGpu, onGpu } from "../backend/webgpu/harness.ts";
import { assertCompiledAgrees } from "./agree.ts";
import assert from "node:assert/strict";

const SPECIAL = [NaN, Infinity, -Infinity, 0, -0, 1, -1, 0.5, -2.5, 3e-39, 1e30, 7];
const special = (n: number, shift: number) =>
  fx.tensor(Array.from({ length: n }, (_, i) => SPECIAL[(i + shift) % SPECIAL.length]));

const ops = (g: fx.Graph) => g.nodes.map((n) => n.op);

Deno.test("fusion: a bias + activation chain is one pass; Adam's update is one pass per parameter", () => {
  const x = fx.random.normal(fx.random.key(1), [4, 6]);
  const b = fx.random.normal(fx.random.key(2), [6]);
  const f = fx.compile((x: fx.Tensor, b: fx.Tensor) => fx.tanh(fx.mul(fx.add(x, b), 0.5)));
  f(x, b);
  assert.deepEqual(ops(f.fusedGraph(x, b)!), ["input", "input", "fused"]);
  assert.deepEqual(f.stats(x, b), {
    ops: 3,
    kernels: 1,
    fusedPasses: 1,
    epilogues: 0,
    bufferSlots: 1,
    peakBytes: 96,
    totalBytes: 96,
  });
  // Adam: the new moments are outputs too, written by the same pass as the update.
  const opt = fx.optim.capturable(fx.optim.adam({ lr: 0.1 }));
  const p = { w: x };
  const step = fx.compile((g: typeof p, s: unknown) => opt.update(g, s as never, p));
  step(p, opt.init(p));
  const g = step.fusedGraph(p, opt.init(p))!;
  const fused = g.nodes.filter((n) => n.op === "fused" && n.shape.join() === "4,6");
  assert.equal(fused.length, 1, g.toString());
  assert.equal(g.nodes.filter((n) => n.op === "fusedOutput").length, 2, "mu and nu");
});

Deno.test("fusion: a value used outside the chain is kept", () => {
  const x = fx.random.normal(fx.random.key(3), [5]);
  // e = exp(x) feeds a sum (not elementwise) and the chain: e is its own pass's output.
  const f = fx.compile((x: fx.Tensor) => {
    const e = fx.exp(x);
    return fx.add(fx.mul(e, 2), fx.sum(e));
  });
  f(x);
  assert.deepEqual(ops(f.fusedGraph(x)!), ["input", "exp", "sum", "fused"]);
});

for (const backend of ["cpu", "webgpu"] as const) {
  Deno.test({
    name: `fusion on ${backend}: no pass binds more buffers than the backend allows`,
    ignore: backend === "webgpu" && noGpu,
    async fn() {
      const limit = fx.backends[backend].fused!.maxBuffers!;
      assert.ok(limit >= MAX_BUFFERS, `${limit}`);
      // limit + 5 distinct inputs, one chain: it must split.
      let xs = Array.from({ length: limit + 5 }, (_, i) => fx.random.normal(fx.random.key(i), [3]));
      if (backend === "webgpu") xs = await onGpu(xs);
      const many = (...ys: fx.Tensor[]) => ys.reduce((a, b) => fx.add(fx.mul(a, 1.5), b));
      const c = await assertCompiledAgrees("a long chain", many, xs);
      const passes = c.fusedGraph(...xs)!.nodes.filter((n) => n.op === "fused");
      assert.ok(passes.length >= 2, "split into several passes");
      for (const n of passes) assert.ok(n.inputs.length + 1 <= limit, `${n.inputs.length} inputs`);
    },
  });
}

/** One chain per op, over special values with broadcasting, bool operands and literals. */
function chains(a: fx.Tensor, b: fx.Tensor) {
  const out: fx.Tensor[] = [];
  for (const op of UNARY_PRIMS) out.push(fx.mul(bind(op, [fx.add(a, 0.25)], {}), 1));
  for (const op of BINARY_PRIMS) out.push(fx.add(bind(op, [fx.mul(a, 1), b], {}), 0));
  for (const op of COMPARE_PRIMS) {
    const c = bind(op, [fx.neg(a), b], {});
    out.push(fx.where(c, fx.exp(b), fx.cast(c, "float32")));
  }
  return out;
}

for (const backend of ["cpu", "webgpu"] as const) {
  Deno.test({
    name: `fused passes equal the primitives on ${backend}: every op, broadcasting, special values`,
    ignore: backend === "webgpu" && noGpu,
    async fn() {
      let a = fx.reshape(special(36, 0), [3, 12]);
      let b = special(12, 5); // broadcast along rows
      let col = fx.reshape(special(3, 2), [3, 1]);
      if (backend === "webgpu") [a, b, col] = await onGpu([a, b, col] as const);
      const c = await assertCompiledAgrees("chains", chains, [a, b], { atol: 1e-5, rtol: 1e-5 });
      const s = c.stats(a, b)!;
      assert.ok(s.fusedPasses >= UNARY_PRIMS.length, `${s.fusedPasses} fused passes`);
      // Column and scalar broadcasts in one pass.
      await assertCompiledAgrees(
        "broadcasts",
        (a: fx.Tensor, col: fx.Tensor) => fx.sigmoid(fx.sub(fx.mul(a, col), fx.maximum(col, 0.5))),
        [a, col],
      );
    },
  });
}

Deno.test("the CPU runs programs past its loop limit as primitives, with the same results", async () => {
  const n = FUSED_LOOP_LIMIT + 7;
  const x = fx.random.normal(fx.random.key(5), [n]);
  const small = fx.random.normal(fx.random.key(6), [100]);
  const f = (x: fx.Tensor) => fx.relu(fx.sub(fx.mul(x, 3), fx.exp(x)));
  await assertCompiledAgrees("large", f, [x]);
  await assertCompiledAgrees("small", f, [small]);
});

Deno.test("the CPU's WebAssembly program kernel equals the primitives, bit for bit", async () => {
  // Past the threading threshold, with special values, bool operands and outputs, scalars and
  // literals; in a scope (heap operands) and outside one (copied in and out).
  const n = (1 << 16) + 37;
  const a = special(n, 0), b = special(n, 7), s = fx.tensor(0.75);
  const prog = (a: fx.Tensor, b: fx.Tensor, s: fx.Tensor) => {
    const m = fx.greaterEqual(a, b);
    const c = fx.where(m, fx.sqrt(fx.abs(a)), fx.div(b, s));
    const d = fx.maximum(fx.minimum(fx.sub(c, 1.5), a), fx.neg(b));
    return [
      fx.add(fx.mul(fx.relu(d), s), fx.cast(m, "float32")),
      fx.notEqual(d, c),
      fx.round(fx.floor(d)),
    ];
  };
  const { PROGRAM_MIN } = await import("../../src/backend/cpu/wasm/program.ts");
  assert.ok(n > PROGRAM_MIN);
  await assertCompiledAgrees("outside a scope", prog, [a, b, s]);
  const inside = fx.scoped((a: fx.Tensor, b: fx.Tensor, s: fx.Tensor) => {
    const c = fx.compile(prog);
    const got = c(a, b, s), want = prog(a, b, s);
    got.forEach((t, i) => assert.deepEqual(t.dataSync(), want[i].dataSync(), `output ${i}`));
    return c.stats(a, b, s)!;
  });
  const st = inside(fx.add(a, 0), fx.add(b, 0), s);
  assert.ok(st.fusedPasses >= 1 && st.kernels < st.ops, JSON.stringify(st));
});

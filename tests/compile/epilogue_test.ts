/**
 * Epilogue fusion: elementwise ops reading a matmul or conv2d result run inside the product's
 * kernel on WebGPU (one dispatch for product, bias and activation), and as the product then a
 * fused pass on the CPU; results equal eager ones (bit-identical on the CPU). A product with
 * another use keeps its own output.
 */
import * as fx from "../../mod.ts";
import { noGpu, onGpu } from "../backend/webgpu/harness.ts";
import { assertCompiledAgrees } from "./agree.ts";
import assert from "node:assert/strict";

const normal = (seed: number, shape: number[]) => fx.random.normal(fx.random.key(seed), shape);
const CASES: [string, (...xs: fx.Tensor[]) => fx.Tensor, number[][]][] = [
  ["linear + bias + relu", (x, w, b) => fx.relu(fx.add(fx.matmul(x, w), b)), [[6, 5], [5, 7], [7]]],
  [
    "batched, broadcast operands, two extras",
    (x, w, b, s) => fx.tanh(fx.mul(fx.add(fx.matmul(x, w), b), s)),
    [[2, 3, 70, 9], [9, 66], [3, 1, 66], [70, 1]],
  ],
  [
    "relu's gradient mask",
    (g, w, h) => fx.where(fx.greater(h, 0), fx.matmul(g, w), 0),
    [[8, 4], [4, 6], [8, 6]],
  ],
  [
    "conv2d + channel bias + relu",
    (x, f, b) => fx.relu(fx.add(fx.conv2d(x, f, { padding: 1 }), fx.reshape(b, [4, 1, 1]))),
    [[2, 3, 7, 7], [4, 3, 3, 3], [4]],
  ],
  ["a long K (no split)", (x, w) => fx.sigmoid(fx.matmul(x, w)), [[2, 4096], [4096, 3]]],
];

for (const backend of ["cpu", "webgpu"] as const) {
  Deno.test({
    name: `products with fused epilogues equal eager ones on ${backend}`,
    ignore: backend === "webgpu" && noGpu,
    async fn() {
      for (const [what, f, shapes] of CASES) {
        let xs = shapes.map((s, i) => normal(i + 1, s));
        if (backend === "webgpu") xs = await onGpu(xs);
        const c = await assertCompiledAgrees(what, f, xs, { rtol: 1e-4, atol: 1e-5 });
        const g = c.fusedGraph(...xs)!;
        assert.deepEqual(
          g.nodes.filter((n) => !["input", "const", "reshape"].includes(n.op)).map((n) => n.op),
          ["epilogue"],
          `${what}: one kernel\n${g}`,
        );
        if (backend === "webgpu") {
          const d0 = fx.memory().webgpu!.dispatches;
          fx.dispose(c(...xs));
          assert.equal(fx.memory().webgpu!.dispatches - d0, 1, `${what}: one dispatch`);
        }
      }
    },
  });
}

Deno.test("a product with another use keeps its output; the chain reads it", async () => {
  const x = normal(1, [4, 5]), w = normal(2, [5, 3]);
  const f = (x: fx.Tensor, w: fx.Tensor) => {
    const y = fx.matmul(x, w);
    return [fx.relu(y), fx.sum(y)];
  };
  const c = await assertCompiledAgrees("two uses", f, [x, w]);
  assert.deepEqual(c.fusedGraph(x, w)!.nodes.map((n) => n.op), [
    "input",
    "input",
    "matmul",
    "relu",
    "sum",
  ]);
});

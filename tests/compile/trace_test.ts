/**
 * `trace`: the graph of a function, its text and Mermaid forms, constants, random samples and
 * the backward pass in it, the impurity errors, and the dead-code and common-subexpression
 * passes (checked by replaying the graph's ops and comparing with running the function).
 */
import * as fx from "../../mod.ts";
import { eliminateCommonSubexpressions, eliminateDeadCode } from "../../src/compile/passes.ts";
import { bind } from "../../src/autodiff/bind.ts";
import type { PrimName } from "../../src/core/primitives.ts";
import assert from "node:assert/strict";

/** Runs a graph of primitives (and constants) on `inputs`: an oracle for the passes. */
function replay(g: fx.Graph, inputs: fx.Tensor[]): fx.Tensor[] {
  const values: fx.Tensor[] = [];
  for (const n of g.nodes) {
    if (n.op === "input") values[n.id] = inputs[g.inputs.indexOf(n.id)];
    else if (n.op === "const") values[n.id] = n.value!;
    else values[n.id] = bind(n.op as PrimName, n.inputs.map((i) => values[i]), n.params as never);
  }
  return g.outputs.map((i) => values[i]);
}

Deno.test("trace records inputs, constants and primitive calls; prints text and Mermaid", () => {
  const w = fx.tensor([[1, -1], [2, 0]]);
  const g = fx.trace((x: fx.Tensor) => fx.relu(fx.matmul(x, w)), fx.tensor([[1, 2]]));
  assert.equal(
    g.toString(),
    [
      "graph: 1 inputs, 2 ops, 1 outputs",
      "  %0 = input arg0 : f32[1,2]",
      "  %1 = const 1 -1 2 0 : f32[2,2]",
      "  %2 = matmul(%0, %1) : f32[1,2]",
      "  %3 = relu(%2) : f32[1,2]",
      "  return %3",
    ].join("\n"),
  );
  const m = g.toMermaid();
  assert.match(m, /^flowchart TD\n/);
  assert.match(m, /n0 --> n2/);
  assert.match(m, /n1 --> n2/);
  assert.match(m, /n3 --> out0/);
});

Deno.test("trace labels pytree inputs and records a training step's backward pass", () => {
  const net = fx.nn.sequential({ fc: fx.nn.linear(3, 2) });
  const params = net.init(fx.random.key(0), [4, 3]).params;
  const x = fx.random.normal(fx.random.key(1), [4, 3]);
  const loss = (p: fx.nn.Params, xx: fx.Tensor) => fx.sum(fx.square(net.apply(p, xx)));
  const g = fx.trace((p: fx.nn.Params, xx: fx.Tensor) => fx.grad(loss)(p, xx), params, x);
  const labels = g.inputs.map((i) => g.nodes[i].label);
  assert.deepEqual(labels, ["arg0.fc.bias", "arg0.fc.weight", "arg1"]);
  const ops = g.nodes.map((n) => n.op);
  assert.ok(ops.includes("matmul") && ops.includes("transpose"), ops.join(" "));
  assert.equal(g.outputs.length, 2, "one gradient per parameter");
  // Replaying the recorded ops gives the gradients the function gives.
  const want = fx.tree.leaves(fx.grad(loss)(params, x));
  const got = replay(g, fx.tree.leaves([params, x]));
  want.forEach((t, i) => assert.deepEqual(got[i].dataSync(), t.dataSync()));
});

Deno.test("trace: random samples are nodes; reading data mid-trace is an error naming the call", () => {
  const g = fx.trace(
    (x: fx.Tensor) => fx.mul(x, fx.random.uniform(fx.random.key(3), [2])),
    fx.ones([2]),
  );
  const r = g.nodes.find((n) => n.op === "randomUniform");
  assert.ok(r, g.toString());
  const key = g.nodes[r.inputs[0]];
  assert.equal(key.op, "keyConst");
  assert.match(JSON.stringify(key.params), /Key\(0x/);
  assert.match(
    g.toString(),
    /= randomUniform\{dtype="float32", backend="cpu", shape=\[2\]\}\(%\d+\) : f32\[2\]/,
  );
  assert.throws(
    () => fx.trace((x: fx.Tensor) => (x.dataSync()[0] > 0 ? x : fx.neg(x)), fx.ones([2])),
    /trace: dataSync read the data of a float32 tensor \[2\] while tracing/,
  );
  assert.throws(() => fx.trace(42 as never), /trace: f must be a function/);
});

Deno.test("dead-code and common-subexpression elimination keep the results", () => {
  const f = (x: fx.Tensor, y: fx.Tensor) => {
    const unused = fx.exp(fx.mul(x, y)); // dead
    const a = fx.mul(fx.add(x, y), 2);
    const b = fx.mul(fx.add(x, y), 2); // the same as a
    void unused;
    return [fx.sub(a, b), fx.add(a, b)];
  };
  const x = fx.tensor([1, 2, 3]), y = fx.tensor([4, 5, 6]);
  const g = fx.trace(f, x, y);
  const dce = eliminateDeadCode(g);
  assert.ok(!dce.nodes.some((n) => n.op === "exp"), dce.toString());
  assert.equal(dce.opCount, g.opCount - 2);
  const cse = eliminateCommonSubexpressions(dce);
  assert.equal(cse.nodes.filter((n) => n.op === "add").length, 2, cse.toString()); // x+y, a+b
  assert.ok(cse.opCount < dce.opCount);
  const want = f(x, y).map((t) => t.dataSync());
  for (const h of [g, dce, cse]) {
    assert.deepEqual(replay(h, [x, y]).map((t) => t.dataSync()), want);
  }
});

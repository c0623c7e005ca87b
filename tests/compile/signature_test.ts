/**
 * What makes compile trace again, and what it refuses: plain values by value (-0, NaN and the
 * infinities apart), functions and other objects by identity, null-prototype objects as trees;
 * tensors inside class instances are errors (they would be frozen); nested compiled functions
 * join the outer trace; reads without await, and printing, while tracing; the retrace warning.
 */
import * as fx from "../../mod.ts";
import assert from "node:assert/strict";

const x = fx.tensor([1, -2]);

Deno.test("plain values are part of the signature by value; functions and objects by identity", () => {
  const div = fx.compile((t: fx.Tensor, c: number) => fx.div(t, c));
  for (const c of [0, -0, NaN, Infinity, -Infinity, 0]) {
    assert.deepEqual(div(x, c).dataSync(), fx.div(x, c).dataSync(), `c = ${c}`);
  }
  assert.equal(div.traces(), 5, "0, -0, NaN, Infinity, -Infinity");
  const apply = fx.compile((t: fx.Tensor, g: (t: fx.Tensor) => fx.Tensor) => g(t));
  const relu = (t: fx.Tensor) => fx.relu(t), neg = (t: fx.Tensor) => fx.neg(t);
  assert.deepEqual([...apply(x, relu).dataSync()], [1, 0]);
  assert.deepEqual([...apply(x, neg).dataSync()], [-1, 2], "another function is another trace");
  const nullProto = Object.assign(Object.create(null), { t: x });
  const f = fx.compile((o: { t: fx.Tensor }) => fx.mul(o.t, 2));
  assert.deepEqual([...f(nullProto).dataSync()], [2, -4]);
  const y = Object.assign(Object.create(null), { t: fx.tensor([5, 6]) });
  assert.deepEqual([...f(y).dataSync()], [10, 12], "a null-prototype object's tensors are inputs");
  assert.equal(f.traces(), 1);
});

Deno.test("tensors inside class instances or Maps are errors, in arguments and results", () => {
  class Batch {
    constructor(readonly t: fx.Tensor) {}
  }
  const f = fx.compile((b: Batch) => fx.neg(b.t));
  assert.throws(
    () => f(new Batch(x)),
    /compile: the argument at arg\[0\] is a Batch holding tensors; compile follows tensors through arrays and plain objects only/,
  );
  const g = fx.compile((t: fx.Tensor) => new Map([["y", fx.neg(t)]]));
  assert.throws(() => g(x), /compile: the result at out is a Map holding tensors/);
  // Plain values in results are fine (fixed for a signature).
  const h = fx.compile((t: fx.Tensor) => ({ y: fx.neg(t), label: "neg", n: 2 }));
  const r = h(x);
  assert.deepEqual([r.label, r.n, [...r.y.dataSync()]], ["neg", 2, [-1, 2]]);
});

Deno.test("a compiled function called inside another joins the outer trace", () => {
  const inner = fx.compile((t: fx.Tensor) => fx.exp(fx.neg(t)));
  const outer = fx.compile((t: fx.Tensor) => fx.add(inner(t), 1));
  assert.deepEqual(outer(x).dataSync(), fx.add(fx.exp(fx.neg(x)), 1).dataSync());
  assert.equal(inner.traces(), 0, "inlined into the outer trace");
  assert.deepEqual(inner(x).dataSync(), fx.exp(fx.neg(x)).dataSync());
});

Deno.test("reads without await and printing while tracing", () => {
  const item = fx.compile((t: fx.Tensor) => {
    void fx.sum(t).item();
    return t;
  });
  assert.throws(() => item(x), /trace: item read the data of a float32 tensor \[\]/);
  const array = fx.compile((t: fx.Tensor) => (void t.array(), t));
  assert.throws(() => array(x), /trace: array read the data/);
  let printed = "";
  const show = fx.compile((t: fx.Tensor) => {
    printed = String(fx.neg(t));
    return t;
  });
  show(x);
  assert.match(printed, /^Tensor\(\[2\] float32\) <traced: no values while tracing>$/);
});

Deno.test("a function that keeps retracing gets one warning naming what changed", () => {
  const warnings: string[] = [];
  const warn = console.warn;
  console.warn = (m: string) => warnings.push(m);
  try {
    const opt = fx.optim.sgd({ lr: 0.1 });
    const step = fx.compile(function sgdStep(g: fx.Tensor, s: unknown) {
      return opt.update(g, s as never)[1];
    });
    let s: unknown = opt.init(x);
    for (let i = 0; i < 12; i++) s = step(x, s);
    assert.equal(step.traces(), 12);
  } finally {
    console.warn = warn;
  }
  assert.equal(warnings.length, 1, warnings.join("\n"));
  assert.match(
    warnings[0],
    /compile: sgdStep has been traced for 8 signatures; plain values in its arguments change between calls: arg1\.count \(6 -> 7\)\. Each new value is a new trace \(an optimizer's step count: use optim\.capturable\(opt\)\)/,
  );
});

import assert from "node:assert/strict";
import type { Backend } from "../../src/backend/backend.ts";
import { Tensor } from "../../src/core/tensor.ts";
import {
  flatten,
  flattenWithPaths,
  leaves,
  map,
  type PyTree,
  structureEqual,
  type TreeDef,
  unflatten,
  zip,
} from "../../src/tree/tree.ts";

// A stand-in backend: these tests only need Tensor identity, never the elements' storage.
const fakeBackend = { name: "fake" } as unknown as Backend;

function t(...values: number[]): Tensor {
  return new Tensor(fakeBackend, new Float32Array(values), [values.length], "float32");
}

function value(x: Tensor): number[] {
  return [...(x.storage as Float32Array)];
}

/** A fake elementwise op so map has something to compute. */
function scale(x: Tensor, k: number): Tensor {
  return t(...value(x).map((v) => v * k));
}

function addT(a: Tensor, b: Tensor): Tensor {
  const vb = value(b);
  return t(...value(a).map((v, i) => v + vb[i]));
}

Deno.test("leaves: sorted keys regardless of insertion order, arrays by index", () => {
  const a = t(1), b = t(2), c = t(3), d = t(4);
  const one = { z: a, b: [c, d], a: b };
  const two = { a: b, b: [c, d], z: a };
  assert.deepEqual(leaves(one), [b, c, d, a]);
  assert.deepEqual(leaves(two), [b, c, d, a]);
  // Default JS string sort: "10" < "2", uppercase before lowercase.
  const x = { "2": a, "10": b, B: c, a: d };
  assert.deepEqual(leaves(x), [b, a, c, d]);
  assert.deepEqual(leaves(a), [a]);
  assert.deepEqual(leaves(3), []);
  assert.deepEqual(leaves(null), []);
});

Deno.test("flatten/unflatten: round trip with static data, nesting and empty containers", () => {
  const w = t(1, 2), bias = t(3), e = t(4);
  const tree = {
    fc1: { weight: w, bias },
    layers: [[e, 7], [], {}],
    meta: { name: "mlp", n: 3, flag: true, none: null, missing: undefined },
  };
  const [ls, def] = flatten(tree);
  assert.deepEqual(ls, [bias, w, e]);
  assert.equal(def.numLeaves, 3);
  const back = unflatten(def, ls);
  assert.deepEqual(back, tree);
  assert.notEqual(back, tree);
  assert.notEqual(back.fc1, tree.fc1);
  assert.ok("missing" in back.meta);
  assert.equal(back.fc1.weight, w);
  assert.equal(
    def.toString(),
    `{fc1: {bias: *, weight: *}, layers: [[*, 7], [], {}], ` +
      `meta: {flag: true, missing: undefined, n: 3, name: "mlp", none: null}}`,
  );
  // Refill with new leaves.
  const n1 = t(10), n2 = t(20), n3 = t(30);
  const refilled = unflatten(def, [n1, n2, n3]);
  assert.equal(refilled.fc1.bias, n1);
  assert.equal(refilled.fc1.weight, n2);
  assert.equal((refilled.layers[0] as unknown[])[0], n3);
  assert.equal(refilled.meta.name, "mlp");
});

Deno.test("flatten/unflatten: bare leaf, bare static, empty tree, class instances as static", () => {
  const a = t(1);
  const [l1, d1] = flatten(a);
  assert.deepEqual(l1, [a]);
  assert.equal(unflatten(d1, [a]), a);
  assert.equal(d1.toString(), "*");

  const [l2, d2] = flatten(5);
  assert.deepEqual(l2, []);
  assert.equal(unflatten(d2, []), 5);

  const [l3, d3] = flatten({});
  assert.deepEqual(l3, []);
  assert.deepEqual(unflatten(d3, []), {});
  assert.equal(d3.toString(), "{}");

  const date = new Date(0);
  const typed = new Float32Array([1, 2]);
  const [l4, d4] = flatten({ date, typed, f: Math.max, x: a });
  assert.deepEqual(l4, [a]);
  const back = unflatten(d4, l4);
  assert.equal(back.date, date);
  assert.equal(back.typed, typed);
  assert.equal(d4.toString(), "{date: <Date>, f: <function max>, typed: <Float32Array>, x: *}");
});

Deno.test("flatten: null-prototype objects are containers and keep a null prototype", () => {
  const a = t(1);
  const o = Object.create(null) as Record<string, Tensor>;
  o.k = a;
  const [ls, def] = flatten(o);
  assert.deepEqual(ls, [a]);
  const back = unflatten(def, ls) as Record<string, Tensor>;
  assert.equal(Object.getPrototypeOf(back), null);
  assert.equal(back.k, a);
});

Deno.test("flatten: a key named __proto__ round-trips as an own property", () => {
  const a = t(1);
  const o = JSON.parse('{"__proto__": 1}') as Record<string, unknown>;
  o.w = a;
  const [ls, def] = flatten(o);
  const back = unflatten(def, ls) as Record<string, unknown>;
  assert.equal(Object.getPrototypeOf(back), Object.prototype);
  assert.ok(Object.hasOwn(back, "__proto__"));
  assert.equal(back.w, a);
});

Deno.test("flatten: cycles are reported, shared subtrees are fine", () => {
  const a = t(1);
  const shared = { w: a };
  assert.deepEqual(leaves({ x: shared, y: shared }), [a, a]);
  const cyc: Record<string, unknown> = { w: a };
  cyc.self = { again: cyc };
  assert.throws(() => flatten(cyc), /tree\.flatten: the tree contains itself at "self\.again"/);
  assert.throws(() => map((x) => x, cyc), /tree\.map: the tree contains itself/);
  assert.throws(() => structureEqual(cyc, cyc), /contains itself/);
});

Deno.test("unflatten: wrong leaf count names tree.unflatten and both counts", () => {
  const [, def] = flatten({ a: t(1), b: t(2) });
  assert.throws(() => unflatten(def, [t(1)]), (e: unknown) => {
    assert.ok(e instanceof Error);
    assert.match(e.message, /tree\.unflatten/);
    assert.match(e.message, /expected 2 leaves/);
    assert.match(e.message, /got 1/);
    return true;
  });
  assert.throws(() => unflatten(def, [t(1), t(2), t(3)]), /expected 2 leaves.*got 3/);
  assert.throws(
    () => unflatten({ numLeaves: 0 } as unknown as TreeDef, []),
    /tree\.unflatten: def must be a TreeDef/,
  );
});

Deno.test("map: one tree keeps structure, static data and type; inputs untouched", () => {
  const params = { fc1: { weight: t(1, 2), bias: t(3) }, act: "relu", layers: [t(4), null] };
  const doubled = map((x) => scale(x, 2), params);
  assert.deepEqual(value(doubled.fc1.weight), [2, 4]);
  assert.deepEqual(value(doubled.fc1.bias), [6]);
  assert.equal(doubled.act, "relu");
  assert.deepEqual(value(doubled.layers[0] as Tensor), [8]);
  assert.equal(doubled.layers[1], null);
  assert.deepEqual(value(params.fc1.weight), [1, 2]);
  assert.ok(structureEqual(doubled, params));
});

Deno.test("map: over two trees pairs corresponding leaves (insertion order irrelevant)", () => {
  const params = { w: t(1, 2), b: t(3) };
  const grads = { b: t(30), w: t(10, 20) };
  const sum = map((p, g) => addT(p, g), params, grads);
  assert.deepEqual(value(sum.w), [11, 22]);
  assert.deepEqual(value(sum.b), [33]);
  // Three trees; fn sees one leaf from each.
  const third = { w: t(0, 0), b: t(0) };
  const counts: number[] = [];
  map(
    (...xs) => {
      counts.push(xs.length);
      return xs[0];
    },
    params,
    grads,
    third,
  );
  assert.deepEqual(counts, [3, 3]);
});

Deno.test("map: mismatched structures name tree.map and the path where they differ", () => {
  const a = { fc1: { weight: t(1), bias: t(2) }, layers: [t(3), t(4)] };
  const leafVsObject = { fc1: { weight: { x: t(1) }, bias: t(2) }, layers: [t(3), t(4)] };
  assert.throws(() => map(addT, a, leafVsObject as unknown as typeof a), (e: unknown) => {
    assert.ok(e instanceof Error);
    assert.match(e.message, /^tree\.map: /);
    assert.match(e.message, /at "fc1\.weight"/);
    assert.match(e.message, /expected a Tensor \[1\] float32, got an object with keys \[x\]/);
    return true;
  });
  const missingKey = { fc1: { weight: t(1) }, layers: [t(3), t(4)] };
  assert.throws(
    () => map(addT, a, missingKey as unknown as typeof a),
    /tree\.map: tree 1 differs from tree 0 at "fc1": .*\(missing bias\)/,
  );
  const extraKey = { fc1: { weight: t(1), bias: t(2), scale: t(1) }, layers: [t(3), t(4)] };
  assert.throws(() => map(addT, a, extraKey), /at "fc1": .*\(extra scale\)/);
  const shortArray = { fc1: { weight: t(1), bias: t(2) }, layers: [t(3)] };
  assert.throws(
    () => map(addT, a, shortArray),
    /at "layers": expected an array of length 2, got an array of length 1/,
  );
  const staticVsLeaf = { fc1: { weight: t(1), bias: t(2) }, layers: [t(3), 4] };
  assert.throws(
    () => map(addT, a, staticVsLeaf as unknown as typeof a),
    /at "layers\.1": expected a Tensor \[1\] float32, got static data \(4\)/,
  );
  assert.throws(() => map(addT, t(1), [t(1)] as unknown as Tensor), /at the root/);
});

Deno.test("zip: corresponding leaves in tree order, structure checked", () => {
  const a = { y: t(2), x: t(1) };
  const b = { x: t(3), y: t(4) };
  const z = zip(a, b);
  assert.deepEqual(z, [[a.x, b.x], [a.y, b.y]]);
  assert.deepEqual(zip(a), [[a.x], [a.y]]);
  assert.deepEqual(zip(), []);
  assert.throws(
    () => zip(a, { x: t(1) }),
    /^Error: tree\.zip: tree 1 differs from tree 0 at the root/,
  );
});

Deno.test("flattenWithPaths: dotted state_dict-style names", () => {
  const w1 = t(1), b1 = t(2), w0 = t(3), b0 = t(4), s = t(5);
  const params = {
    fc1: { weight: w1, bias: b1 },
    layers: [{ weight: w0, bias: b0 }, "static"],
    scale: s,
    note: 3,
  };
  assert.deepEqual(flattenWithPaths(params), [
    ["fc1.bias", b1],
    ["fc1.weight", w1],
    ["layers.0.bias", b0],
    ["layers.0.weight", w0],
    ["scale", s],
  ]);
  assert.deepEqual(flattenWithPaths(s), [["", s]]);
  assert.deepEqual(flattenWithPaths([[s]]), [["0.0", s]]);
  assert.deepEqual(flattenWithPaths({}), []);
});

Deno.test("structureEqual: containers and leaf positions, not static values or shapes", () => {
  const a = { w: t(1), xs: [t(2), 3], n: null };
  assert.equal(structureEqual(a, { n: null, xs: [t(5, 6), 4], w: t(0) }), true);
  assert.equal(structureEqual(a, { w: t(1), xs: [t(2), t(3)], n: null }), false);
  assert.equal(structureEqual(a, { w: t(1), xs: [t(2)], n: null }), false);
  assert.equal(structureEqual(a, { w: t(1), xs: [t(2), 3] }), false);
  assert.equal(structureEqual(a, { w: [t(1)], xs: [t(2), 3], n: null }), false);
  assert.equal(structureEqual([], {}), false);
  assert.equal(structureEqual([], []), true);
  assert.equal(structureEqual(1, "x"), true);
  assert.equal(structureEqual(t(1), 1), false);
});

Deno.test("types: map and unflatten keep the tree's type", () => {
  interface Params {
    w: Tensor;
    b: Tensor;
  }
  const p: Params = { w: t(1), b: t(2) };
  const q: Params = map((x) => scale(x, 3), p);
  const [ls, def] = flatten(p);
  const r: Params = unflatten(def, ls);
  const generic: PyTree = unflatten(flatten<PyTree>({ a: t(1) })[1], [t(2)]);
  assert.deepEqual(value(q.w), [3]);
  assert.equal(r.b, p.b);
  assert.ok(generic !== undefined);
});

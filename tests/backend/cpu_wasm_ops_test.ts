/**
 * The CPU backend's WebAssembly kernels for elementwise ops, sums and max pooling, against the
 * TypeScript kernels as oracle: the same ops in float64 (TypeScript loops), rounded to float32.
 * Each elementwise op here is one correctly rounded IEEE operation, so float32 results must
 * equal the rounded float64 ones bit for bit, NaN, infinities and signed zeros included; sums
 * (float64 accumulators in both) agree to float32 rounding. Also: tensors live in the
 * WebAssembly heap and are returned to it, so training keeps its heap use flat.
 */
import * as fx from "../../mod.ts";
import { heapAddress, heapStats, setStorageLimit } from "../../src/backend/cpu/wasm/heap.ts";
import { uniformBits } from "../../src/backend/threefry.ts";
import { mulberry32 } from "../test_rng.ts";
import assert from "node:assert/strict";

/** float32 values with NaN, ±Infinity, ±0, ties for rounding and repeats mixed in. */
function values(n: number, seed: number): Float32Array {
  const u = mulberry32(seed);
  const special = [NaN, Infinity, -Infinity, 0, -0, 2.5, -3.5, 1e-30, 7];
  return Float32Array.from({ length: n }, () => {
    const r = u();
    return r < 0.08 ? special[Math.floor(u() * special.length)] : (u() - 0.5) * 20;
  });
}

const t32 = (shape: number[], seed: number) =>
  fx.tensor(values(shape.reduce((a, b) => a * b, 1), seed), { shape });
const as64 = (t: fx.Tensor) => fx.cast(t, "float64");

/** Bitwise equality of float32 results (any NaN equals any NaN). */
function sameBits(got: fx.Tensor, want: fx.Tensor, what: string): void {
  assert.deepEqual(got.shape, want.shape, what);
  const g = got.dataSync() as Float32Array;
  const w = fx.cast(want, "float32").dataSync() as Float32Array;
  for (let i = 0; i < g.length; i++) {
    const same = Object.is(g[i], w[i]) || (Number.isNaN(g[i]) && Number.isNaN(w[i]));
    assert.ok(same, `${what}: element ${i} is ${g[i]}, expected ${w[i]}`);
  }
}

/**
 * A test whose tensors live in the wasm heap (made inside a scope, as in a training step), so the
 * WebAssembly kernels run on them in place.
 */
function heapTest(name: string, fn: () => void): void {
  Deno.test(name, () => fx.scoped(fn)());
}

const SHAPES: [number[], number[]][] = [
  [[37, 41], [37, 41]], // equal shapes, lengths not multiples of 4 or 16
  [[37, 41], [37, 1]], // broadcast rows
  [[1, 41], [37, 41]], // broadcast columns
  [[3, 5, 33], [33]], // a bias
  [[64, 19], []], // a scalar
  [[], [70]],
];

heapTest("wasm binary ops equal float64 rounded to float32, broadcasting included", () => {
  const ops = {
    add: fx.add,
    sub: fx.sub,
    mul: fx.mul,
    div: fx.div,
    maximum: fx.maximum,
    minimum: fx.minimum,
  };
  let seed = 1;
  for (const [sa, sb] of SHAPES) {
    const a = t32(sa, seed++), b = t32(sb, seed++);
    assert.ok(heapAddress(a.storage as Float32Array) >= 0, "tensors live in the wasm heap");
    for (const [name, op] of Object.entries(ops)) {
      sameBits(op(a, b), op(as64(a), as64(b)), `${name} ${sa} ${sb}`);
    }
  }
});

heapTest("wasm comparisons and where equal the float64 results", () => {
  const ops = {
    equal: fx.equal,
    notEqual: fx.notEqual,
    greater: fx.greater,
    greaterEqual: fx.greaterEqual,
    less: fx.less,
    lessEqual: fx.lessEqual,
  };
  let seed = 50;
  for (const [sa, sb] of SHAPES) {
    // Few distinct values, so equal pairs occur.
    const a = fx.floor(fx.mul(t32(sa, seed++), 0.2)), b = fx.floor(fx.mul(t32(sb, seed++), 0.2));
    for (const [name, op] of Object.entries(ops)) {
      assert.deepEqual(op(a, b).dataSync(), op(as64(a), as64(b)).dataSync(), `${name} ${sa} ${sb}`);
    }
  }
  const c = fx.greater(t32([45, 7], 60), 0);
  const [x, y] = [t32([45, 7], 61), t32([45, 7], 62)];
  sameBits(fx.where(c, x, y), fx.where(c, as64(x), as64(y)), "where");
});

heapTest("wasm unary ops equal float64 rounded to float32", () => {
  const x = t32([1001], 70);
  const ops = {
    neg: fx.neg,
    abs: fx.abs,
    sqrt: fx.sqrt,
    relu: fx.relu,
    floor: fx.floor,
    ceil: fx.ceil,
    round: fx.round,
  };
  for (const [name, op] of Object.entries(ops)) sameBits(op(x), op(as64(x)), name);
});

heapTest(
  "wasm sums over suffix, prefix, middle and both-ends axes equal float64 bit for bit",
  () => {
    // The same float64 sums in the same order, rounded once: float32 results equal float64's rounded.
    const x = fx.random.normal(fx.random.key(3), [6, 5, 7, 9]);
    for (const axes of [[3], [2, 3], [0], [0, 1], [1], [1, 2], [0, 2, 3], [0, 3], [0, 1, 2, 3]]) {
      sameBits(fx.sum(x, { axis: axes }), fx.sum(as64(x), { axis: axes }), `sum over ${axes}`);
    }
    // Cancellation exposes the order of the sums: both kernels add in the same order.
    for (const n of [63, 64, 65]) {
      const v = new Float32Array(n);
      v.set([1e30, 1, -1e30]);
      const t = fx.tensor(v);
      sameBits(fx.sum(t), fx.sum(as64(t)), `cancelling sum of ${n}`);
    }
  },
);

heapTest("wasm maximum and minimum pick as the TypeScript kernels do (signed zeros, NaN)", () => {
  const n = 40; // long enough for the SIMD loop
  const a = Float32Array.from({ length: n }, (_, i) => [0, -0, NaN, 1][i % 4]);
  const b = Float32Array.from({ length: n }, (_, i) => [-0, 0, 2, NaN][i % 4]);
  const [x, y] = [fx.tensor(a), fx.tensor(b)];
  for (const op of [fx.maximum, fx.minimum]) {
    sameBits(op(x, y), op(as64(x), as64(y)), op.name);
    sameBits(op(y, x), op(as64(y), as64(x)), `${op.name} swapped`);
  }
});

heapTest(
  "wasm max pooling picks the TypeScript kernel's winners (ties, NaN, padding, stride)",
  () => {
    // Few distinct values make ties; NaN windows must win with their first NaN.
    const x = fx.floor(fx.mul(t32([2, 3, 13, 11], 80), 0.3));
    const y = fx.floor(fx.mul(t32([2, 3, 16, 24], 81), 0.3)); // 2 x 2 windows, whole vectors
    const cases: [fx.Tensor, number, object][] = [
      [x, 3, {}],
      [x, 3, { stride: 1 }],
      [x, 3, { padding: 1 }],
      [x, 3, { stride: [3, 2], padding: [1, 0] }],
      [x, 2, {}], // the 2 x 2 fast path, with an odd edge column and row
      [y, 2, {}],
      [y, 2, { padding: 1 }],
    ];
    for (const [input, k, opts] of cases) {
      const x = input;
      const f = (t: fx.Tensor) => fx.maxPool2d(t, k, opts as fx.Pool2dOptions);
      sameBits(f(x), f(as64(x)), `maxPool2d ${JSON.stringify(opts)}`);
      const g = fx.random.normal(fx.random.key(4), f(x).shape);
      const dx = fx.grad((t: fx.Tensor) => fx.sum(fx.mul(f(t), fx.cast(g, t.dtype))));
      // The same winners get the gradient; overlapping windows add in float32 there.
      const got = dx(x).dataSync(), want = dx(as64(x)).dataSync();
      for (let i = 0; i < got.length; i++) {
        assert.equal(got[i] === 0, want[i] === 0, `gradient ${JSON.stringify(opts)}: winner ${i}`);
        assert.ok(Math.abs(got[i] - want[i]) <= 1e-6 * (1 + Math.abs(want[i])), `gradient ${i}`);
      }
    }
  },
);

Deno.test("training returns tensors to the wasm heap: its use stays flat over steps", () => {
  const net = fx.nn.sequential({
    fc1: fx.nn.linear(64, 32),
    act: fx.nn.relu(),
    fc2: fx.nn.linear(32, 10),
  });
  const x = fx.random.normal(fx.random.key(5), [128, 64]);
  const y = fx.random.randint(fx.random.key(6), [128], 0, 10);
  const opt = fx.optim.adam({ lr: 1e-2 });
  const step = fx.scoped((p: fx.nn.Params, s: ReturnType<typeof opt.init>) => {
    const [l, g] = fx.valueAndGrad((q: fx.nn.Params) => fx.losses.crossEntropy(net.apply(q, x), y))(
      p,
    );
    const [u, s2] = opt.update(g, s, p);
    return { params: fx.optim.applyUpdates(p, u), state: s2, loss: l };
  }, { donate: [0, 1] });
  let params = net.init(fx.random.key(7), [128, 64]).params;
  let state = opt.init(params);
  const used: number[] = [];
  let first = 0, last = 0;
  for (let i = 0; i < 60; i++) {
    const r = step(params, state);
    params = r.params;
    state = r.state;
    if (i === 0) first = r.loss.dataSync()[0];
    last = r.loss.dataSync()[0];
    fx.dispose(r.loss);
    used.push(fx.memory().cpu!.heapInUseBytes);
  }
  assert.ok(last < first, `the loss falls (${first} -> ${last})`);
  assert.equal(
    used[59],
    used[9],
    `heap bytes in use after step 10 and step 60: ${used[9]}, ${used[59]}`,
  );
  const m = fx.memory().cpu!;
  assert.ok(m.heapInUseBytes > 0 && m.heapReservedBytes >= m.heapInUseBytes);
  assert.ok(m.heapPeakInUseBytes >= m.heapInUseBytes && heapStats().peakUsedBytes > 0);
});

heapTest(
  "wasm transposes of the last two axes and broadcast where equal the float64 results",
  () => {
    for (const shape of [[37, 41], [3, 9, 5], [2, 1, 4, 8], [64, 3]]) {
      const x = t32(shape, shape.length * 7);
      const r = shape.length;
      const perm = [...Array(r).keys()].map((i) => (i === r - 2 ? r - 1 : i === r - 1 ? r - 2 : i));
      sameBits(fx.transpose(x, perm), fx.transpose(as64(x), perm), `transpose ${shape}`);
    }
    const c = fx.greater(t32([6, 35], 90), 0);
    const x = t32([6, 35], 91);
    for (const other of [fx.zeros([]), t32([35], 92), t32([6, 1], 93)]) {
      sameBits(fx.where(c, x, other), fx.where(c, as64(x), as64(other)), `where ${other.shape}`);
      sameBits(fx.where(c, other, x), fx.where(c, as64(other), as64(x)), `where ${other.shape}'`);
    }
  },
);

heapTest(
  "wasm scatterAdd (repeated indices, any axis) matches float64 and names a bad index",
  () => {
    const base = t32([4, 9, 3], 100);
    const u = mulberry32(101);
    for (const axis of [0, 1, 2]) {
      const shape = [4, 9, 3];
      shape[axis] = 5;
      const n = [4, 9, 3][axis];
      const size = shape[0] * shape[1] * shape[2];
      const idx = fx.tensor(Int32Array.from({ length: size }, () => Math.floor(u() * 2 * n) - n), {
        shape,
      });
      const upd = fx.random.normal(fx.random.key(axis), shape);
      const got = fx.scatterAdd(base, idx, upd, axis).dataSync();
      const want = fx.scatterAdd(as64(base), idx, as64(upd), axis).dataSync();
      for (let i = 0; i < got.length; i++) {
        const ok = Object.is(got[i], want[i]) || Number.isNaN(got[i]) && Number.isNaN(want[i]) ||
          Math.abs(got[i] - want[i]) <= 1e-6 * (1 + Math.abs(want[i]));
        assert.ok(ok, `axis ${axis}: ${i} ${got[i]} vs ${want[i]}`);
      }
    }
    const bad = fx.tensor([[0, 1, 9]], { dtype: "int32" });
    assert.throws(
      () => fx.scatterAdd(fx.zeros([1, 4]), bad, fx.ones([1, 3]), 1),
      /scatterAdd: index 9 is out of range/,
    );
  },
);

heapTest("wasm 2 x 2 max pooling: the first maximum in window order wins, or the first NaN", () => {
  const x = fx.reshape(
    fx.tensor([
      [NaN, 1, 3, 3, 5, NaN, -1, -2],
      [NaN, 2, 1, 3, NaN, 9, -3, -1],
    ]),
    [1, 1, 2, 8],
  );
  const y = fx.maxPool2d(x, 2).dataSync();
  assert.ok(Number.isNaN(y[0]) && Number.isNaN(y[2]));
  assert.deepEqual([y[1], y[3]], [3, -1]);
  const dx = fx.grad((t: fx.Tensor) => fx.sum(fx.maxPool2d(t, 2)))(x).dataSync();
  const winners = [...dx.keys()].filter((i) => dx[i] !== 0);
  assert.deepEqual(winners, [0, 2, 5, 6], "flat positions of the winners");
});

heapTest("wasm uniform numbers are the Threefry bits of the TypeScript generator", () => {
  for (const n of [1, 2, 3, 7, 8, 9, 16, 1001, 4096 * 2 + 5]) {
    for (const key of [[0, 0], [0x12345678, 0x9abcdef0], [0xffffffff, 1]] as [number, number][]) {
      const got = fx.random.uniform(new fx.random.Key(key), [n]);
      assert.ok(heapAddress(got.storage as Float32Array) >= 0);
      const want = new Float32Array(n);
      uniformBits(key, want);
      assert.deepEqual(got.dataSync(), want, `n ${n} key ${key}`);
    }
  }
});

heapTest("transposing back a transpose reuses the original storage only while it is live", () => {
  const w = fx.random.normal(fx.random.key(20), [40, 24]);
  const wt = fx.transpose(w, [1, 0]);
  const back = fx.transpose(wt, [1, 0]);
  assert.equal(back.storage, w.storage, "the original storage, not a copy");
  assert.deepEqual(back.dataSync(), w.dataSync());
  // Once every tensor holding the original is released, its block may be reused: a fresh copy.
  const v = fx.random.normal(fx.random.key(21), [40, 24]);
  const vt = fx.transpose(v, [1, 0]);
  const want = v.dataSync();
  fx.dispose(v);
  fx.random.normal(fx.random.key(22), [40, 24]); // may take v's block
  const again = fx.transpose(vt, [1, 0]);
  assert.deepEqual(again.dataSync(), want);
});

heapTest("wasm elementwise rows long enough to split between threads equal float64", () => {
  const shape = [513, 521]; // 267,273 elements: past the split threshold, not a multiple of 16
  const a = t32(shape, 200), b = t32(shape, 201);
  sameBits(fx.add(a, b), fx.add(as64(a), as64(b)), "add");
  sameBits(fx.mul(a, 3), fx.mul(as64(a), 3), "mul by a number");
  sameBits(fx.relu(a), fx.relu(as64(a)), "relu");
  const m = fx.greater(a, 0);
  const got = m.dataSync(), want = fx.greater(as64(a), 0).dataSync();
  const bad = got.findIndex((v, i) => v !== want[i]);
  assert.equal(bad, -1, `greater: element ${bad}`);
  sameBits(fx.where(m, b, 0), fx.where(m, as64(b), 0), "where");
});

heapTest("wasm average pooling and its gradient equal the float64 results bit for bit", () => {
  const cases: [number[], number, fx.Pool2dOptions][] = [
    [[2, 3, 13, 11], 3, {}],
    [[2, 3, 13, 11], 3, { stride: 1, padding: 1 }],
    [[2, 3, 13, 11], 3, { stride: 2, padding: 1, countIncludePad: false }],
    [[8, 32, 32, 32], 3, { stride: 1, padding: 1 }], // split between threads
  ];
  let seed = 300;
  for (const [shape, k, opts] of cases) {
    const x = fx.random.normal(fx.random.key(seed++), shape);
    const f = (t: fx.Tensor) => fx.avgPool2d(t, k, opts);
    sameBits(f(x), f(as64(x)), `avgPool2d ${shape} ${JSON.stringify(opts)}`);
    const g = fx.random.normal(fx.random.key(seed++), f(x).shape);
    const dx = fx.grad((t: fx.Tensor) => fx.sum(fx.mul(f(t), fx.cast(g, t.dtype))));
    sameBits(dx(x), dx(as64(x)), `avgPool2d gradient ${shape} ${JSON.stringify(opts)}`);
  }
});

heapTest(
  "the transpose memo does not apply to a reshape of a transpose (values and gradients)",
  () => {
    // 1024 elements, so the storage lives in the wasm heap with the memo in play.
    const a = fx.reshape(fx.arange(0, 1024, 1, { dtype: "float32" }), [32, 32]);
    const u = fx.transpose(fx.reshape(fx.transpose(a, [1, 0]), [16, 64]), [1, 0]);
    const u64 = fx.transpose(fx.reshape(fx.transpose(as64(a), [1, 0]), [16, 64]), [1, 0]);
    sameBits(u, u64, "transpose(reshape(transpose(a)))");
    // An [N, C, L] -> [N, L, C] -> flatten -> linear pattern: the weight gradient takes mT(a).
    const x = fx.reshape(fx.arange(0, 2 * 24 * 16, 1, { dtype: "float32" }), [2, 24, 16]);
    const loss = (w: fx.Tensor, xx: fx.Tensor) =>
      fx.sum(fx.matmul(fx.reshape(fx.transpose(xx, [0, 2, 1]), [32, 24]), w));
    const w = fx.full([24, 5], 0.5);
    sameBits(fx.grad(loss)(w, x), fx.grad(loss)(as64(w), as64(x)), "weight gradient");
  },
);

Deno.test("storage lives in the wasm heap inside scopes only; past its limit, typed arrays with the same results", () => {
  const a = fx.random.normal(fx.random.key(30), [64, 96]);
  const b = fx.random.normal(fx.random.key(31), [96, 80]);
  // Outside any scope: ordinary typed arrays, which the garbage collector frees.
  assert.equal(heapAddress(fx.matmul(a, b).storage as Float32Array), -1);
  const before = fx.memory().cpu!.heapInUseBytes;
  for (let i = 0; i < 50; i++) fx.relu(fx.matmul(a, b)); // never disposed
  assert.equal(fx.memory().cpu!.heapInUseBytes, before, "nothing left in the heap");
  // Inside a scope: the heap, released when the scope ends.
  const inside = fx.scoped(() => {
    const y = fx.matmul(a, b);
    assert.ok(heapAddress(y.storage as Float32Array) >= 0);
    return fx.relu(y).dataSync();
  })();
  // Past the storage limit, a scope's tensors are typed arrays too, with the same results.
  const previous = setStorageLimit(0);
  try {
    const outside = fx.scoped(() => {
      const y = fx.matmul(a, b);
      assert.equal(heapAddress(y.storage as Float32Array), -1);
      return fx.relu(y).dataSync();
    })();
    assert.deepEqual(outside, inside);
  } finally {
    setStorageLimit(previous);
  }
});

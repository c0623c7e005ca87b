/**
 * The CPU backend's WebAssembly SIMD kernels (`wasm/*.c`): the generated module is built from
 * the current sources; the matrix product matches a float64 reference on edge sizes (1, primes,
 * non-multiples of the 4x8 register block, long K, strided A), on operands inside and outside
 * the WebAssembly heap, alone and through `matmul`; convolutions and their gradients match
 * float64, split across threads or not.
 */
import * as fx from "../../mod.ts";
import { sgemm } from "../../src/backend/cpu/wasm/gemm.ts";
import { heapArray, wasmHeap } from "../../src/backend/cpu/wasm/heap.ts";
import { sourceHash } from "../../src/backend/cpu/wasm/kernels_wasm.ts";
import { sourcesHash } from "../../tools/build_wasm.ts";
import { rng } from "../test_rng.ts";
import assert from "node:assert/strict";

Deno.test("the generated WebAssembly module is built from wasm/*.c as they are now", async () => {
  assert.equal(await sourcesHash(), sourceHash, "run `deno task wasm` (needs clang and lld)");
});

/** A Float32Array of `n` elements in the WebAssembly heap (`inHeap`) or on the JS heap. */
function array(n: number, inHeap: boolean): Float32Array {
  return (inHeap ? heapArray(Float32Array, Math.max(n, 256)) : undefined) ??
    new Float32Array(n);
}

function check(m: number, n: number, k: number, transposed: boolean, seed: number): void {
  const r = rng(seed);
  const inHeap = seed % 3 !== 0;
  const a = array(m * k, inHeap);
  a.set(Float32Array.from({ length: m * k }, r));
  const b = array(k * n, inHeap);
  b.set(Float32Array.from({ length: k * n }, r));
  // A is [m, k]; stored transposed ([k, m]) it is read with aRow = 1, aCol = m.
  const aRow = transposed ? 1 : k, aCol = transposed ? m : 1;
  const c = array(m * n + 3, inHeap).fill(7); // a margin that must stay untouched
  assert.ok(sgemm(m, n, k, a, 0, aRow, aCol, b, 0, c, 1));
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0, scale = 0;
      for (let t = 0; t < k; t++) {
        const p = a[i * aRow + t * aCol] * b[t * n + j];
        s += p;
        scale += Math.abs(p);
      }
      const got = c[1 + i * n + j];
      assert.ok(
        Math.abs(got - s) <= 1e-6 * scale + 1e-30,
        `${m}x${k}x${n}${transposed ? " (A transposed)" : ""}: [${i},${j}] ${got} vs ${s}`,
      );
    }
  }
  assert.equal(c[0], 7, "nothing written before the output");
  assert.equal(c[1 + m * n], 7, "nothing written after the output");
}

Deno.test("wasm sgemm matches a float64 reference on edge sizes and strided A", () => {
  assert.ok(wasmHeap(), "WebAssembly SIMD and shared memory are available in Deno");
  const sizes = [1, 2, 3, 4, 5, 7, 8, 9, 13, 16, 17, 31, 33];
  let seed = 1;
  for (const m of sizes) {
    for (const n of [1, 3, 4, 7, 8, 12, 17, 33]) {
      check(m, n, sizes[seed % sizes.length], seed % 2 === 0, seed++);
    }
  }
  check(5, 9, 2003, false, 99); // long K
  check(37, 41, 300, true, 100);
});

Deno.test("float32 matmul (batched, broadcast) through wasm agrees with float64 matmul", () => {
  const a = fx.random.normal(fx.random.key(1), [3, 1, 19, 67]);
  const b = fx.random.normal(fx.random.key(2), [4, 67, 21]);
  const got = fx.matmul(a, b);
  const ref = fx.matmul(fx.cast(a, "float64"), fx.cast(b, "float64"));
  assert.deepEqual(got.shape, [3, 4, 19, 21]);
  const g = got.dataSync(), e = ref.dataSync();
  for (let i = 0; i < g.length; i++) {
    assert.ok(Math.abs(g[i] - e[i]) <= 1e-4 * (1 + Math.abs(e[i])), `${i}: ${g[i]} vs ${e[i]}`);
  }
});

Deno.test("float32 conv2d and both gradients through wasm agree with float64 (stride, padding, dilation, groups, Winograd)", () => {
  const cases: [number[], number[], fx.Conv2dOptions][] = [
    [[2, 3, 9, 8], [4, 3, 3, 3], {}],
    [[1, 4, 11, 10], [6, 2, 3, 2], { stride: 2, padding: [1, 0, 2, 1], groups: 2 }],
    [[2, 2, 12, 12], [3, 2, 3, 3], { dilation: 2, padding: 1 }],
    [[1, 6, 7, 7], [6, 1, 3, 3], { groups: 6, padding: "same" }],
    // Winograd F(2x2, 3x3): 16+ channels, stride 1; odd output sizes and uneven padding.
    [[2, 16, 9, 10], [16, 16, 3, 3], { padding: 1 }],
    [[1, 20, 7, 8], [24, 20, 3, 3], {}],
    [[2, 17, 6, 9], [16, 17, 3, 3], { padding: [1, 0, 2, 1] }],
    [[1, 16, 5, 5], [32, 16, 3, 3], { padding: "same" }],
    // Wide enough for four tiles per SIMD step, inside and at the padded edges.
    [[2, 16, 12, 21], [16, 16, 3, 3], {}],
    [[1, 16, 11, 23], [20, 16, 3, 3], { padding: 1 }],
  ];
  let seed = 5;
  for (const [xs, ws, opts] of cases) {
    const x = fx.random.normal(fx.random.key(seed++), xs);
    const w = fx.random.normal(fx.random.key(seed++), ws);
    const f = (a: fx.Tensor, b: fx.Tensor) => fx.conv2d(a, b, opts);
    const y = f(x, w);
    const g = fx.random.normal(fx.random.key(seed++), y.shape);
    const loss = (a: fx.Tensor, b: fx.Tensor) => fx.sum(fx.mul(f(a, b), fx.cast(g, a.dtype)));
    const [dx, dw] = fx.grad(loss, { argnums: [0, 1] })(x, w);
    const x64 = fx.cast(x, "float64"), w64 = fx.cast(w, "float64");
    const [dx64, dw64] = fx.grad(loss, { argnums: [0, 1] })(x64, w64);
    for (
      const [got, want, what] of [[y, f(x64, w64), "y"], [dx, dx64, "dx"], [
        dw,
        dw64,
        "dw",
      ]] as const
    ) {
      const a = got.dataSync(), e = want.dataSync();
      assert.equal(got.dtype, "float32");
      for (let i = 0; i < a.length; i++) {
        assert.ok(
          Math.abs(a[i] - e[i]) <= 1e-4 * (1 + Math.abs(e[i])),
          `${xs} ${what}[${i}]: ${a[i]} vs ${e[i]}`,
        );
      }
    }
  }
});

Deno.test("large products are split across worker threads: close to float64, identical run to run", async () => {
  const { cpuThreads, setCpuThreads } = await import("../../src/backend/cpu/wasm/pool.ts");
  try {
    setCpuThreads(2);
    // 133 rows: the calling thread and one worker take 68 and 65 (edges included).
    const a = fx.random.normal(fx.random.key(7), [133, 301]);
    const b = fx.random.normal(fx.random.key(8), [301, 107]);
    const first = fx.matmul(a, b).dataSync();
    assert.equal(cpuThreads(), 2, "the pool started");
    const again = fx.matmul(a, b).dataSync();
    assert.deepEqual(again, first, "bit-identical run to run");
    const ref = fx.matmul(fx.cast(a, "float64"), fx.cast(b, "float64")).dataSync();
    for (let i = 0; i < ref.length; i++) {
      assert.ok(Math.abs(first[i] - ref[i]) <= 1e-4 * (1 + Math.abs(ref[i])), `${i}`);
    }
    // A wide product is split by columns (each thread packs its own block of B).
    const wa = fx.random.normal(fx.random.key(11), [13, 64]);
    const wb = fx.random.normal(fx.random.key(12), [64, 2501]);
    const wide = fx.matmul(wa, wb).dataSync();
    assert.deepEqual(fx.matmul(wa, wb).dataSync(), wide, "bit-identical run to run");
    const wref = fx.matmul(fx.cast(wa, "float64"), fx.cast(wb, "float64")).dataSync();
    for (let i = 0; i < wref.length; i++) {
      assert.ok(Math.abs(wide[i] - wref[i]) <= 1e-4 * (1 + Math.abs(wref[i])), `wide ${i}`);
    }
    // Accumulating products (the filter gradient of a convolution) split too.
    const x = fx.random.normal(fx.random.key(9), [2, 32, 24, 24]);
    const w = fx.random.normal(fx.random.key(10), [64, 32, 3, 3]);
    const loss = (ww: fx.Tensor, xx: fx.Tensor) => fx.sum(fx.square(fx.conv2d(xx, ww)));
    const dw = fx.grad(loss)(w, x).dataSync();
    const dw64 = fx.grad(loss)(fx.cast(w, "float64"), fx.cast(x, "float64")).dataSync();
    for (let i = 0; i < dw.length; i++) {
      assert.ok(Math.abs(dw[i] - dw64[i]) <= 1e-3 * (1 + Math.abs(dw64[i])), `dw ${i}`);
    }
    assert.throws(() => setCpuThreads(0), /setCpuThreads: n must be a positive integer, got 0/);
  } finally {
    setCpuThreads(navigator.hardwareConcurrency);
  }
});

Deno.test("the plain-SIMD and relaxed-SIMD (fused multiply-add) builds agree; Deno runs the relaxed one", async () => {
  const { wasmBase64, wasmRelaxedBase64 } = await import(
    "../../src/backend/cpu/wasm/kernels_wasm.ts"
  );
  assert.equal(wasmHeap()?.relaxed, true, "this Deno validates relaxed SIMD");
  const [m, n, k] = [13, 19, 301];
  const r = rng(42);
  const a = Float32Array.from({ length: m * k }, r), b = Float32Array.from({ length: k * n }, r);
  const results = [wasmBase64, wasmRelaxedBase64].map((b64) => {
    const memory = new WebAssembly.Memory({ initial: 64, maximum: 65536, shared: true });
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const kernels = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } })
      .exports as { sgemm_acc: (...args: number[]) => void };
    const heap = new Float32Array(memory.buffer);
    const [pa, pb, pc, pp] = [1 << 14, 1 << 16, 1 << 18, 1 << 19];
    heap.set(a, pa / 4);
    heap.set(b, pb / 4);
    kernels.sgemm_acc(m, n, k, pa, k, 1, pb, n, pc, pp);
    return heap.slice(pc / 4, pc / 4 + m * n);
  });
  for (let i = 0; i < m * n; i++) {
    assert.ok(
      Math.abs(results[0][i] - results[1][i]) <= 1e-5 * (1 + Math.abs(results[0][i])),
      `${i}`,
    );
  }
});

Deno.test("the worker pool starts without any permission prompt (run in a terminal, no flags)", async () => {
  // `script` gives the child a terminal, where Deno would prompt for a missing permission.
  const has = await new Deno.Command("sh", { args: ["-c", "command -v script"] }).output();
  if (!has.success) return console.log("skipped: no `script` command for a pseudo-terminal");
  const file = new URL("../fixtures/threads_no_permissions.ts", import.meta.url).pathname;
  const out = await new Deno.Command("script", {
    // A prompt would wait for an answer: `timeout` ends the child then, and its output shows it.
    args: ["-qec", `timeout 30 ${Deno.execPath()} run ${file}`, "/dev/null"],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  assert.doesNotMatch(text, /requests|Allow\?/, text);
  assert.match(
    text,
    new RegExp(`threads ${navigator.hardwareConcurrency > 1 ? 2 : 1}|threads \\d+`),
  );
  assert.ok(out.success, text);
});

Deno.test("results do not depend on the number of threads (products, convolution gradients)", async () => {
  const { setCpuThreads } = await import("../../src/backend/cpu/wasm/pool.ts");
  const r = (seed: number, shape: number[]) => fx.random.normal(fx.random.key(seed), shape);
  // B packed for the whole product but not for one thread's share of it: split by rows
  // (24 rows, 12 each), then by columns (2000 columns, 1000 each).
  const a = r(1, [24, 6000]), b = r(2, [6000, 95]);
  const c = r(3, [16, 300]), d = r(4, [300, 2001]);
  const x = r(5, [13, 16, 14, 14]), w3 = r(6, [24, 16, 3, 3]), w5 = r(7, [24, 16, 5, 5]);
  const grads = (w: fx.Tensor, opts: fx.Conv2dOptions) =>
    fx.grad((ww: fx.Tensor, xx: fx.Tensor) => fx.sum(fx.square(fx.conv2d(xx, ww, opts))), {
      argnums: [0, 1],
    })(w, x);
  const run = () =>
    fx.scoped(() =>
      [
        fx.matmul(a, b),
        fx.matmul(c, d),
        ...grads(w3, { padding: 1 }), // Winograd
        ...grads(w5, { stride: 2 }), // im2col
      ].map((t) => t.dataSync())
    )();
  try {
    setCpuThreads(1);
    const one = run();
    for (const n of [2, 3]) {
      setCpuThreads(n);
      const many = run();
      one.forEach((v, i) => {
        const bad = v.findIndex((e, j) => !Object.is(e, many[i][j]));
        assert.equal(bad, -1, `${n} threads, result ${i}: element ${bad} differs`);
      });
    }
  } finally {
    setCpuThreads(navigator.hardwareConcurrency);
  }
});

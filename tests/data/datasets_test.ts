/**
 * `data.mnist` and `data.fashionMnist`: the datasets by name, over the three sources.
 */
import assert from "node:assert/strict";
import { data } from "../../mod.ts";
import { writeTinyMnist } from "./idx_build.ts";

Deno.test("data.mnist: embedded by default, IDX files with { dir }", async () => {
  const embedded = await data.mnist();
  assert.equal(embedded.train.count, 8000);
  assert.equal(embedded.test.count, 2000);
  const dir = await Deno.makeTempDir();
  const { trainImages, trainLabels } = await writeTinyMnist(dir, { train: 5, test: 3 });
  const fromDir = await data.mnist({ dir });
  assert.deepEqual([fromDir.train.count, fromDir.test.count], [5, 3]);
  assert.deepEqual(fromDir.train.images, trainImages);
  assert.deepEqual(fromDir.train.labels, trainLabels);
  await Deno.remove(dir, { recursive: true });
  assert.throws(() => data.mnist({} as never), /data\.mnist: expected \{ dir \} or \{ download/);
});

const FASHION = "/usr/share/datasets/fashion-mnist";
const haveFashion = await Deno.stat(`${FASHION}/t10k-labels-idx1-ubyte.gz`).then(
  () => true,
  () => false,
);
if (!haveFashion) {
  console.log(`data.fashionMnist test skipped: no ${FASHION} (Debian's dataset-fashion-mnist)`);
}

Deno.test({
  name: "data.fashionMnist: Debian's Fashion-MNIST IDX files",
  ignore: !haveFashion,
  fn: async () => {
    const ds = await data.fashionMnist({ dir: FASHION });
    assert.deepEqual([ds.train.count, ds.test.count], [60000, 10000]);
    assert.match(ds.source, /Fashion-MNIST/);
  },
});

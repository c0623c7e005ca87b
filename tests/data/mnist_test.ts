import assert from "node:assert/strict";
import { data } from "../../mod.ts";
import { idxBytes, writeTinyMnist } from "./idx_build.ts";

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

for (const gz of [false, true]) {
  Deno.test(`mnistFromDir loads tiny ${gz ? "gzipped" : "raw"} IDX files`, async () => {
    await withTempDir(async (dir) => {
      const { trainImages, trainLabels } = await writeTinyMnist(dir, { train: 5, test: 3, gz });
      const ds = await data.mnistFromDir(dir, { kind: "fashion" });
      assert.equal(ds.train.count, 5);
      assert.equal(ds.test.count, 3);
      assert.equal(ds.train.rows, 4);
      assert.equal(ds.train.cols, 3);
      assert.deepEqual(ds.train.images, trainImages);
      assert.deepEqual(ds.train.labels, trainLabels);
      assert.equal(ds.test.images.length, 3 * 12);
      assert.equal(ds.source, `Fashion-MNIST IDX files in ${dir} (5 train, 3 test)`);
    });
  });
}

Deno.test("mnistFromDir names the missing file and lists the directory", async () => {
  await withTempDir(async (dir) => {
    await assert.rejects(data.mnistFromDir(dir), {
      message: `mnistFromDir: ${dir}: missing train-images-idx3-ubyte (or ` +
        "train-images-idx3-ubyte.gz); the directory is empty",
    });
    await writeTinyMnist(dir, { gz: true });
    await Deno.remove(`${dir}/t10k-labels-idx1-ubyte.gz`);
    await Deno.writeFile(`${dir}/notes.txt`, new Uint8Array());
    await assert.rejects(data.mnistFromDir(dir), {
      message: `mnistFromDir: ${dir}: missing t10k-labels-idx1-ubyte (or ` +
        "t10k-labels-idx1-ubyte.gz); the directory has: notes.txt, t10k-images-idx3-ubyte.gz, " +
        "train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz",
    });
  });
  await assert.rejects(data.mnistFromDir("/nonexistent/fluxion-data"), {
    message: /^mnistFromDir: \/nonexistent\/fluxion-data: cannot list the directory: /,
  });
});

Deno.test("mnistFromDir checks counts, labels and file contents", async () => {
  await withTempDir(async (dir) => {
    await writeTinyMnist(dir, { train: 5, test: 3 });
    const labels = `${dir}/train-labels-idx1-ubyte`;
    await Deno.writeFile(labels, idxBytes("uint8", [4], [1, 2, 3, 4]));
    await assert.rejects(data.mnistFromDir(dir), {
      message: `mnistFromDir: ${labels}: 4 labels but ${dir}/train-images-idx3-ubyte holds 5 ` +
        "images",
    });
    await Deno.writeFile(labels, idxBytes("uint8", [5], [1, 2, 10, 4, 5]));
    await assert.rejects(data.mnistFromDir(dir), {
      message: `mnistFromDir: ${labels}: label 10 at index 2 (byte 10 of the file) is not a ` +
        "class 0..9",
    });
    await Deno.writeFile(labels, idxBytes("int32", [5], [1, 2, 3, 4, 5]));
    await assert.rejects(data.mnistFromDir(dir), {
      message: `mnistFromDir: ${labels}: expected labels (uint8 with 1 dimensions), found int32 ` +
        "with shape [5]",
    });
    await Deno.writeFile(labels, idxBytes("uint8", [5], [1, 2, 3]));
    await assert.rejects(data.mnistFromDir(dir), {
      message: `readIdx: ${labels}: header says 5 = 5 bytes of uint8 but 3 remain after the ` +
        "8-byte header",
    });
  });
});

const FASHION = "/usr/share/datasets/fashion-mnist";
const hasFashion = await Deno.stat(`${FASHION}/t10k-labels-idx1-ubyte.gz`).then(
  () => true,
  () => false,
);
if (!hasFashion) {
  console.log(
    `skipping the Fashion-MNIST test: ${FASHION} not found (Debian dataset-fashion-mnist)`,
  );
}

Deno.test({
  name: "mnistFromDir reads Debian's Fashion-MNIST (60000 + 10000, balanced classes)",
  ignore: !hasFashion,
  fn: async () => {
    const ds = await data.mnistFromDir(FASHION, { kind: "fashion" });
    for (const [split, n] of [[ds.train, 60000], [ds.test, 10000]] as const) {
      assert.equal(split.count, n);
      assert.equal(split.rows, 28);
      assert.equal(split.cols, 28);
      const perClass = new Array(10).fill(0);
      for (const l of split.labels) perClass[l]++;
      assert.deepEqual(perClass, new Array(10).fill(n / 10));
    }
  },
});

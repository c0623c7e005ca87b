import assert from "node:assert/strict";
import { data } from "../../mod.ts";
import { gzip, idxBytes } from "./idx_build.ts";

async function sha256(bytes: Uint8Array): Promise<string> {
  const d = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(d), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Serves `files` on 127.0.0.1 (any free port), counting requests per path. */
async function withServer(
  files: Record<string, Uint8Array>,
  fn: (base: string, requests: Map<string, number>) => Promise<void>,
): Promise<void> {
  const requests = new Map<string, number>();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    const path = new URL(req.url).pathname;
    requests.set(path, (requests.get(path) ?? 0) + 1);
    const body = files[path.slice(1)];
    return body === undefined
      ? new Response("not found", { status: 404 })
      : new Response(body as Uint8Array<ArrayBuffer>);
  });
  try {
    await fn(`http://127.0.0.1:${server.addr.port}/`, requests);
  } finally {
    await server.shutdown();
  }
}

Deno.test("download: cache hit without a request, re-download of a bad cached file", async () => {
  const file = idxBytes("uint8", [3], [1, 2, 3]);
  const hash = await sha256(file);
  const cacheDir = `${await Deno.makeTempDir()}/cache`;
  await withServer({ "labels-idx1-ubyte": file }, async (base, requests) => {
    const url = `${base}labels-idx1-ubyte`;
    const path = await data.download(url, { cacheDir, sha256: hash });
    assert.equal(path, `${cacheDir}/labels-idx1-ubyte`);
    assert.deepEqual(await Deno.readFile(path), file);
    assert.equal(requests.get("/labels-idx1-ubyte"), 1);
    assert.equal(await data.download(url, { cacheDir, sha256: hash.toUpperCase() }), path);
    assert.equal(requests.get("/labels-idx1-ubyte"), 1, "second call is served from the cache");
    // A damaged cached file is replaced.
    await Deno.writeFile(path, new Uint8Array([1, 2]));
    assert.equal(await data.download(url, { cacheDir, sha256: hash }), path);
    assert.equal(requests.get("/labels-idx1-ubyte"), 2);
    assert.deepEqual(await Deno.readFile(path), file);
    // No temporary files are left behind.
    const names = [];
    for await (const e of Deno.readDir(cacheDir)) names.push(e.name);
    assert.deepEqual(names, ["labels-idx1-ubyte"]);
    // fileName stores under another name.
    const other = await data.download(url, { cacheDir, fileName: "x.idx" });
    assert.equal(other, `${cacheDir}/x.idx`);
  });
  await Deno.remove(cacheDir, { recursive: true });
});

Deno.test("download: a checksum mismatch is rejected with both hashes and nothing is kept", async () => {
  const file = idxBytes("uint8", [2], [7, 7]);
  const actual = await sha256(file);
  const wrong = "0".repeat(64);
  const cacheDir = await Deno.makeTempDir();
  await withServer({ "f": file }, async (base) => {
    await assert.rejects(data.download(`${base}f`, { cacheDir, sha256: wrong }), {
      message: `download: ${base}f: SHA-256 mismatch: expected ${wrong}, got ${actual} ` +
        "(10 bytes); nothing was saved",
    });
    // A cached file that does not match is deleted before the download is tried.
    await Deno.writeFile(`${cacheDir}/f`, new Uint8Array([9]));
    await assert.rejects(data.download(`${base}f`, { cacheDir, sha256: wrong }), {
      message: /SHA-256 mismatch/,
    });
    const left = [];
    for await (const e of Deno.readDir(cacheDir)) left.push(e.name);
    assert.deepEqual(left, [], "the bad cached file and the download are both gone");
    await assert.rejects(data.download(`${base}missing`, { cacheDir }), {
      message: `download: ${base}missing: HTTP 404 Not Found`,
    });
    await assert.rejects(data.download(`${base}f`, { cacheDir, sha256: "abc" }), {
      message: `download: ${base}f: sha256 must be 64 hex digits, got abc`,
    });
    await assert.rejects(data.download(`${base}`, { cacheDir }), {
      message: `download: ${base}: cannot store it as ""; pass a plain fileName`,
    });
  });
  await Deno.remove(cacheDir, { recursive: true });
});

Deno.test("mnistDownload fetches the four files once and loads them", async () => {
  const raw: Record<string, Uint8Array> = {
    "train-images-idx3-ubyte": idxBytes("uint8", [2, 2, 2], [0, 1, 2, 3, 4, 5, 6, 7]),
    "train-labels-idx1-ubyte": idxBytes("uint8", [2], [3, 9]),
    "t10k-images-idx3-ubyte": idxBytes("uint8", [1, 2, 2], [9, 8, 7, 6]),
    "t10k-labels-idx1-ubyte": idxBytes("uint8", [1], [0]),
  };
  const files: Record<string, Uint8Array> = {};
  const sums: Record<string, string> = {};
  for (const [name, bytes] of Object.entries(raw)) {
    files[`${name}.gz`] = await gzip(bytes);
    sums[`${name}.gz`] = await sha256(files[`${name}.gz`]);
  }
  const cacheDir = await Deno.makeTempDir();
  await withServer(files, async (base, requests) => {
    const ds = await data.mnistDownload({ cacheDir, baseUrl: base, kind: "fashion", sha256: sums });
    assert.equal(ds.train.count, 2);
    assert.deepEqual(Array.from(ds.train.labels), [3, 9]);
    assert.deepEqual(Array.from(ds.test.images), [9, 8, 7, 6]);
    assert.equal(
      ds.source,
      `Fashion-MNIST IDX files in ${cacheDir}/fashion (2 train, 1 test), ` +
        `downloaded from ${base}`,
    );
    await data.mnistDownload({ cacheDir, baseUrl: base, kind: "fashion", sha256: sums });
    assert.deepEqual([...requests.values()], [1, 1, 1, 1]);
    // Without the test's sums the standard MNIST table applies, and these files do not match it.
    await assert.rejects(data.mnistDownload({ cacheDir, baseUrl: base }), {
      message: new RegExp(
        `^download: ${base}train-images-idx3-ubyte\\.gz: SHA-256 mismatch: expected ` +
          data.MNIST_SHA256.mnist["train-images-idx3-ubyte.gz"],
      ),
    });
  });
  await Deno.remove(cacheDir, { recursive: true });
});

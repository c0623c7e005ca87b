/**
 * safetensors files: save and load round trips (nested and flat), the atomic save (no temporary
 * file left, an existing file replaced, a failed save leaving the old file intact), and errors
 * that name the file. Needs --allow-write (files under Deno.makeTempDir()).
 */
import assert from "node:assert/strict";
import { type Backend, io, nn, random, Tensor, tensor, tree } from "../../mod.ts";

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "fluxion_io_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function listDir(dir: string): Promise<string[]> {
  return (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name).sort();
}

Deno.test("saveSafetensors/loadSafetensors: a model's params round trip as a nested tree", async () => {
  await withDir(async (dir) => {
    const net = nn.sequential({
      conv1: nn.conv2d(1, 2, 3),
      flat: nn.flatten(),
      fc1: nn.linear(8, 3),
    });
    const { params } = net.init(random.key(1), [1, 1, 4, 4]);
    const path = `${dir}/net.safetensors`;
    await io.saveSafetensors(path, params, { epoch: "4" });
    assert.deepEqual(await listDir(dir), ["net.safetensors"]);
    const loaded = await io.loadSafetensors(path);
    // Layers without parameters ({} in the tree) hold no tensors, so they are not in the file;
    // apply does not need them.
    assert.deepEqual(Object.keys(loaded), ["conv1", "fc1"]);
    const x = tensor(new Float32Array(16).map((_, i) => Math.cos(i)), { shape: [1, 1, 4, 4] });
    assert.deepEqual(
      await (net.apply(loaded, x) as Tensor).data(),
      await (net.apply(params, x) as Tensor).data(),
    );
    const want = tree.flattenWithPaths(params);
    const got = tree.flattenWithPaths(loaded);
    assert.deepEqual(got.map(([p]) => p), want.map(([p]) => p));
    for (let i = 0; i < want.length; i++) {
      assert.deepEqual(await got[i][1].data(), await want[i][1].data(), want[i][0]);
    }
    const flat = await io.loadSafetensorsFlat(path);
    assert.deepEqual(Object.keys(flat), ["conv1.bias", "conv1.weight", "fc1.bias", "fc1.weight"]);
    const { metadata, tensors } = await io.readSafetensors(path);
    assert.deepEqual(metadata, { epoch: "4" });
    assert.deepEqual(Object.keys(tensors), Object.keys(flat));
    // The file on disk is exactly what encodeSafetensors makes.
    assert.deepEqual(await Deno.readFile(path), io.encodeSafetensors(params, { epoch: "4" }));
  });
});

Deno.test("saveSafetensors: an existing file is replaced, no temporary file is left", async () => {
  await withDir(async (dir) => {
    const path = `${dir}/ckpt.safetensors`;
    await Deno.writeTextFile(
      path,
      "old contents, much longer than the new file will be ".repeat(20),
    );
    await io.saveSafetensors(path, { w: tensor([1, 2, 3]) });
    assert.deepEqual(await listDir(dir), ["ckpt.safetensors"]);
    assert.deepEqual(
      await (await io.loadSafetensorsFlat(path)).w.data(),
      new Float32Array([1, 2, 3]),
    );
    await io.saveSafetensors(path, { v: tensor([4], { dtype: "int32" }) });
    assert.deepEqual(Object.keys(await io.loadSafetensorsFlat(path)), ["v"]);
    assert.deepEqual(await listDir(dir), ["ckpt.safetensors"]);
  });
});

/** A tensor whose backend fails when read, as a GPU that was lost would. */
function unreadable(): Tensor {
  const backend = {
    name: "broken",
    read: () => Promise.reject(new Error("device lost")),
    readSync: () => undefined,
  } as unknown as Backend;
  return new Tensor(backend, null, [2], "float32");
}

Deno.test("saveSafetensors: a failed save leaves the old file intact and removes its temporary file", async () => {
  await withDir(async (dir) => {
    const path = `${dir}/ckpt.safetensors`;
    await io.saveSafetensors(path, { w: tensor([1, 2]) });
    const before = await Deno.readFile(path);
    // Fails while writing the data (after the temporary file holds the header).
    await assert.rejects(io.saveSafetensors(path, { a: tensor([9]), z: unreadable() }), {
      message: `saveSafetensors: ${path}: device lost`,
    });
    assert.deepEqual(await listDir(dir), ["ckpt.safetensors"]);
    assert.deepEqual(await Deno.readFile(path), before);
    // Fails before anything is written: a leaf that is not a tensor.
    await assert.rejects(io.saveSafetensors(path, { w: tensor([1]), step: 3 }), {
      message: 'saveSafetensors: "step" is 3, not a tensor or a container; safetensors holds ' +
        "only tensors (put strings in metadata)",
    });
    assert.deepEqual(await listDir(dir), ["ckpt.safetensors"]);
    assert.deepEqual(await Deno.readFile(path), before);
    // Fails at the rename: the target is a directory.
    await Deno.mkdir(`${dir}/sub`);
    await Deno.writeTextFile(`${dir}/sub/x`, "x");
    await assert.rejects(io.saveSafetensors(`${dir}/sub`, { w: tensor([1]) }), (e: Error) => {
      assert.ok(e.message.startsWith(`saveSafetensors: ${dir}/sub: `), e.message);
      return true;
    });
    assert.deepEqual(await listDir(dir), ["ckpt.safetensors", "sub"]);
  });
});

Deno.test("loadSafetensors: errors name the function and the file", async () => {
  await withDir(async (dir) => {
    const missing = `${dir}/nope.safetensors`;
    await assert.rejects(io.loadSafetensors(missing), (e: Error) => {
      assert.ok(
        e.message.startsWith(`loadSafetensors: ${missing}: cannot read the file: `),
        e.message,
      );
      return true;
    });
    const bad = `${dir}/bad.safetensors`;
    await Deno.writeFile(bad, new Uint8Array(5));
    await assert.rejects(io.loadSafetensorsFlat(bad), {
      message:
        `loadSafetensorsFlat: ${bad}: the file has 5 bytes, fewer than the 8-byte header length`,
    });
    await assert.rejects(io.readSafetensors(bad), {
      message: `readSafetensors: ${bad}: the file has 5 bytes, fewer than the 8-byte header length`,
    });
    const clash = `${dir}/clash.safetensors`;
    await Deno.writeFile(clash, io.encodeSafetensors({ "a": tensor([1]), "a.b": tensor([2]) }));
    await assert.rejects(io.loadSafetensors(clash), {
      message: `loadSafetensors: ${clash}: "a" is both a tensor and a prefix of "a.b"`,
    });
    assert.deepEqual(Object.keys(await io.loadSafetensorsFlat(clash)), ["a", "a.b"]);
  });
});

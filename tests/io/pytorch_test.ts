/**
 * safetensors files written from PyTorch state_dicts by tools/fixtures/safetensors.py: names,
 * dtypes and values as stored in tests/fixtures/safetensors.json; the tiny net's checkpoint (with
 * its I64 `num_batches_tracked`) loads strictly into the matching fluxion model and evaluates to
 * PyTorch's output; F16/BF16/I64/U8/I8/I16/BOOL/F64 read as documented.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { io, nn, random, type Tensor, tensor, tree } from "../../mod.ts";
import { assertClose } from "../assert_close.ts";

type Stored = { dtype: string; shape: number[]; values: (number | string | boolean)[] };
type FileFixture = {
  metadata: Record<string, string>;
  tensors: Record<string, Stored>;
  input?: Stored;
  output?: Stored;
};
const fixturePath = (name: string) =>
  fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
const FIXTURES: Record<string, FileFixture> = JSON.parse(
  await Deno.readTextFile(fixturePath("safetensors.json")),
);

const READ_AS: Record<string, string> = {
  F32: "float32",
  F64: "float64",
  F16: "float32",
  BF16: "float32",
  I64: "int32",
  I32: "int32",
  I16: "int32",
  I8: "int32",
  U8: "int32",
  BOOL: "bool",
};

function expected(s: Stored): number[] {
  return s.values.map((v) =>
    v === "nan" ? NaN : v === "inf" ? Infinity : v === "-inf" ? -Infinity : Number(v)
  );
}

async function checkFile(file: string, fx: FileFixture): Promise<Record<string, Tensor>> {
  const { tensors, metadata } = await io.readSafetensors(fixturePath(file));
  assert.deepEqual(metadata, fx.metadata);
  assert.deepEqual(Object.keys(tensors), Object.keys(fx.tensors).sort());
  for (const [name, s] of Object.entries(fx.tensors)) {
    const t = tensors[name];
    assert.deepEqual([t.dtype, t.shape], [READ_AS[s.dtype], s.shape], name);
    const got = [...await t.data()];
    const want = expected(s);
    assert.equal(got.length, want.length, name);
    // Exact: every stored value is the float32 (or float64, or integer) value itself.
    got.forEach((g, i) => assert.ok(Object.is(g, want[i]), `${name}[${i}]: ${g} vs ${want[i]}`));
  }
  return tensors;
}

Deno.test("PyTorch fixture: every dtype reads with the right names, dtypes and exact values", async () => {
  const t = await checkFile("dtypes.safetensors", FIXTURES.dtypes);
  assert.deepEqual(await t.i64.data(), new Int32Array([0, 1, -1, 2147483647, -2147483648, 123456]));
  assert.deepEqual(t.empty.shape, [2, 0]);
  assert.deepEqual(t.scalar.shape, []);
});

function tinyNet(): nn.Model<Tensor, Tensor> {
  return nn.sequential({
    conv: nn.conv2d(1, 2, 3),
    bn: nn.batchNorm2d(2),
    flatten: nn.flatten(),
    fc: nn.linear(32, 3),
  });
}

Deno.test("PyTorch fixture: a state_dict with batch norm loads strictly and evaluates like PyTorch", async () => {
  const fx = FIXTURES.seed_net;
  await checkFile("seed_net.safetensors", fx);
  const flat = await io.loadSafetensorsFlat(fixturePath("seed_net.safetensors"));
  assert.equal(flat["bn.num_batches_tracked"].dtype, "int32");
  assert.equal(await flat["bn.num_batches_tracked"].item(), 3);

  const net = tinyNet();
  const fresh = net.init(random.key(0), [2, 1, 6, 6]);
  const names = [...tree.flattenWithPaths(fresh.params), ...tree.flattenWithPaths(fresh.state)]
    .map(([p]) => p).sort();
  assert.deepEqual(names, Object.keys(flat));
  const { params, state, loaded } = nn.loadStateDict(fresh, flat); // strict
  assert.equal(loaded.length, names.length);

  const x = tensor(expected(fx.input!), { shape: fx.input!.shape });
  const y = net.apply(params, x, { state });
  assert.deepEqual(y.shape, fx.output!.shape);
  assertClose(await y.data(), expected(fx.output!), { rtol: 1e-5, atol: 1e-6 });

  // The nested form gives the same tree structure as the model's params and state together.
  const nested = await io.loadSafetensors(fixturePath("seed_net.safetensors"));
  assert.deepEqual(Object.keys(nested).sort(), ["bn", "conv", "fc"]);
  assert.deepEqual(
    Object.keys(nested.bn as object).sort(),
    ["bias", "num_batches_tracked", "running_mean", "running_var", "weight"],
  );
});

Deno.test("PyTorch fixture: saving the loaded checkpoint again gives a file that decodes identically", async () => {
  const flat = await io.loadSafetensorsFlat(fixturePath("seed_net.safetensors"));
  const again = io.decodeSafetensors(io.encodeSafetensors(flat, { format: "pt" }));
  assert.deepEqual(again.metadata, { format: "pt" });
  for (const [name, t] of Object.entries(flat)) {
    assert.deepEqual(await again.tensors[name].data(), await t.data(), name);
  }
});

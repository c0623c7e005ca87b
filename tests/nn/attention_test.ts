/**
 * multiHeadAttention against PyTorch 1.13's nn.MultiheadAttention (tests/fixtures/recurrent.json,
 * written by tools/fixtures/recurrent.py): outputs, head-averaged attention weights, input and
 * parameter gradients of loss = sum(out * R) + sum(weights * R_w), for self- and cross-attention,
 * with a causal mask, without biases, and with a float attention mask plus a key padding mask.
 */
import assert from "node:assert/strict";
import { assertClose } from "../assert_close.ts";
import {
  add,
  mul,
  nn,
  random,
  sum,
  type Tensor,
  tensor,
  transpose,
  valueAndGrad,
} from "../../mod.ts";

interface Stored {
  shape: number[];
  data: number[];
}

interface AttentionCase {
  name: string;
  mode: "self" | "cross";
  bias: boolean;
  causal: boolean;
  keys: string[];
  shapes: Record<string, number[]>;
  params: Record<string, Stored>;
  query: Stored;
  key?: Stored;
  value?: Stored;
  attnMask?: Stored;
  keyPaddingMask?: Stored;
  output: Stored;
  weights: Stored;
  R: Stored;
  R_w: Stored;
  dquery: Stored;
  dkey?: Stored;
  dvalue?: Stored;
  grads: Record<string, Stored>;
}

const fixture = JSON.parse(
  await Deno.readTextFile(new URL("../fixtures/recurrent.json", import.meta.url)),
) as { attention: AttentionCase[] };

const TOL = { rtol: 1e-5, atol: 1e-6 };

const load = (s: Stored): Tensor => tensor(new Float32Array(s.data), { shape: s.shape });

async function close(actual: Tensor, expected: Stored, msg: string): Promise<void> {
  assert.deepEqual([...actual.shape], expected.shape, `${msg}: shape`);
  assertClose(await actual.data(), expected.data, { ...TOL, msg });
}

/** A fluxion params tree from PyTorch's flat `state_dict` keys (`out_proj.weight`). */
function unflatten(flat: Record<string, Tensor>): nn.Params {
  const root: Record<string, unknown> = {};
  for (const [k, t] of Object.entries(flat)) {
    const parts = k.split(".");
    let node = root;
    for (const p of parts.slice(0, -1)) node = (node[p] ??= {}) as Record<string, unknown>;
    node[parts[parts.length - 1]] = t;
  }
  return root;
}

/** The flat `a.b` names and leaves of a params tree, in order. */
function flatten(tree: nn.Params, prefix = ""): [string, Tensor][] {
  return Object.entries(tree).flatMap(([k, v]) =>
    v && typeof v === "object" && !("shape" in v)
      ? flatten(v as nn.Params, `${prefix}${k}.`)
      : [[`${prefix}${k}`, v as Tensor] as [string, Tensor]]
  );
}

function masksOf(c: AttentionCase): nn.AttentionMasks | undefined {
  if (!c.attnMask) return undefined;
  const kpm = c.keyPaddingMask!;
  return {
    attnMask: load(c.attnMask),
    keyPaddingMask: tensor(kpm.data.map((v) => v !== 0), { shape: kpm.shape, dtype: "bool" }),
  };
}

for (const c of fixture.attention) {
  const model = nn.multiHeadAttention(8, 2, {
    bias: c.bias,
    causal: c.causal,
    needWeights: true,
  });
  const masks = masksOf(c);

  Deno.test(`attention ${c.name}: parameter names and shapes are PyTorch's state_dict`, () => {
    const q = c.query.shape;
    const spec = c.mode === "self" ? q : [q, c.key!.shape, c.value!.shape];
    const { params, outputShape } = model.init(random.key(3), spec);
    const flat = flatten(params);
    assert.deepEqual(flat.map(([k]) => k), c.keys);
    for (const [k, t] of flat) assert.deepEqual([...t.shape], c.shapes[k], k);
    assert.deepEqual(outputShape, [c.output.shape, c.weights.shape]);
  });

  Deno.test(`attention ${c.name}: output, weights and gradients match PyTorch`, async () => {
    const params = unflatten(Object.fromEntries(c.keys.map((k) => [k, load(c.params[k])])));
    const inputs = c.mode === "self"
      ? [load(c.query)]
      : [load(c.query), load(c.key!), load(c.value!)];
    const run = (p: nn.Params, xs: Tensor[]): [Tensor, Tensor] =>
      model.apply(p, xs.length === 1 ? xs[0] : [xs[0], xs[1], xs[2], masks]);
    const [out, w] = run(params, inputs);
    await close(out, c.output, "output");
    await close(w, c.weights, "weights");

    const loss = (p: nn.Params, xs: Tensor[]): Tensor => {
      const [o, ww] = run(p, xs);
      return add(sum(mul(o, load(c.R))), sum(mul(ww, load(c.R_w))));
    };
    const [, [dp, dxs]] = valueAndGrad(loss, { argnums: [0, 1] })(params, inputs);
    await close(dxs[0], c.dquery, "d query");
    if (c.mode === "cross") {
      await close(dxs[1], c.dkey!, "d key");
      await close(dxs[2], c.dvalue!, "d value");
    }
    const grads = Object.fromEntries(flatten(dp));
    for (const k of c.keys) await close(grads[k], c.grads[k], `d ${k}`);
  });
}

Deno.test("attention: batchFirst false takes [L, N, E] and gives the same result", async () => {
  const c = fixture.attention.find((x) => x.name === "self_causal")!;
  const params = unflatten(Object.fromEntries(c.keys.map((k) => [k, load(c.params[k])])));
  const seqFirst = nn.multiHeadAttention(8, 2, { causal: true, batchFirst: false });
  const x = transpose(load(c.query), [1, 0, 2]);
  assert.deepEqual(seqFirst.init(random.key(0), x.shape).outputShape, [4, 2, 8]);
  await close(transpose(seqFirst.apply(params, x), [1, 0, 2]), c.output, "output");
});

Deno.test("attention: per-head weights average to PyTorch's weights", async () => {
  const c = fixture.attention.find((x) => x.name === "cross")!;
  const params = unflatten(Object.fromEntries(c.keys.map((k) => [k, load(c.params[k])])));
  const m = nn.multiHeadAttention(8, 2, { needWeights: true, averageAttnWeights: false });
  const [, w] = m.apply(params, [load(c.query), load(c.key!), load(c.value!)]);
  assert.deepEqual([...w.shape], [2, 2, 4, 3]);
  const d = await w.data();
  const avg = Array.from({ length: 24 }, (_, i) => {
    const [n, r] = [Math.floor(i / 12), i % 12];
    return (d[n * 24 + r] + d[n * 24 + 12 + r]) / 2;
  });
  assertClose(avg, c.weights.data, { ...TOL, msg: "averaged weights" });
});

Deno.test("attention: default init is PyTorch's (Xavier in_proj, zero biases)", async () => {
  const { params } = nn.multiHeadAttention(16, 4).init(random.key(5), [2, 3, 16]);
  const inW = await (params.in_proj_weight as Tensor).data();
  const bound = Math.sqrt(6 / (16 + 48));
  assert.ok(inW.every((v) => Math.abs(v) <= bound) && Math.max(...inW) > bound * 0.8);
  const out = params.out_proj as { weight: Tensor; bias: Tensor };
  const ow = await out.weight.data();
  assert.ok(ow.every((v) => Math.abs(v) <= 0.25) && Math.max(...ow) > 0.2);
  assert.ok((await (params.in_proj_bias as Tensor).data()).every((v) => v === 0));
  assert.ok((await out.bias.data()).every((v) => v === 0));
});

Deno.test("attention: init reports every mismatch with the layer and shapes", () => {
  const m = nn.multiHeadAttention(8, 2);
  assert.throws(
    () => m.init(random.key(0), [[2, 4, 8], [3, 5, 6], [3, 4, 8]]),
    (e: unknown) => {
      assert.ok(e instanceof nn.ShapeError);
      assert.deepEqual(e.problems, [
        "MultiheadAttention(embed_dim=8, num_heads=2, batch_first=True): key must have 8 " +
        "features (embedDim), got [3,5,6]",
        "MultiheadAttention(embed_dim=8, num_heads=2, batch_first=True): query, key and value " +
        "batch sizes differ: [2,4,8], [3,5,6], [3,4,8]",
        "MultiheadAttention(embed_dim=8, num_heads=2, batch_first=True): key and value lengths " +
        "differ: [3,5,6] and [3,4,8]",
      ]);
      return true;
    },
  );
  assert.throws(() => m.init(random.key(0), [4, 8]), /query must be \[N, L, E\], got \[4,8\]/);
  assert.throws(
    () => m.init(random.key(0), [[2, 4, 8], [2, 3, 8], [2, 3, 8], { keyPaddingMask: [2, 4] }]),
    /keyPaddingMask must be \[2,3\], got \[2,4\]/,
  );
  assert.throws(() => nn.multiHeadAttention(8, 3), /embedDim 8 is not divisible by numHeads 3/);
});

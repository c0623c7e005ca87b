/**
 * rnn, lstm and gru against PyTorch 1.13 (tests/fixtures/recurrent.json, written by
 * tools/fixtures/recurrent.py): forward outputs, final states, the input gradient and every
 * parameter gradient of loss = sum(out * R) + sum(h_n * R_h) [+ sum(c_n * R_c)], plus parameter
 * names and shapes equal to PyTorch's state_dict and shape errors at init.
 */
import assert from "node:assert/strict";
import { assertClose } from "../assert_close.ts";
import { add, mul, nn, random, sum, type Tensor, tensor, valueAndGrad } from "../../mod.ts";

interface Stored {
  shape: number[];
  data: number[];
}

interface RecurrentCase {
  name: string;
  kind: "rnn" | "lstm" | "gru";
  numLayers: number;
  bias: boolean;
  nonlinearity?: "tanh" | "relu";
  keys: string[];
  shapes: Record<string, number[]>;
  params: Record<string, Stored>;
  x: Stored;
  output: Stored;
  h_n: Stored;
  c_n?: Stored;
  R: Stored;
  R_h: Stored;
  R_c?: Stored;
  dx: Stored;
  grads: Record<string, Stored>;
}

const fixture = JSON.parse(
  await Deno.readTextFile(new URL("../fixtures/recurrent.json", import.meta.url)),
) as { recurrent: RecurrentCase[] };

const TOL = { rtol: 1e-5, atol: 1e-6 };

const load = (s: Stored): Tensor => tensor(new Float32Array(s.data), { shape: s.shape });

async function close(actual: Tensor, expected: Stored, msg: string): Promise<void> {
  assert.deepEqual([...actual.shape], expected.shape, `${msg}: shape`);
  assertClose(await actual.data(), expected.data, { ...TOL, msg });
}

/** The model of a case, returning `[output, h_n]` or `[output, [h_n, c_n]]`. */
function stateful(c: RecurrentCase): nn.Model<Tensor, [Tensor, Tensor | nn.LSTMState]> {
  const opts = { numLayers: c.numLayers, bias: c.bias, returnState: true as const };
  if (c.kind === "lstm") return nn.lstm(3, 5, opts);
  if (c.kind === "gru") return nn.gru(3, 5, opts);
  return nn.rnn(3, 5, { ...opts, nonlinearity: c.nonlinearity });
}

/** The same configuration with other output options. */
function plain(c: RecurrentCase, opts: nn.RecurrentOptions): nn.Model<Tensor, unknown> {
  const all = { numLayers: c.numLayers, bias: c.bias, ...opts };
  if (c.kind === "lstm") return nn.lstm(3, 5, all);
  if (c.kind === "gru") return nn.gru(3, 5, all);
  return nn.rnn(3, 5, { ...all, nonlinearity: c.nonlinearity });
}

for (const c of fixture.recurrent) {
  Deno.test(`${c.name}: parameter names and shapes are PyTorch's state_dict`, () => {
    const { params, outputShape } = stateful(c).init(random.key(1), c.x.shape);
    assert.deepEqual(Object.keys(params), c.keys);
    for (const k of c.keys) assert.deepEqual([...(params[k] as Tensor).shape], c.shapes[k], k);
    const state = [c.numLayers, 2, 5];
    assert.deepEqual(outputShape, [[2, 4, 5], c.kind === "lstm" ? [state, state] : state]);
  });

  Deno.test(`${c.name}: forward, final state and gradients match PyTorch`, async () => {
    const model = stateful(c);
    const params = Object.fromEntries(c.keys.map((k) => [k, load(c.params[k])]));
    const x = load(c.x);
    const [out, st] = model.apply(params, x);
    await close(out, c.output, "output");
    if (c.kind === "lstm") {
      const [h, cell] = st as nn.LSTMState;
      await close(h, c.h_n, "h_n");
      await close(cell, c.c_n!, "c_n");
    } else {
      await close(st as Tensor, c.h_n, "h_n");
    }

    const loss = (p: nn.Params, xs: Tensor): Tensor => {
      const [o, s] = model.apply(p, xs);
      let l = sum(mul(o, load(c.R)));
      if (c.kind === "lstm") {
        const [h, cell] = s as nn.LSTMState;
        l = add(l, add(sum(mul(h, load(c.R_h))), sum(mul(cell, load(c.R_c!)))));
      } else {
        l = add(l, sum(mul(s as Tensor, load(c.R_h))));
      }
      return l;
    };
    const [, [dp, dx]] = valueAndGrad(loss, { argnums: [0, 1] })(params, x);
    await close(dx, c.dx, "d input");
    for (const k of c.keys) await close(dp[k] as Tensor, c.grads[k], `d ${k}`);
  });

  Deno.test(`${c.name}: returnSequences false gives PyTorch's last step`, async () => {
    const params = Object.fromEntries(c.keys.map((k) => [k, load(c.params[k])]));
    const seqModel = plain(c, {});
    const lastModel = plain(c, { returnSequences: false });
    assert.deepEqual(lastModel.init(random.key(0), [2, 4, 3]).outputShape, [2, 5]);
    await close(seqModel.apply(params, load(c.x)) as Tensor, c.output, "sequence");
    const last = lastModel.apply(params, load(c.x)) as Tensor;
    const [n, t, h] = c.output.shape;
    const expected: number[] = [];
    for (let i = 0; i < n; i++) {
      expected.push(...c.output.data.slice((i * t + t - 1) * h, (i * t + t) * h));
    }
    await close(last, { shape: [n, h], data: expected }, "last step");
  });
}

Deno.test("recurrent: default init is uniform in ±1/sqrt(hidden), like PyTorch", async () => {
  const { params } = nn.gru(3, 16, { numLayers: 2 }).init(random.key(7), [2, 4, 3]);
  const bound = 1 / Math.sqrt(16);
  for (const [k, t] of Object.entries(params)) {
    const d = await (t as Tensor).data();
    assert.ok(d.every((v) => Math.abs(v) <= bound), k);
    assert.ok(Math.max(...d) > bound * 0.5 && Math.min(...d) < -bound * 0.5, k);
  }
});

Deno.test("recurrent: init reports the layer and the input shape", () => {
  assert.throws(
    () => nn.lstm(3, 5, { numLayers: 2 }).init(random.key(0), [2, 4, 7]),
    (e: unknown) => {
      assert.ok(e instanceof nn.ShapeError);
      assert.equal(e.problems.length, 1);
      assert.match(e.message, /LSTM\(3, 5, num_layers=2, batch_first=True\)/);
      assert.match(e.message, /expects 3 input features, got input \[2,4,7\]/);
      return true;
    },
  );
  // Wrong rank and wrong features: both reported.
  assert.throws(
    () => nn.gru(3, 5).init(random.key(0), [4, 7]),
    (e: unknown) => {
      assert.ok(e instanceof nn.ShapeError);
      assert.equal(e.problems.length, 2);
      assert.match(e.message, /GRU\(3, 5, batch_first=True\)/);
      assert.match(e.message, /expects input \[N, T, 3\] \(batch first\), got \[4,7\]/);
      return true;
    },
  );
  assert.throws(() => nn.rnn(3, 5).init(random.key(0), [[2, 4, 3]]), nn.ShapeError);
  assert.throws(() => nn.rnn(0, 5), /rnn: inputSize must be a positive integer, got 0/);
  assert.throws(
    () => nn.rnn(3, 5, { nonlinearity: "gelu" as "relu" }),
    /rnn: nonlinearity must be "tanh" or "relu", got gelu/,
  );
});

Deno.test("recurrent: apply names the layer on a wrong input", () => {
  const model = nn.rnn(3, 5);
  const { params } = model.init(random.key(0), [2, 4, 3]);
  assert.throws(
    () => model.apply(params, tensor(new Float32Array(16), { shape: [2, 2, 4] })),
    /RNN\(3, 5, batch_first=True\): expects input \[N, T, 3\] \(batch first, T >= 1\), got \[2,2,4\]/,
  );
});

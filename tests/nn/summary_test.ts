/**
 * Model summaries and Mermaid graphs.
 */
import assert from "node:assert/strict";
import { mul, nn, type Tensor } from "../../mod.ts";

const scale = (k: number) =>
  nn.layer<Tensor, Tensor>({
    name: `Scale(${k})`,
    init: (_key, shape) => ({ params: {}, state: {}, outputShape: shape }),
    call: (_p, state, x) => [mul(x, k), state],
  });

Deno.test("summary: layers, output shapes and parameter counts (closed form)", () => {
  const net = nn.sequential({ fc1: nn.linear(784, 128), act: scale(2), fc2: nn.linear(128, 10) });
  const rows = nn.summaryRows(net, [32, 784]);
  assert.deepEqual(
    rows.map((r) => [r.path, r.outputShape, r.params]),
    [["fc1", [32, 128], 784 * 128 + 128], ["act", [32, 128], 0], ["fc2", [32, 10], 128 * 10 + 10]],
  );
  const text = nn.summary(net, [32, 784]);
  const lines = text.split("\n");
  assert.equal(lines[0], "Input shape: [32,784]");
  assert.match(
    text,
    /^fc1 +Linear\(in_features=784, out_features=128, bias=True\) +\[32,128\] +100,480$/m,
  );
  assert.match(text, /^act +Scale\(2\) +\[32,128\] +0$/m);
  assert.match(text, /^Total parameters: 101,770$/m);
  assert.match(text, /^State \(non-trainable\): 0$/m);
});

Deno.test("summary: nested models list their leaves by path", () => {
  const net = nn.serial(nn.sequential({ a: nn.linear(2, 3) }), nn.residual(scale(1)));
  assert.deepEqual(nn.summaryRows(net, [1, 2]).map((r) => r.path), ["0.a", "1"]);
});

Deno.test("mermaid: a flowchart with shapes, branches and skip connections", () => {
  const serial = nn.mermaid(nn.sequential({ fc1: nn.linear(4, 8), fc2: nn.linear(8, 2) }), [1, 4]);
  assert.equal(
    serial,
    [
      "flowchart TD",
      '  n0(["input [1,4]"])',
      '  n1["fc1: Linear(in_features=4, out_features=8, bias=True)<br/>[1,8]"]',
      "  n0 --> n1",
      '  n2["fc2: Linear(in_features=8, out_features=2, bias=True)<br/>[1,2]"]',
      "  n1 --> n2",
      '  n3(["output"])',
      "  n2 --> n3",
    ].join("\n"),
  );
  const fan = nn.mermaid(nn.fanOut(scale(1), scale(2)), [3]);
  assert.match(fan, /n0 --> n1\n.*\n {2}n0 --> n2/);
  assert.match(fan, /n1 --> n3\n {2}n2 --> n3/);
  const res = nn.mermaid(nn.residual(scale(3)), [3]);
  // The block and the skip edge both enter the addition node.
  assert.match(res, /n2\(\("\+"\)\)\n {2}n1 --> n2\n {2}n0 --> n2/);
});

import assert from "node:assert/strict";
import { assertHelp, assertLearned, assertRejects, runExample } from "./run_example.ts";

Deno.test("examples/binary.ts: cross-entropy falls on a tiny run and classes are plotted", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const plot = `${dir}/moons.svg`;
    const r = await runExample("binary", ["--steps", "20", "--plot", plot]);
    assertLearned(r);
    const m = r.stdout.match(/^done: 20 steps .* test loss ([0-9.]+), test accuracy ([0-9.]+)%$/m);
    assert.ok(m, r.stdout);
    assert.ok(Number(m[2]) > 50, `accuracy ${m[2]}% is no better than chance`);
    const svg = await Deno.readTextFile(plot);
    assert.match(svg, /^<svg /);
    assert.equal(svg.match(/<circle /g)?.length, 500); // every test point, once
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("examples/binary.ts: bad flags exit 2 with one line and the usage", async () => {
  await assertRejects("binary", ["--lr=-1"], "binary: --lr must be a positive number, got -1");
  await assertRejects(
    "binary",
    ["--batch-size", "0"],
    "binary: --batch-size must be a positive integer, got 0",
  );
  await assertRejects(
    "binary",
    ["extra"],
    "binary: Unexpected argument 'extra'. This command does not take positional arguments",
  );
  await assertHelp("binary", ["--steps", "--lr", "--batch-size", "--seed", "--plot"]);
});

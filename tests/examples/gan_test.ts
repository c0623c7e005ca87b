import assert from "node:assert/strict";
import { assertHelp, assertLearned, assertRejects, runExample } from "./run_example.ts";

Deno.test("examples/gan.ts: generated points move towards the ring; the SVG is written", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const out = `${dir}/gan.svg`;
    const r = await runExample("gan", ["--steps", "60", "--batch-size", "64", "--out", out]);
    // GAN losses need not fall; the distance from generated points to the nearest mode must.
    assertLearned(r, "mode_distance");
    assert.match(r.stdout, /^step 1: d_loss [0-9.]+ g_loss [0-9.]+ mode_distance [0-9.]+$/m);
    assert.match(r.stdout, /^done: 60 steps .* modes covered [0-8]\/8$/m);
    const svg = await Deno.readTextFile(out);
    assert.match(svg, /^<svg /);
    assert.equal(svg.match(/<circle /g)?.length, 2000); // 1000 real and 1000 generated
    assert.match(svg, />real</);
    assert.match(svg, />generated</);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("examples/gan.ts: bad flags exit 2 with one line and the usage", async () => {
  await assertRejects("gan", ["--lr", "abc"], "gan: --lr must be a positive number, got abc");
  await assertRejects(
    "gan",
    ["--seed=-3"],
    "gan: --seed must be a non-negative integer, got -3",
  );
  await assertRejects(
    "gan",
    ["--seed", "-3"],
    'gan: --seed needs a value; write --seed=VALUE for one starting with "-"',
  );
  await assertRejects("gan", ["--out"], "gan: Option '--out <value>' argument missing");
  await assertHelp("gan", ["--steps", "--lr", "--batch-size", "--seed", "--out"]);
});

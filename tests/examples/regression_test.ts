import assert from "node:assert/strict";
import { assertHelp, assertLearned, assertRejects, runExample } from "./run_example.ts";

Deno.test("examples/regression.ts: MSE falls on a tiny run and the fit is plotted", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const plot = `${dir}/fit.svg`;
    const r = await runExample("regression", ["--steps", "20", "--lr", "0.02", "--plot", plot]);
    assertLearned(r);
    assert.match(r.stdout, /^done: 20 steps in [0-9.]+s, test mse vs sin\(x\) [0-9.]+$/m);
    const svg = await Deno.readTextFile(plot);
    assert.match(svg, /^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.equal(svg.match(/<polyline /g)?.length, 2); // sin(x) and the fit
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("examples/regression.ts: bad flags exit 2 with one line and the usage", async () => {
  await assertRejects(
    "regression",
    ["--lr", "abc"],
    "regression: --lr must be a positive number, got abc",
  );
  await assertRejects(
    "regression",
    ["--steps", "1.5"],
    "regression: --steps must be a positive integer, got 1.5",
  );
  await assertRejects("regression", ["--bogus"], "regression: Unknown option '--bogus'");
  // An unwritable output: one line naming the file, exit 2, no stack trace.
  const r = await runExample("regression", ["--steps", "1", "--plot", "/nonexistent-dir/x.svg"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^regression: cannot write \/nonexistent-dir\/x\.svg: .*\n$/);
  await assertHelp("regression", ["--steps", "--lr", "--batch-size", "--seed", "--plot"]);
});

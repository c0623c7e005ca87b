/**
 * examples/finetune.ts end to end on tiny settings: pre-training, a partial load into a new head,
 * fine-tuning with the convolutions frozen (bitwise), and accuracy reported before and after.
 */
import assert from "node:assert/strict";
import { assertHelp, assertRejects, runExample } from "./run_example.ts";

Deno.test("finetune: tiny run loads the body, freezes the convolutions and learns the new head", async () => {
  const r = await runExample("finetune", [
    "--pretrain-steps",
    "5",
    "--finetune-steps",
    "5",
    "--batch-size",
    "8",
    "--test-limit",
    "100",
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /loaded 6 tensors of the body; new: fc2\.bias, fc2\.weight/);
  assert.match(r.stdout, /^done: conv layers unchanged \(frozen\)$/m);
  const m = r.stdout.match(/digits 5-9 test accuracy: ([\d.]+)% before, ([\d.]+)% after/);
  assert.ok(m, r.stdout);
  // A fresh head is near chance (20%) on five classes; five steps on the frozen body beat it.
  assert.ok(Number(m[2]) > Number(m[1]), r.stdout);
});

Deno.test("finetune: bad flags give one line and exit 2; --help lists the flags", async () => {
  await assertRejects(
    "finetune",
    ["--finetune-steps", "x"],
    "finetune: --finetune-steps must be a positive integer, got x",
  );
  await assertHelp("finetune", ["--pretrain-steps", "--finetune-steps", "--batch-size"]);
});

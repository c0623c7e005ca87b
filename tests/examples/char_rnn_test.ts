import assert from "node:assert/strict";
import { assertHelp, assertLearned, assertRejects, runExample } from "./run_example.ts";

const TINY = ["--steps", "20", "--hidden", "32", "--seq-len", "16", "--batch-size", "8"];

Deno.test("examples/char_rnn.ts: the LSTM's loss falls and it samples text", async () => {
  const r = await runExample("char_rnn", [...TINY, "--length", "40", "--prime", "The "]);
  const losses = assertLearned(r);
  // A uniform guess over the text's characters costs log(V); the first step starts near it.
  const v = Number(r.stdout.match(/^text: \d+ characters, (\d+) distinct$/m)?.[1]);
  assert.ok(Math.abs(losses[0] - Math.log(v)) < 0.5, `first loss ${losses[0]} vs log ${v}`);
  const sample = r.stdout.match(/^--- sample \(temperature 0\.7\) ---\n([^]*?)\n---$/m)?.[1];
  assert.ok(sample !== undefined, r.stdout);
  assert.equal([...sample].length, 4 + 40);
  assert.ok(sample.startsWith("The "));
});

Deno.test("examples/char_rnn.ts: sampling is reproducible by seed", async () => {
  const run = () =>
    runExample("char_rnn", [...TINY, "--steps", "2", "--length", "30", "--seed", "3"]);
  const [a, b] = [await run(), await run()];
  assert.equal(a.code, 0, a.stderr);
  assert.equal(a.stdout.replace(/in [0-9.]+s/, ""), b.stdout.replace(/in [0-9.]+s/, ""));
});

Deno.test("examples/char_rnn.ts: bad flags and files exit 2 with one line", async () => {
  await assertRejects(
    "char_rnn",
    ["--temperature", "0"],
    "char_rnn: --temperature must be a positive number, got 0",
  );
  await assertRejects(
    "char_rnn",
    ["--prime", "Zebra~"],
    'char_rnn: --prime must be non-empty text using characters of the training text, got "Zebra~"',
  );
  await assertRejects("char_rnn", ["--lr"], "char_rnn: Option '--lr <value>' argument missing");
  const r = await runExample("char_rnn", ["--text", "/nonexistent/file.txt"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr.split("\n")[0], /^char_rnn: cannot read --text \/nonexistent\/file\.txt: /);
  assert.doesNotMatch(r.stderr, /^\s+at /m);
  await assertHelp("char_rnn", ["--steps", "--temperature", "--length", "--prime", "--text"]);
});

/**
 * Runs an example script as a user would (`deno run -A examples/NAME.ts ...flags`) and parses
 * what it prints. Shared by the tests in this folder; needs `--allow-run --allow-read`.
 */
import assert from "node:assert/strict";

/** What a finished example run printed. */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

const ROOT = new URL("../../", import.meta.url);

/** Runs `examples/<name>.ts` with `args` from the repository root. */
export async function runExample(name: string, args: string[]): Promise<RunResult> {
  const script = new URL(`examples/${name}.ts`, ROOT).pathname;
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--no-check", script, ...args],
    cwd: ROOT.pathname,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code, stdout: dec.decode(stdout), stderr: dec.decode(stderr) };
}

/** The numbers printed as `step N: ... <metric> X` lines, in order. */
export function metricByStep(stdout: string, metric = "loss"): number[] {
  const re = new RegExp(`^step \\d+:.*\\b${metric} (-?[0-9.]+(?:e[-+]?\\d+)?)`, "gm");
  return [...stdout.matchAll(re)].map((m) => Number(m[1]));
}

/** Asserts a successful run whose last printed metric is below its first. */
export function assertLearned(r: RunResult, metric = "loss"): number[] {
  assert.equal(r.code, 0, `exit code ${r.code}\n${r.stderr}`);
  const values = metricByStep(r.stdout, metric);
  assert.ok(values.length >= 2, `expected at least two "step N: ${metric}" lines:\n${r.stdout}`);
  assert.ok(values.every(Number.isFinite), `non-finite ${metric}: ${values}`);
  assert.ok(
    values[values.length - 1] < values[0],
    `${metric} did not decrease: first ${values[0]}, last ${values[values.length - 1]}`,
  );
  assert.match(r.stdout, /^done: /m);
  return values;
}

/**
 * Asserts the example rejects `args` with exit code 2, the one-line message `expected` first on
 * stderr, then the usage, and no stack trace.
 */
export async function assertRejects(name: string, args: string[], expected: string) {
  const r = await runExample(name, args);
  assert.equal(r.code, 2, `exit code ${r.code} for ${args.join(" ")}\n${r.stderr}`);
  const lines = r.stderr.trimEnd().split("\n");
  assert.equal(lines[0], expected);
  assert.match(lines[1] ?? "", /^usage: deno run -A examples\//);
  assert.doesNotMatch(r.stderr, /^\s+at /m, "stack trace on stderr");
  assert.equal(r.stdout, "");
}

/** Asserts `--help` prints the usage (listing `flags`) on stdout and exits 0. */
export async function assertHelp(name: string, flags: string[]) {
  const r = await runExample(name, ["--help"]);
  assert.equal(r.code, 0);
  assert.match(r.stdout, new RegExp(`^usage: deno run -A examples/${name}\\.ts`));
  for (const f of ["--help", ...flags]) assert.ok(r.stdout.includes(f), `usage lacks ${f}`);
  assert.equal(r.stderr, "");
}

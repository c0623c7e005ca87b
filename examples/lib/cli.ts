/**
 * Command-line flags for the examples: `node:util`'s `parseArgs` plus validation, with the
 * behaviour every example shares:
 *
 * - `--help` / `-h` prints the usage to stdout and exits 0.
 * - An unknown flag, a missing value, a stray positional argument or a bad value prints ONE line
 *   `name: what is wrong` and then the usage to stderr, and exits 2 (never a stack trace).
 *
 * Flags with values are declared as strings and converted by the typed readers, so the error can
 * quote what the user typed:
 *
 * ```ts
 * const cli = parseCli("regression", USAGE, {
 *   steps: { type: "string", default: "300" },
 *   lr: { type: "string", default: "0.01" },
 *   out: { type: "string" },
 * });
 * const steps = cli.positiveInt("steps"); // "regression: --steps must be a positive integer, got x"
 * const lr = cli.positiveNumber("lr");
 * const out = cli.string("out"); // undefined when not given
 * ```
 *
 * @module
 */
import { parseArgs } from "node:util";

/** A flag: a string with an optional default, or a boolean switch. */
export type FlagSpec =
  | { type: "string"; default?: string; short?: string }
  | { type: "boolean"; short?: string };

/** The parsed flags and readers that validate them (each exits 2 with a message when invalid). */
export interface Cli {
  /** The raw values: strings for string flags, `true`/`undefined` for boolean ones. */
  readonly values: Readonly<Record<string, string | boolean | undefined>>;
  /** Prints `name: message` and the usage to stderr and exits with code 2. */
  fail(message: string): never;
  /** The flag's value as it was typed, or `undefined` when absent and without default. */
  string(flag: string): string | undefined;
  /** Whether a boolean flag was given. */
  bool(flag: string): boolean;
  /** An integer >= 1. */
  positiveInt(flag: string): number;
  /** An integer >= 0. */
  nonNegativeInt(flag: string): number;
  /** A finite number > 0. */
  positiveNumber(flag: string): number;
  /** A finite number in the closed range [min, max]. */
  numberIn(flag: string, min: number, max: number): number;
  /** One of the listed words. */
  oneOf<const W extends string>(flag: string, words: readonly W[]): W;
}

/**
 * Parses `args` (default `Deno.args`) against `options`; `help` is added automatically. On
 * `--help` prints `usage` and exits 0; on a parse error prints one line and the usage and exits 2.
 */
export function parseCli(
  name: string,
  usage: string,
  options: Record<string, FlagSpec>,
  args: string[] = Deno.args,
): Cli {
  const fail = (message: string): never => {
    console.error(`${name}: ${message.split("\n")[0]}\n${usage}`);
    Deno.exit(2);
  };
  let values: Record<string, string | boolean | undefined> = {};
  try {
    ({ values } = parseArgs({
      args,
      options: { ...options, help: { type: "boolean", short: "h" } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    // parseArgs refuses `--lr -1` (the value looks like a flag) with a three-line explanation.
    const flag = msg.match(/^Option '(-[\w-]+)' argument is ambiguous/)?.[1];
    fail(flag ? `${flag} needs a value; write ${flag}=VALUE for one starting with "-"` : msg);
  }
  if (values.help) {
    console.log(usage);
    Deno.exit(0);
  }
  const raw = (flag: string): string => {
    const v = values[flag];
    if (typeof v !== "string") fail(`--${flag} is required`);
    return v as string;
  };
  const num = (flag: string, ok: (n: number) => boolean, what: string): number => {
    const text = raw(flag);
    const n = text.trim() === "" ? NaN : Number(text);
    if (!ok(n)) fail(`--${flag} must be ${what}, got ${text}`);
    return n;
  };
  return {
    values,
    fail,
    string: (flag) => {
      const v = values[flag];
      return typeof v === "string" ? v : undefined;
    },
    bool: (flag) => values[flag] === true,
    positiveInt: (flag) =>
      num(flag, (n) => Number.isSafeInteger(n) && n >= 1, "a positive integer"),
    nonNegativeInt: (flag) =>
      num(flag, (n) => Number.isSafeInteger(n) && n >= 0, "a non-negative integer"),
    positiveNumber: (flag) => num(flag, (n) => Number.isFinite(n) && n > 0, "a positive number"),
    numberIn: (flag, min, max) =>
      num(flag, (n) => n >= min && n <= max, `a number from ${min} to ${max}`),
    oneOf: <const W extends string>(flag: string, words: readonly W[]): W => {
      const text = raw(flag);
      if (!(words as readonly string[]).includes(text)) {
        fail(`--${flag} must be one of ${words.join(", ")}, got ${text}`);
      }
      return text as W;
    },
  };
}

/** Writes `text` to `path`, exiting 2 with a one-line message (not a stack trace) on failure. */
export async function writeOutput(name: string, path: string, text: string): Promise<void> {
  try {
    await Deno.writeTextFile(path, text);
  } catch (e) {
    console.error(`${name}: cannot write ${path}: ${e instanceof Error ? e.message : String(e)}`);
    Deno.exit(2);
  }
}

/**
 * A progress bar for training loops that needs no dependency: on a terminal it redraws one line
 * with `\r`; when output is piped it prints a plain line every `every` updates and at the end.
 */

/** What a progress line shows besides the bar. */
export interface ProgressInfo {
  /** Items done so far (samples, batches). */
  done: number;
  /** Extra fields, in order: `loss 0.1234`, `acc 97.1%`. */
  fields?: Record<string, string>;
}

/** A progress bar for `total` items, labelled `label`. */
export class Progress {
  readonly #total: number;
  readonly #label: string;
  readonly #tty: boolean;
  readonly #every: number;
  readonly #start = performance.now();
  #updates = 0;
  #last = "";
  #printed = "";

  /** Creates the bar; `every` is how many updates pass between lines when not on a terminal. */
  constructor(label: string, total: number, opts: { every?: number; tty?: boolean } = {}) {
    this.#label = label;
    this.#total = total;
    this.#tty = opts.tty ?? Deno.stdout.isTerminal();
    this.#every = Math.max(1, opts.every ?? 20);
  }

  /** The line for `info`: label, bar, count, fields, rate and ETA. */
  line(info: ProgressInfo): string {
    const frac = this.#total > 0 ? Math.min(1, info.done / this.#total) : 1;
    const width = 24;
    const filled = Math.round(frac * width);
    const bar = "#".repeat(filled) + "-".repeat(width - filled);
    const secs = (performance.now() - this.#start) / 1000;
    const rate = secs > 0 ? info.done / secs : 0;
    const eta = rate > 0 ? (this.#total - info.done) / rate : 0;
    const fields = Object.entries(info.fields ?? {}).map(([k, v]) => `${k} ${v}`).join("  ");
    return `${this.#label} [${bar}] ${info.done}/${this.#total}  ${fields}  ${rate.toFixed(0)}/s  ${
      info.done >= this.#total ? `${secs.toFixed(1)}s` : `eta ${eta.toFixed(0)}s`
    }`;
  }

  /** Shows progress (redraws on a terminal, prints every `every` updates otherwise). */
  update(info: ProgressInfo): void {
    this.#updates++;
    this.#last = this.line(info);
    if (this.#tty) Deno.stdout.writeSync(new TextEncoder().encode(`\r\x1b[2K${this.#last}`));
    else if (this.#updates % this.#every === 0) {
      console.log(this.#last);
      this.#printed = this.#last;
    }
  }

  /** Finishes the bar with a final line. */
  done(info: ProgressInfo): void {
    this.#last = this.line(info);
    if (this.#tty) Deno.stdout.writeSync(new TextEncoder().encode(`\r\x1b[2K${this.#last}\n`));
    // When piped, the last update may already have printed this very line.
    else if (this.#last !== this.#printed) console.log(this.#last);
  }
}

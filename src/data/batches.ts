/**
 * Batches of image tensors from an {@linkcode ImageSplit}.
 *
 * @module
 */
import { dispose, scoped } from "../backend/memory.ts";
import type { Key } from "../random/random.ts";
import type { Tensor } from "../core/tensor.ts";
import { fromTypedArray } from "../ops/creation.ts";
import type { ImageSplit } from "./mnist.ts";
import { permutationOrder } from "./order.ts";

/** Options for {@linkcode batches}. */
export interface BatchesOptions {
  /** Images per batch. */
  batchSize: number;
  /**
   * When given, the samples come in the order `random.permutation(key, n)` gives (the same key
   * always gives the same batches); otherwise in file order. For a new order each epoch pass
   * `random.foldIn(key, epoch)`.
   */
  key?: Key;
  /** Drop a last batch smaller than `batchSize` (default `false`: keep it). */
  dropLast?: boolean;
  /** Use only the first `limit` samples of the split (before shuffling). */
  limit?: number;
  /** Applied to each image batch, e.g. normalization: `(x) => div(sub(x, 0.1307), 0.3081)`. */
  transform?: (images: Tensor) => Tensor;
}

/** One batch: images `float32 [B, 1, rows, cols]` and labels `int32 [B]`. */
export interface ImageBatch {
  /** `float32 [B, 1, rows, cols]`, pixel / 255 (then `transform`, when given). */
  images: Tensor;
  /** `int32 [B]` class indices. */
  labels: Tensor;
}

function checkSplit(split: ImageSplit): void {
  const { count, rows, cols, images, labels } = split ?? {};
  if (!(images instanceof Uint8Array) || !(labels instanceof Uint8Array)) {
    throw new TypeError("data.batches: split.images and split.labels must be Uint8Arrays");
  }
  if (images.length !== count * rows * cols || labels.length !== count) {
    throw new RangeError(
      `data.batches: split says ${count} images of ${rows}x${cols}, but images holds ` +
        `${images.length} bytes (expected ${count * rows * cols}) and labels ${labels.length}`,
    );
  }
}

/**
 * The samples of a split as batches of tensors, built lazily one batch at a time: images as
 * `float32 [B, 1, rows, cols]` holding pixel / 255 (then `transform`), labels as `int32 [B]`.
 * Shuffled by `key` when one is given; the last partial batch is kept unless `dropLast`. The
 * result is re-iterable, and each iteration gives the same batches.
 *
 * @example
 * ```ts
 * import { data, random } from "@fluxion/fluxion";
 * const split: data.ImageSplit = {
 *   images: new Uint8Array([0, 255, 255, 0, 51, 102, 153, 204, 1, 2, 3, 4]),
 *   labels: new Uint8Array([3, 1, 4]),
 *   count: 3,
 *   rows: 2,
 *   cols: 2,
 * };
 * for await (const { images, labels } of data.batches(split, { batchSize: 2, key: random.key(0) })) {
 *   console.log(images.shape, labels.shape); // [ 2, 1, 2, 2 ] [ 2 ], then [ 1, 1, 2, 2 ] [ 1 ]
 * }
 * ```
 */
export function batches(split: ImageSplit, opts: BatchesOptions): AsyncIterable<ImageBatch> {
  checkSplit(split);
  const { batchSize, key, transform } = opts;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`data.batches: batchSize must be an integer >= 1, got ${batchSize}`);
  }
  const limit = opts.limit ?? split.count;
  if (!Number.isInteger(limit) || limit < 0 || limit > split.count) {
    throw new RangeError(
      `data.batches: limit must be an integer in 0..${split.count} (the split's count), got ` +
        `${limit}`,
    );
  }
  const order = key === undefined
    ? Int32Array.from({ length: limit }, (_, i) => i)
    : permutationOrder("data.batches", key, limit);
  const dropLast = opts.dropLast ?? false;
  const pixels = split.rows * split.cols;
  const { images, labels } = split;
  return {
    async *[Symbol.asyncIterator](): AsyncIterator<ImageBatch> {
      for (let start = 0; start < limit; start += batchSize) {
        const b = Math.min(batchSize, limit - start);
        if (b < batchSize && dropLast) return;
        const x = new Float32Array(b * pixels);
        const y = new Int32Array(b);
        for (let j = 0; j < b; j++) {
          const s = order[start + j];
          y[j] = labels[s];
          const src = s * pixels;
          const dst = j * pixels;
          for (let p = 0; p < pixels; p++) x[dst + p] = images[src + p] / 255;
        }
        let xt = fromTypedArray(x, [b, 1, split.rows, split.cols], "float32");
        if (transform) {
          // The transform's intermediates (and the raw pixels) are released at once.
          const raw = xt;
          xt = scoped(transform)(raw);
          if (xt !== raw) dispose(raw);
        }
        yield { images: xt, labels: fromTypedArray(y, [b], "int32") };
      }
    },
  };
}

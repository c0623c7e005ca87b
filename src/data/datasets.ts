/**
 * The two datasets by name: `mnist` (from a directory of IDX files, a download, or the embedded
 * digits) and `fashionMnist` (from a directory or a download).
 *
 * @module
 */
import { mnistDownload } from "./download.ts";
import { mnistEmbedded } from "./embedded.ts";
import { type ImageDataset, mnistFromDir } from "./mnist.ts";

/** Where a dataset comes from: a directory of IDX files, or a download into a cache. */
export type DatasetSource =
  | { readonly dir: string }
  | {
    readonly download: {
      readonly cacheDir: string;
      readonly baseUrl?: string;
      readonly sha256?: Readonly<Record<string, string>>;
    };
  };

function fromSource(
  op: string,
  kind: "mnist" | "fashion",
  source: DatasetSource,
): Promise<ImageDataset> {
  if ("dir" in source && typeof source.dir === "string") return mnistFromDir(source.dir, { kind });
  if ("download" in source && source.download && typeof source.download.cacheDir === "string") {
    return mnistDownload({ ...source.download, kind });
  }
  throw new TypeError(`${op}: expected { dir } or { download: { cacheDir } }`);
}

/**
 * MNIST: from `{ dir }` (IDX files, gzipped or not), `{ download: { cacheDir } }` (checked by
 * SHA-256 and cached), or, with no argument, the 10,000 embedded digits (no download; see
 * `mnistEmbedded` for the split).
 *
 * @example
 * ```ts
 * import { data } from "@fluxion/fluxion";
 * const { train, test } = await data.mnist(); // the embedded digits
 * console.log(train.count, test.count); // 8000 2000
 * ```
 */
export function mnist(source?: DatasetSource): Promise<ImageDataset> {
  return source === undefined ? mnistEmbedded() : fromSource("data.mnist", "mnist", source);
}

/**
 * Fashion-MNIST: from `{ dir }` (IDX files, e.g. Debian's `dataset-fashion-mnist` in
 * `/usr/share/datasets/fashion-mnist`) or `{ download: { cacheDir } }`.
 *
 * @example
 * ```ts
 * import { data } from "@fluxion/fluxion";
 * const load = () => data.fashionMnist({ dir: "/usr/share/datasets/fashion-mnist" });
 * ```
 */
export function fashionMnist(source: DatasetSource): Promise<ImageDataset> {
  return fromSource("data.fashionMnist", "fashion", source);
}

/**
 * MNIST-style image datasets (MNIST, Fashion-MNIST) from a directory of IDX files.
 *
 * @module
 */
import type { IdxArray } from "./idx.ts";
import { readIdxFile } from "./idx_file.ts";

/** One split of an image classification dataset: `count` images of `rows` x `cols` bytes. */
export interface ImageSplit {
  /** `count * rows * cols` pixels, 0..255, image after image, row-major. */
  images: Uint8Array;
  /** `count` class labels, 0..9. */
  labels: Uint8Array;
  /** The number of images. */
  count: number;
  /** Image height in pixels. */
  rows: number;
  /** Image width in pixels. */
  cols: number;
}

/** A dataset with a train and a test split. */
export interface ImageDataset {
  /** The training split. */
  train: ImageSplit;
  /** The test split. */
  test: ImageSplit;
  /** Where the data came from, in words (for logs and reports). */
  source: string;
}

/** Which MNIST-format dataset a directory holds: handwritten digits or Zalando's clothes. */
export type MnistKind = "mnist" | "fashion";

/** Options for {@linkcode mnistFromDir}. */
export interface MnistFromDirOptions {
  /** Which dataset the files hold (default `"mnist"`); only used in `source`. */
  kind?: MnistKind;
}

/** The four standard MNIST file names, without `.gz`. */
export const MNIST_FILES: {
  readonly trainImages: string;
  readonly trainLabels: string;
  readonly testImages: string;
  readonly testLabels: string;
} = {
  trainImages: "train-images-idx3-ubyte",
  trainLabels: "train-labels-idx1-ubyte",
  testImages: "t10k-images-idx3-ubyte",
  testLabels: "t10k-labels-idx1-ubyte",
};

const FN = "mnistFromDir";

function checkDims(path: string, a: IdxArray, ndims: number, what: string): void {
  if (a.dtype !== "uint8" || a.shape.length !== ndims) {
    throw new Error(
      `${FN}: ${path}: expected ${what} (uint8 with ${ndims} dimensions), found ${a.dtype} with ` +
        `shape [${a.shape.join(", ")}]`,
    );
  }
}

async function loadSplit(
  dir: string,
  names: Set<string>,
  images: string,
  labels: string,
): Promise<ImageSplit> {
  const find = (base: string): string => {
    for (const n of [base, `${base}.gz`]) if (names.has(n)) return `${dir}/${n}`;
    const has = [...names].sort();
    const listing = has.length === 0
      ? "the directory is empty"
      : `the directory has: ${has.slice(0, 20).join(", ")}${has.length > 20 ? ", ..." : ""}`;
    throw new Error(`${FN}: ${dir}: missing ${base} (or ${base}.gz); ${listing}`);
  };
  const imagesPath = find(images);
  const labelsPath = find(labels);
  const img = await readIdxFile(imagesPath);
  checkDims(imagesPath, img, 3, "images");
  const lab = await readIdxFile(labelsPath);
  checkDims(labelsPath, lab, 1, "labels");
  const [count, rows, cols] = img.shape;
  if (lab.shape[0] !== count) {
    throw new Error(
      `${FN}: ${labelsPath}: ${lab.shape[0]} labels but ${imagesPath} holds ${count} images`,
    );
  }
  const labelData = lab.data as Uint8Array;
  const bad = labelData.findIndex((l) => l > 9);
  if (bad >= 0) {
    throw new Error(
      `${FN}: ${labelsPath}: label ${labelData[bad]} at index ${bad} (byte ${
        8 + bad
      } of the file) is not a ` +
        `class 0..9`,
    );
  }
  return { images: img.data as Uint8Array, labels: labelData, count, rows, cols };
}

/**
 * Loads MNIST or Fashion-MNIST from a directory holding the four standard IDX files,
 * `{train,t10k}-{images-idx3,labels-idx1}-ubyte`, each gzipped (`.gz`) or not. Checks that each
 * file is what its name says (uint8 images `[N, rows, cols]`, uint8 labels `[N]`), that image and
 * label counts agree, and that every label is 0..9; errors name the file, and a missing file's
 * error lists what the directory holds.
 *
 * @example
 * ```ts
 * import { data } from "@fluxion/fluxion";
 * // Debian's dataset-fashion-mnist installs the files in /usr/share/datasets/fashion-mnist.
 * async function fashion(): Promise<data.ImageDataset> {
 *   return await data.mnistFromDir("/usr/share/datasets/fashion-mnist", { kind: "fashion" });
 * }
 * ```
 */
export async function mnistFromDir(
  dir: string,
  opts: MnistFromDirOptions = {},
): Promise<ImageDataset> {
  const kind = opts.kind ?? "mnist";
  if (kind !== "mnist" && kind !== "fashion") {
    throw new Error(`${FN}: kind must be "mnist" or "fashion", got ${JSON.stringify(kind)}`);
  }
  const names = new Set<string>();
  try {
    for await (const e of Deno.readDir(dir)) if (e.isFile || e.isSymlink) names.add(e.name);
  } catch (e) {
    throw new Error(`${FN}: ${dir}: cannot list the directory: ${(e as Error).message}`);
  }
  const train = await loadSplit(dir, names, MNIST_FILES.trainImages, MNIST_FILES.trainLabels);
  const test = await loadSplit(dir, names, MNIST_FILES.testImages, MNIST_FILES.testLabels);
  if (train.rows !== test.rows || train.cols !== test.cols) {
    throw new Error(
      `${FN}: ${dir}: train images are ${train.rows}x${train.cols} but test images are ` +
        `${test.rows}x${test.cols}`,
    );
  }
  const what = kind === "fashion" ? "Fashion-MNIST" : "MNIST";
  return {
    train,
    test,
    source: `${what} IDX files in ${dir} (${train.count} train, ${test.count} test)`,
  };
}

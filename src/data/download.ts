/**
 * Downloads into a cache directory, checked by SHA-256 and written atomically.
 *
 * @module
 */
import { type ImageDataset, MNIST_FILES, mnistFromDir, type MnistKind } from "./mnist.ts";

/** Options for {@linkcode download}. */
export interface DownloadOptions {
  /** The directory to keep the file in (created when missing). */
  cacheDir: string;
  /**
   * The expected SHA-256 of the file, 64 hex digits. With it, a cached file is reused only when
   * it matches, and a download that does not match is rejected. Without it, any cached file of
   * that name is reused.
   */
  sha256?: string;
  /** The name to store the file under (default: the last segment of the URL's path). */
  fileName?: string;
}

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

async function readIfExists(path: string): Promise<Uint8Array | undefined> {
  try {
    return await Deno.readFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw new Error(`download: ${path}: cannot read the cached file: ${(e as Error).message}`);
  }
}

/**
 * Downloads `url` into `cacheDir` and returns the file's path. The body is checked against
 * `sha256` (when given) before anything is written, then written to a temporary file in
 * `cacheDir` and renamed into place, so the cache never holds a torn or unverified file. A cached
 * file whose hash matches is returned without a request; one that does not match is deleted and
 * downloaded again. A download whose hash does not match is rejected with both hashes, leaving
 * nothing behind. Needs `--allow-net` and `--allow-write`.
 *
 * @example
 * ```ts
 * import { data } from "@fluxion/fluxion";
 * async function fetchLabels(cacheDir: string): Promise<string> {
 *   return await data.download(
 *     "https://ossci-datasets.s3.amazonaws.com/mnist/t10k-labels-idx1-ubyte.gz",
 *     { cacheDir, sha256: "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6" },
 *   );
 * }
 * ```
 */
export async function download(url: string, opts: DownloadOptions): Promise<string> {
  const { cacheDir } = opts;
  const expected = opts.sha256?.toLowerCase();
  if (expected !== undefined && !/^[0-9a-f]{64}$/.test(expected)) {
    throw new Error(`download: ${url}: sha256 must be 64 hex digits, got ${opts.sha256}`);
  }
  let fileName = opts.fileName;
  if (fileName === undefined) {
    try {
      fileName = new URL(url).pathname.split("/").pop() ?? "";
    } catch {
      throw new Error(`download: ${JSON.stringify(url)} is not a valid URL`);
    }
  }
  if (fileName === "" || fileName === "." || fileName === ".." || /[/\\]/.test(fileName)) {
    throw new Error(
      `download: ${url}: cannot store it as ${JSON.stringify(fileName)}; pass a plain fileName`,
    );
  }
  const path = `${cacheDir}/${fileName}`;
  const cached = await readIfExists(path);
  if (cached !== undefined) {
    if (expected === undefined || (await sha256Hex(cached)) === expected) return path;
    await Deno.remove(path);
  }
  let body: Uint8Array;
  try {
    const res = await fetch(url);
    if (!res.ok) {
      await res.body?.cancel();
      throw new Error(`HTTP ${res.status} ${res.statusText}`);
    }
    body = new Uint8Array(await res.arrayBuffer());
  } catch (e) {
    throw new Error(`download: ${url}: ${(e as Error).message}`);
  }
  if (expected !== undefined) {
    const actual = await sha256Hex(body);
    if (actual !== expected) {
      throw new Error(
        `download: ${url}: SHA-256 mismatch: expected ${expected}, got ${actual} ` +
          `(${body.length} bytes); nothing was saved`,
      );
    }
  }
  await Deno.mkdir(cacheDir, { recursive: true });
  const temp = await Deno.makeTempFile({ dir: cacheDir, prefix: `.${fileName}.`, suffix: ".part" });
  try {
    await Deno.writeFile(temp, body);
    await Deno.rename(temp, path);
  } catch (e) {
    await Deno.remove(temp).catch(() => {});
    throw new Error(`download: ${url}: cannot write ${path}: ${(e as Error).message}`);
  }
  return path;
}

/** The SHA-256 of the standard gzipped files, by dataset and file name. */
export const MNIST_SHA256: Readonly<Record<MnistKind, Readonly<Record<string, string>>>> = {
  mnist: {
    "train-images-idx3-ubyte.gz":
      "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
    "train-labels-idx1-ubyte.gz":
      "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
    "t10k-images-idx3-ubyte.gz": "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
    "t10k-labels-idx1-ubyte.gz": "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
  },
  fashion: {
    "train-images-idx3-ubyte.gz":
      "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
    "train-labels-idx1-ubyte.gz":
      "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
    "t10k-images-idx3-ubyte.gz": "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
    "t10k-labels-idx1-ubyte.gz": "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
  },
};

/** Where {@linkcode mnistDownload} fetches from by default. */
export const MNIST_BASE_URL: Readonly<Record<MnistKind, string>> = {
  mnist: "https://ossci-datasets.s3.amazonaws.com/mnist/",
  fashion: "https://fashion-mnist.s3.eu-central-1.amazonaws.com/",
};

/** Options for {@linkcode mnistDownload}. */
export interface MnistDownloadOptions {
  /** The cache directory; the files go in `<cacheDir>/<kind>/`. */
  cacheDir: string;
  /** Which dataset (default `"mnist"`). */
  kind?: MnistKind;
  /** Where the four `.gz` files live (default {@linkcode MNIST_BASE_URL}`[kind]`). */
  baseUrl?: string;
  /**
   * SHA-256 per file name (`"train-images-idx3-ubyte.gz"`, ...), replacing the standard ones in
   * {@linkcode MNIST_SHA256} (e.g. for a mirror serving other files).
   */
  sha256?: Readonly<Record<string, string>>;
}

/**
 * Downloads the four gzipped IDX files of MNIST or Fashion-MNIST into `<cacheDir>/<kind>/`
 * (each checked against {@linkcode MNIST_SHA256}, and reused from the cache when it matches),
 * then loads them with {@linkcode mnistFromDir}.
 *
 * @example
 * ```ts
 * import { data } from "@fluxion/fluxion";
 * async function fullMnist(): Promise<data.ImageDataset> {
 *   return await data.mnistDownload({ cacheDir: ".cache/fluxion" });
 * }
 * ```
 */
export async function mnistDownload(opts: MnistDownloadOptions): Promise<ImageDataset> {
  const kind = opts.kind ?? "mnist";
  if (kind !== "mnist" && kind !== "fashion") {
    throw new Error(
      `mnistDownload: kind must be "mnist" or "fashion", got ${JSON.stringify(kind)}`,
    );
  }
  const base = opts.baseUrl ?? MNIST_BASE_URL[kind];
  const dir = `${opts.cacheDir}/${kind}`;
  for (const name of Object.values(MNIST_FILES)) {
    const fileName = `${name}.gz`;
    const url = new URL(fileName, base.endsWith("/") ? base : `${base}/`).href;
    const sha256 = opts.sha256?.[fileName] ?? MNIST_SHA256[kind][fileName];
    await download(url, { cacheDir: dir, sha256, fileName });
  }
  const ds = await mnistFromDir(dir, { kind });
  return { ...ds, source: `${ds.source}, downloaded from ${base}` };
}

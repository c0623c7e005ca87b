/**
 * IDX files on disk and gzipped IDX bytes: inflated stream-wise, with the inflated size capped by
 * what the IDX header declares.
 *
 * @module
 */
import { type IdxArray, readIdx } from "./idx.ts";
import { describeHeader, type IdxHeader, isGzip, parseIdxHeader } from "./idx_header.ts";

/** Options for {@linkcode gunzipIdx} and {@linkcode readIdxFile}. */
export interface GunzipIdxOptions {
  /** The file name to put in error messages (default `"IDX bytes"`). */
  name?: string;
  /**
   * The most bytes the inflated file may hold (default 2 GiB). A header declaring more is refused
   * before inflating further.
   */
  maxBytes?: number;
}

const DEFAULT_MAX_BYTES = 2 ** 31;

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(total);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

/**
 * Inflates gzipped IDX bytes (bytes that are not gzip are returned as they are). The IDX header
 * is validated as soon as it has been inflated; inflating stops with an error once the output
 * passes the size that header declares, or `maxBytes`, so a small corrupt or malicious file cannot
 * make it allocate gigabytes. The result still goes through {@linkcode readIdx}'s checks.
 *
 * @example
 * ```ts
 * import { data } from "@fluxion/fluxion";
 * const idx = new Uint8Array([0, 0, 8, 1, 0, 0, 0, 2, 7, 3]);
 * const gz = new Uint8Array(
 *   await new Response(new Blob([idx]).stream().pipeThrough(new CompressionStream("gzip")))
 *     .arrayBuffer(),
 * );
 * console.log(data.readIdx(await data.gunzipIdx(gz)).data); // Uint8Array(2) [ 7, 3 ]
 * ```
 */
export async function gunzipIdx(
  bytes: Uint8Array,
  opts: GunzipIdxOptions = {},
): Promise<Uint8Array> {
  const name = opts.name ?? "IDX bytes";
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  if (!isGzip(bytes)) return bytes;
  const input = new ReadableStream<BufferSource>({
    start(c) {
      c.enqueue(bytes as Uint8Array<ArrayBuffer>);
      c.close();
    },
  });
  const reader = input.pipeThrough(new DecompressionStream("gzip")).getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  let header: IdxHeader | undefined;
  let limit = maxBytes;
  const fail = async (msg: string): Promise<never> => {
    await reader.cancel().catch(() => {});
    throw new Error(`gunzipIdx: ${name}: ${msg}`);
  };
  for (;;) {
    let step: ReadableStreamReadResult<Uint8Array>;
    try {
      step = await reader.read();
    } catch (e) {
      throw new Error(
        `gunzipIdx: ${name}: the gzip data is corrupt or truncated (after inflating ${total} ` +
          `bytes): ${(e as Error).message}`,
      );
    }
    if (step.done) break;
    chunks.push(step.value);
    total += step.value.length;
    if (header === undefined) {
      const head = concat(chunks.slice(), total);
      header = parseIdxHeader("gunzipIdx", `${name} (inflated)`, head.subarray(0, 36), true);
      if (header !== undefined) {
        const declared = BigInt(header.headerBytes) + header.payloadBytes;
        if (declared > BigInt(maxBytes)) {
          await fail(
            `header says ${describeHeader(header)}, more than the ${maxBytes}-byte limit ` +
              `(maxBytes)`,
          );
        }
        limit = Number(declared);
      }
    }
    if (total > limit) {
      await fail(
        header === undefined
          ? `inflates past the ${maxBytes}-byte limit (maxBytes)`
          : `inflates past the ${limit} bytes its header declares (${describeHeader(header)} ` +
            `after the ${header.headerBytes}-byte header): trailing data`,
      );
    }
  }
  return concat(chunks, total);
}

/**
 * Reads an IDX file, gzipped (`.gz`, detected by its magic number, not its name) or not, and
 * parses it with {@linkcode readIdx}; errors name the path.
 *
 * @example
 * ```ts
 * import { data } from "@fluxion/fluxion";
 * async function testLabels(dir: string): Promise<Uint8Array> {
 *   const labels = await data.readIdxFile(`${dir}/t10k-labels-idx1-ubyte.gz`);
 *   if (labels.dtype !== "uint8") throw new Error(`expected uint8 labels, got ${labels.dtype}`);
 *   return labels.data as Uint8Array;
 * }
 * ```
 */
export async function readIdxFile(
  path: string,
  opts: Omit<GunzipIdxOptions, "name"> = {},
): Promise<IdxArray> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (e) {
    throw new Error(`readIdxFile: ${path}: cannot read the file: ${(e as Error).message}`);
  }
  return readIdx(await gunzipIdx(bytes, { ...opts, name: path }), { name: path });
}

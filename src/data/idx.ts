/**
 * The IDX file format of MNIST: a 4-byte magic number (`00 00`, a type code, the number of
 * dimensions), one big-endian uint32 per dimension, then the elements in big-endian row-major
 * order. Headers are validated completely before anything is allocated from their sizes.
 *
 * @module
 */
import { describeHeader, type IdxDType, type IdxHeader, parseIdxHeader } from "./idx_header.ts";

export type { IdxDType };

/** The typed array holding the elements of each {@linkcode IdxDType}. */
export type IdxTypedArray =
  | Uint8Array
  | Int8Array
  | Int16Array
  | Int32Array
  | Float32Array
  | Float64Array;

/** A parsed IDX file: its element type, its dimensions and its elements in row-major order. */
export interface IdxArray {
  /** The element type named by the file's type code. */
  dtype: IdxDType;
  /** The dimensions from the header, e.g. `[60000, 28, 28]`. */
  shape: number[];
  /** The elements (native byte order), `shape` multiplied together long. */
  data: IdxTypedArray;
}

/** Options naming the source of IDX bytes in error messages. */
export interface IdxReadOptions {
  /** The file name to put in error messages (default `"IDX bytes"`). */
  name?: string;
}

function decode(h: IdxHeader, payload: Uint8Array): IdxTypedArray {
  const n = Number(h.count);
  switch (h.dtype) {
    case "uint8":
      return payload.slice();
    case "int8":
      return new Int8Array(payload.slice().buffer);
  }
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const out = h.dtype === "int16"
    ? new Int16Array(n)
    : h.dtype === "int32"
    ? new Int32Array(n)
    : h.dtype === "float32"
    ? new Float32Array(n)
    : new Float64Array(n);
  const read = h.dtype === "int16"
    ? (o: number) => view.getInt16(o, false)
    : h.dtype === "int32"
    ? (o: number) => view.getInt32(o, false)
    : h.dtype === "float32"
    ? (o: number) => view.getFloat32(o, false)
    : (o: number) => view.getFloat64(o, false);
  for (let i = 0, o = 0; i < n; i++, o += h.elementSize) out[i] = read(o);
  return out;
}

/**
 * Parses an uncompressed IDX file held in memory. The magic number, type code, number of
 * dimensions and the exact payload length (no missing and no trailing bytes) are checked before
 * anything is allocated, and errors name the file, the byte offset, and what was expected and
 * found. Gzipped bytes are refused with a pointer to {@linkcode gunzipIdx}; for files on disk use
 * {@linkcode readIdxFile}, which inflates them.
 *
 * @example
 * ```ts
 * import { data } from "@fluxion/fluxion";
 * // 2 labels of type uint8: magic 00 00 08 01, dimension 2, then the bytes 7 and 3.
 * const labels = data.readIdx(new Uint8Array([0, 0, 8, 1, 0, 0, 0, 2, 7, 3]));
 * console.log(labels.dtype, labels.shape, labels.data); // "uint8" [ 2 ] Uint8Array(2) [ 7, 3 ]
 * ```
 */
export function readIdx(bytes: Uint8Array, opts: IdxReadOptions = {}): IdxArray {
  const name = opts.name ?? "IDX bytes";
  if (!(bytes instanceof Uint8Array)) {
    throw new TypeError(`readIdx: ${name}: expected a Uint8Array, got ${typeof bytes}`);
  }
  const h = parseIdxHeader("readIdx", name, bytes)!;
  const remain = bytes.length - h.headerBytes;
  if (BigInt(remain) !== h.payloadBytes) {
    throw new Error(
      `readIdx: ${name}: header says ${describeHeader(h)} but ${remain} remain after the ` +
        `${h.headerBytes}-byte header`,
    );
  }
  return { dtype: h.dtype, shape: h.shape, data: decode(h, bytes.subarray(h.headerBytes)) };
}

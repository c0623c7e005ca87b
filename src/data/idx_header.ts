/**
 * IDX header parsing, shared by the in-memory and the streaming readers (internal to `data`).
 *
 * @module
 */

/** The element types IDX files can hold. */
export type IdxDType = "uint8" | "int8" | "int16" | "int32" | "float32" | "float64";

const TYPES: Record<number, { dtype: IdxDType; size: number }> = {
  0x08: { dtype: "uint8", size: 1 },
  0x09: { dtype: "int8", size: 1 },
  0x0b: { dtype: "int16", size: 2 },
  0x0c: { dtype: "int32", size: 4 },
  0x0d: { dtype: "float32", size: 4 },
  0x0e: { dtype: "float64", size: 8 },
};

/** The most dimensions an IDX header may declare. */
const MAX_NDIMS = 8;

/** A validated IDX header (internal). */
export interface IdxHeader {
  dtype: IdxDType;
  elementSize: number;
  shape: number[];
  headerBytes: number;
  /** Element count, exact (a bigint, since 8 uint32 dimensions can exceed 2^53). */
  count: bigint;
  /** Payload bytes the header declares, exact. */
  payloadBytes: bigint;
}

function hex(b: number): string {
  return b.toString(16).padStart(2, "0");
}

/**
 * Parses and validates the header at the start of `bytes` (internal). Returns `undefined` when
 * `bytes` is too short to hold the whole header and `partial` is set (a stream still filling);
 * otherwise a short header is an error.
 */
export function parseIdxHeader(
  fn: string,
  name: string,
  bytes: Uint8Array,
  partial = false,
): IdxHeader | undefined {
  const at = (msg: string) => new Error(`${fn}: ${name}: ${msg}`);
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    throw at(
      "bad magic at byte 0: found 1f 8b, the start of gzip data; use data.readIdxFile or " +
        "data.gunzipIdx to inflate it first",
    );
  }
  if (bytes.length < 4) {
    if (partial) return undefined;
    throw at(
      `truncated header: the magic number needs 4 bytes at byte 0, found ${bytes.length}`,
    );
  }
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    const found = Array.from(bytes.subarray(0, 4), hex).join(" ");
    throw at(`bad magic at byte 0: expected 00 00 <type> <ndims>, found ${found}`);
  }
  const type = TYPES[bytes[2]];
  if (type === undefined) {
    const known = Object.entries(TYPES).map(([c, t]) => `0x${hex(Number(c))} (${t.dtype})`);
    throw at(
      `unknown type code 0x${hex(bytes[2])} at byte 2: expected one of ${known.join(", ")}`,
    );
  }
  const ndims = bytes[3];
  if (ndims < 1 || ndims > MAX_NDIMS) {
    throw at(`bad number of dimensions at byte 3: expected 1..${MAX_NDIMS}, found ${ndims}`);
  }
  const headerBytes = 4 + 4 * ndims;
  if (bytes.length < headerBytes) {
    if (partial) return undefined;
    throw at(
      `truncated header: ${ndims} dimensions need a ${headerBytes}-byte header, found ` +
        `${bytes.length} bytes`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, headerBytes);
  const shape: number[] = [];
  let count = 1n;
  for (let i = 0; i < ndims; i++) {
    const d = view.getUint32(4 + 4 * i, false);
    shape.push(d);
    count *= BigInt(d);
  }
  return {
    dtype: type.dtype,
    elementSize: type.size,
    shape,
    headerBytes,
    count,
    payloadBytes: count * BigInt(type.size),
  };
}

/** `60000x28x28 = 47040000 bytes of uint8` or `2x3 = 6 int32 values (24 bytes)`. */
export function describeHeader(h: IdxHeader): string {
  const dims = h.shape.join("x");
  return h.elementSize === 1
    ? `${dims} = ${h.payloadBytes} bytes of ${h.dtype}`
    : `${dims} = ${h.count} ${h.dtype} values (${h.payloadBytes} bytes)`;
}

/** Whether `bytes` starts with the gzip magic number `1f 8b`. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

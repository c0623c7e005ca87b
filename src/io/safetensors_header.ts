/**
 * The safetensors header: validating a file's header against its size before anything is
 * allocated from its claims, and building the header of a file to write.
 *
 * Layout: 8 bytes little-endian u64 N, N bytes of UTF-8 JSON (an object mapping tensor names to
 * `{ dtype, shape, data_offsets: [begin, end] }`, plus an optional `__metadata__` object of
 * strings), then the data section, which the tensors' byte ranges (relative to its start) cover
 * exactly, without holes or overlaps.
 *
 * @module
 */
import { isKnownDtype, isReadableDtype, READ_AS, ST_ITEMSIZE } from "./safetensors_dtypes.ts";

/** The largest header accepted, as the reference implementation's limit (100 MB). */
export const MAX_HEADER_BYTES = 100_000_000;

/** One tensor as the header describes it, validated. */
export interface HeaderEntry {
  readonly name: string;
  readonly dtype: string;
  readonly shape: readonly number[];
  /** Byte range relative to the start of the data section. */
  readonly begin: number;
  readonly end: number;
}

/** A validated header. */
export interface Header {
  readonly entries: readonly HeaderEntry[];
  readonly metadata: Record<string, string>;
  /** Offset of the data section in the file (8 + header length). */
  readonly dataStart: number;
}

const FIELDS = ["data_offsets", "dtype", "shape"];

/**
 * Validates `bytes` (a whole safetensors file) and returns its header. `where` is the error
 * prefix: the function and the file (`loadSafetensors: model.safetensors`).
 */
export function parseHeader(where: string, bytes: Uint8Array): Header {
  const fail = (msg: string): never => {
    throw new Error(`${where}: ${msg}`);
  };
  if (bytes.byteLength < 8) {
    fail(`the file has ${bytes.byteLength} bytes, fewer than the 8-byte header length`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lenLo = view.getUint32(0, true);
  const lenHi = view.getUint32(4, true);
  const headerLen = lenHi * 2 ** 32 + lenLo;
  if (headerLen > MAX_HEADER_BYTES) {
    fail(
      `the header length at byte 0 is ${
        view.getBigUint64(0, true)
      }, above the limit of ${MAX_HEADER_BYTES} bytes`,
    );
  }
  if (8 + headerLen > bytes.byteLength) {
    fail(
      `the header length at byte 0 is ${headerLen}, past the end of the file ` +
        `(${bytes.byteLength} bytes, so at most ${bytes.byteLength - 8})`,
    );
  }
  const dataStart = 8 + headerLen;
  const dataLen = bytes.byteLength - dataStart;
  let text = "";
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true })
      .decode(bytes.subarray(8, dataStart));
  } catch {
    fail(`the header (bytes 8 to ${dataStart}) is not valid UTF-8`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    fail(`the header (bytes 8 to ${dataStart}) is not JSON: ${(e as Error).message}`);
  }
  if (json === null || typeof json !== "object" || Array.isArray(json)) {
    fail(`the header must be a JSON object, found ${describe(json)}`);
  }
  checkDuplicateKeys(text, fail);

  let metadata: Record<string, string> = {};
  const entries: HeaderEntry[] = [];
  for (const [name, info] of Object.entries(json as Record<string, unknown>)) {
    if (name === "__metadata__") {
      metadata = checkMetadata(info, fail);
      continue;
    }
    entries.push(checkEntry(name, info, dataLen, fail));
  }
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let pos = 0;
  let prev = "";
  for (const e of sorted) {
    if (e.begin < pos) {
      fail(
        `tensor "${e.name}" (data_offsets [${e.begin}, ${e.end}]) overlaps tensor "${prev}", ` +
          `which ends at ${pos}`,
      );
    }
    if (e.begin > pos) {
      fail(
        `tensor "${e.name}" starts at data offset ${e.begin}, leaving a hole after ${
          prev ? `tensor "${prev}", which ends at ${pos}` : "the start of the data section (0)"
        }`,
      );
    }
    pos = e.end;
    prev = e.name;
  }
  if (pos !== dataLen) {
    fail(
      `the tensors cover ${pos} bytes of the data section, but it has ${dataLen} ` +
        `(bytes ${dataStart} to ${bytes.byteLength} of the file)`,
    );
  }
  return { entries, metadata, dataStart };
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "string") return `the string ${JSON.stringify(v)}`;
  return `${typeof v} ${JSON.stringify(v)}`;
}

function checkMetadata(info: unknown, fail: (m: string) => never): Record<string, string> {
  if (info === null || typeof info !== "object" || Array.isArray(info)) {
    fail(`"__metadata__" must be an object of strings, found ${describe(info)}`);
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(info as Record<string, unknown>)) {
    if (typeof v !== "string") {
      fail(`"__metadata__" entry "${k}" must be a string, found ${describe(v)}`);
    }
    Object.defineProperty(out, k, {
      value: v,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

function checkEntry(
  name: string,
  info: unknown,
  dataLen: number,
  fail: (m: string) => never,
): HeaderEntry {
  const at = `tensor "${name}"`;
  if (info === null || typeof info !== "object" || Array.isArray(info)) {
    fail(`${at}: expected an object { dtype, shape, data_offsets }, found ${describe(info)}`);
  }
  const o = info as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!FIELDS.includes(k)) fail(`${at}: unknown field "${k}" (expected ${FIELDS.join(", ")})`);
  }
  for (const k of FIELDS) if (!(k in o)) fail(`${at}: missing field "${k}"`);
  const { dtype, shape, data_offsets: offsets } = o;
  if (typeof dtype !== "string" || !isKnownDtype(dtype)) {
    fail(`${at}: unknown dtype ${JSON.stringify(dtype)}`);
  }
  const dt = dtype as string;
  if (!isReadableDtype(dt)) {
    fail(
      `${at}: dtype ${dt} is not supported; fluxion reads ${Object.keys(READ_AS).join(", ")}`,
    );
  }
  if (!Array.isArray(shape)) fail(`${at}: shape must be an array, found ${describe(shape)}`);
  const dims = shape as unknown[];
  dims.forEach((d, i) => {
    if (typeof d !== "number" || !Number.isSafeInteger(d) || d < 0) {
      fail(
        `${at}: shape ${JSON.stringify(shape)} has ${JSON.stringify(d)} at dimension ${i}; ` +
          `dimensions must be non-negative integers`,
      );
    }
  });
  if (
    !Array.isArray(offsets) || offsets.length !== 2 ||
    offsets.some((x) => typeof x !== "number" || !Number.isSafeInteger(x) || x < 0)
  ) {
    fail(
      `${at}: data_offsets must be [begin, end] of non-negative integers, found ${
        JSON.stringify(offsets)
      }`,
    );
  }
  const [begin, end] = offsets as number[];
  if (begin > end) fail(`${at}: data_offsets [${begin}, ${end}] has begin > end`);
  if (end > dataLen) {
    fail(`${at}: data_offsets [${begin}, ${end}] end past the data section (${dataLen} bytes)`);
  }
  const count = (dims as number[]).reduce((a, b) => a * b, 1);
  const need = count * ST_ITEMSIZE[dt];
  if (need !== end - begin) {
    fail(
      `${at}: shape ${JSON.stringify(shape)} of ${dt} needs ${need} bytes, but data_offsets ` +
        `[${begin}, ${end}] hold ${end - begin}`,
    );
  }
  return { name, dtype: dt, shape: dims as number[], begin, end };
}

/**
 * Throws if an object in the (already valid) JSON `text` repeats a key: `JSON.parse` keeps the
 * last one silently. Reports the byte offset of the repeat in the file.
 */
function checkDuplicateKeys(text: string, fail: (m: string) => never): void {
  const stack: ({ keys: Set<string>; expectKey: boolean } | null)[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    const top = stack[stack.length - 1];
    if (c === "{") stack.push({ keys: new Set(), expectKey: true });
    else if (c === "[") stack.push(null);
    else if (c === "}" || c === "]") stack.pop();
    else if (c === "," && top) top.expectKey = true;
    else if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
      if (top && top.expectKey) {
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        if (top.keys.has(key)) {
          const offset = 8 + new TextEncoder().encode(text.slice(0, i)).byteLength;
          fail(`the header repeats the key ${JSON.stringify(key)} (at byte ${offset})`);
        }
        top.keys.add(key);
        top.expectKey = false;
      }
      i = j;
    }
  }
}

/**
 * The header bytes of a file holding `entries` (in data order, their offsets consecutive) and
 * `metadata`: JSON padded with spaces to a multiple of 8 bytes, after its 8-byte length.
 */
export function buildHeader(
  entries: readonly HeaderEntry[],
  metadata: Record<string, string> | undefined,
): Uint8Array {
  const parts: string[] = [];
  if (metadata !== undefined) parts.push(`"__metadata__":${JSON.stringify(metadata)}`);
  for (const e of entries) {
    parts.push(
      `${JSON.stringify(e.name)}:{"dtype":"${e.dtype}","shape":${
        JSON.stringify(e.shape)
      },"data_offsets":[${e.begin},${e.end}]}`,
    );
  }
  const json = new TextEncoder().encode(`{${parts.join(",")}}`);
  const padded = Math.ceil(json.byteLength / 8) * 8;
  const out = new Uint8Array(8 + padded).fill(0x20, 8 + json.byteLength);
  new DataView(out.buffer).setBigUint64(0, BigInt(padded), true);
  out.set(json, 8);
  return out;
}

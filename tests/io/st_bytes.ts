/**
 * Hand-built safetensors files for the io tests: a header object (or raw header text) and a data
 * section, laid out as the format says, with no fluxion code involved.
 */

/** A file: u64 LE header length, the header text padded with spaces to 8, then `data`. */
export function fileOf(
  header: string | Record<string, unknown>,
  data: Uint8Array = new Uint8Array(0),
  opts: { pad?: boolean; length?: bigint } = {},
): Uint8Array {
  let json = new TextEncoder().encode(typeof header === "string" ? header : JSON.stringify(header));
  if (opts.pad ?? true) {
    const padded = new Uint8Array(Math.ceil(json.length / 8) * 8).fill(0x20);
    padded.set(json);
    json = padded;
  }
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, opts.length ?? BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

/** Little-endian float32 bytes of `values`. */
export function f32Bytes(values: readonly number[]): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const v = new DataView(out.buffer);
  values.forEach((x, i) => v.setFloat32(4 * i, x, true));
  return out;
}

/** Little-endian int64 bytes of `values`. */
export function i64Bytes(values: readonly bigint[]): Uint8Array {
  const out = new Uint8Array(values.length * 8);
  const v = new DataView(out.buffer);
  values.forEach((x, i) => v.setBigInt64(8 * i, x, true));
  return out;
}

/** The header JSON text of a safetensors file. */
export function headerText(bytes: Uint8Array): string {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  return new TextDecoder().decode(bytes.subarray(8, 8 + n));
}

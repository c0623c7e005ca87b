/**
 * safetensors element types: their sizes, which fluxion dtype each reads into, and the
 * little-endian conversions between a tensor's typed array and the bytes of the file.
 *
 * @module
 */
import type { DType, TypedArray } from "../core/dtype.ts";

/** Bytes per element of every safetensors dtype of one byte or more (the format's own list). */
export const ST_ITEMSIZE: Readonly<Record<string, number>> = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  F8_E5M2: 1,
  F8_E4M3: 1,
  F8_E8M0: 1,
  I16: 2,
  U16: 2,
  F16: 2,
  BF16: 2,
  I32: 4,
  U32: 4,
  F32: 4,
  F64: 8,
  I64: 8,
  U64: 8,
  C64: 8,
};

/** The fluxion dtype each readable safetensors dtype becomes. */
export const READ_AS: Readonly<Record<string, DType>> = {
  F32: "float32",
  F64: "float64",
  F16: "float32",
  BF16: "float32",
  I32: "int32",
  I64: "int32",
  I16: "int32",
  I8: "int32",
  U16: "int32",
  U8: "int32",
  BOOL: "bool",
};

/** The safetensors dtype each fluxion dtype is written as. */
export const WRITE_AS: Readonly<Record<DType, string>> = {
  float32: "F32",
  float64: "F64",
  int32: "I32",
  bool: "BOOL",
};

/** Whether a safetensors dtype name is a known one (`ST_ITEMSIZE` has it). */
export function isKnownDtype(dtype: string): boolean {
  return Object.hasOwn(ST_ITEMSIZE, dtype);
}

/** Whether fluxion can read a safetensors dtype. */
export function isReadableDtype(dtype: string): boolean {
  return Object.hasOwn(READ_AS, dtype);
}

const f32Bits = new Float32Array(1);
const u32Bits = new Uint32Array(f32Bits.buffer);

/** The float32 value of IEEE half-precision bits (exact: every half is a float32). */
export function halfToFloat(h: number): number {
  const sign = (h & 0x8000) << 16;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) {
    const v = mant * 2 ** -24; // zero or subnormal
    return sign ? -v : v;
  }
  // inf and NaN keep their payload in the top mantissa bits; normals rebias 15 -> 127.
  u32Bits[0] = exp === 0x1f
    ? (sign | 0x7f800000 | (mant << 13)) >>> 0
    : (sign | ((exp + 112) << 23) | (mant << 13)) >>> 0;
  return f32Bits[0];
}

/** The float32 value of bfloat16 bits (the top half of a float32). */
export function bfloat16ToFloat(b: number): number {
  u32Bits[0] = (b << 16) >>> 0;
  return f32Bits[0];
}

/** A problem with one element, reported by the caller with the file and tensor name. */
export class ElementError extends Error {}

/**
 * The elements of `bytes` (little-endian `stDtype` values, already size-checked) as the typed
 * array of `READ_AS[stDtype]`. Throws an ElementError for an I64 outside int32 or a BOOL byte
 * other than 0 and 1.
 */
export function decodeElements(stDtype: string, bytes: Uint8Array): TypedArray {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = bytes.byteLength / ST_ITEMSIZE[stDtype];
  switch (stDtype) {
    case "F32": {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = v.getFloat32(4 * i, true);
      return out;
    }
    case "F64": {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = v.getFloat64(8 * i, true);
      return out;
    }
    case "F16": {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = halfToFloat(v.getUint16(2 * i, true));
      return out;
    }
    case "BF16": {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = bfloat16ToFloat(v.getUint16(2 * i, true));
      return out;
    }
    case "I64": {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const lo = v.getUint32(8 * i, true);
        const hi = v.getInt32(8 * i + 4, true);
        if (!((hi === 0 && lo <= 0x7fffffff) || (hi === -1 && lo >= 0x80000000))) {
          throw new ElementError(
            `element ${i} is ${v.getBigInt64(8 * i, true)}, outside the int32 range ` +
              `[-2147483648, 2147483647] that I64 is read into`,
          );
        }
        out[i] = lo | 0;
      }
      return out;
    }
    case "BOOL": {
      for (let i = 0; i < n; i++) {
        if (bytes[i] > 1) {
          throw new ElementError(`element ${i} is the byte ${bytes[i]}; a BOOL must be 0 or 1`);
        }
      }
      return bytes.slice();
    }
    default: {
      const out = new Int32Array(n);
      const get = {
        I32: (i: number) => v.getInt32(4 * i, true),
        I16: (i: number) => v.getInt16(2 * i, true),
        U16: (i: number) => v.getUint16(2 * i, true),
        I8: (i: number) => v.getInt8(i),
        U8: (i: number) => v.getUint8(i),
      }[stDtype];
      if (get === undefined) throw new ElementError(`cannot read dtype ${stDtype}`);
      for (let i = 0; i < n; i++) out[i] = get(i);
      return out;
    }
  }
}

/** Writes `data` (of fluxion dtype `dtype`) little-endian into `out` (sized by the caller). */
export function encodeElements(dtype: DType, data: TypedArray, out: Uint8Array): void {
  const v = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const n = data.length;
  switch (dtype) {
    case "float32":
      for (let i = 0; i < n; i++) v.setFloat32(4 * i, data[i], true);
      return;
    case "float64":
      for (let i = 0; i < n; i++) v.setFloat64(8 * i, data[i], true);
      return;
    case "int32":
      for (let i = 0; i < n; i++) v.setInt32(4 * i, data[i], true);
      return;
    case "bool":
      for (let i = 0; i < n; i++) out[i] = data[i] ? 1 : 0;
      return;
  }
}

// Builds IDX files by hand for the data tests (big-endian header and elements).
const CODES = { uint8: 0x08, int8: 0x09, int16: 0x0b, int32: 0x0c, float32: 0x0d, float64: 0x0e };
const SIZES = { uint8: 1, int8: 1, int16: 2, int32: 4, float32: 4, float64: 8 };

export type BuildDType = keyof typeof CODES;

/** IDX bytes for `values` of `dtype` with `shape` (values are written as given, no checks). */
export function idxBytes(
  dtype: BuildDType,
  shape: number[],
  values: ArrayLike<number>,
): Uint8Array {
  const size = SIZES[dtype];
  const out = new Uint8Array(4 + 4 * shape.length + size * values.length);
  const view = new DataView(out.buffer);
  out[2] = CODES[dtype];
  out[3] = shape.length;
  shape.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  let o = 4 + 4 * shape.length;
  for (let i = 0; i < values.length; i++, o += size) {
    const v = values[i];
    if (dtype === "uint8") view.setUint8(o, v);
    else if (dtype === "int8") view.setInt8(o, v);
    else if (dtype === "int16") view.setInt16(o, v, false);
    else if (dtype === "int32") view.setInt32(o, v, false);
    else if (dtype === "float32") view.setFloat32(o, v, false);
    else view.setFloat64(o, v, false);
  }
  return out;
}

/** gzip through CompressionStream. */
export async function gzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(
    new CompressionStream("gzip"),
  );
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Writes a tiny MNIST-format directory: `n` train and `m` test images of 4x3 pixels. */
export async function writeTinyMnist(
  dir: string,
  opts: { train?: number; test?: number; gz?: boolean } = {},
): Promise<{ trainImages: Uint8Array; trainLabels: Uint8Array }> {
  const n = opts.train ?? 5;
  const m = opts.test ?? 3;
  const pix = (count: number, salt: number) =>
    Uint8Array.from({ length: count * 12 }, (_, i) => (i * 37 + salt) % 256);
  const labs = (count: number, salt: number) =>
    Uint8Array.from({ length: count }, (_, i) => (i + salt) % 10);
  const trainImages = pix(n, 1);
  const trainLabels = labs(n, 2);
  const files: [string, Uint8Array][] = [
    ["train-images-idx3-ubyte", idxBytes("uint8", [n, 4, 3], trainImages)],
    ["train-labels-idx1-ubyte", idxBytes("uint8", [n], trainLabels)],
    ["t10k-images-idx3-ubyte", idxBytes("uint8", [m, 4, 3], pix(m, 5))],
    ["t10k-labels-idx1-ubyte", idxBytes("uint8", [m], labs(m, 7))],
  ];
  for (const [name, bytes] of files) {
    if (opts.gz) await Deno.writeFile(`${dir}/${name}.gz`, await gzip(bytes));
    else await Deno.writeFile(`${dir}/${name}`, bytes);
  }
  return { trainImages, trainLabels };
}

/**
 * The safetensors format on bytes: encoding a pytree of tensors and decoding a file's bytes into
 * named tensors, with no file system involved.
 *
 * @module
 */
import type { Tensor } from "../core/tensor.ts";
import {
  checkMetadataArg,
  collectTensors,
  decodeWith,
  planFile,
  tensorBytes,
} from "./safetensors_codec.ts";

/** The tensors (by flat name) and the metadata strings of a safetensors file. */
export interface SafetensorsContents {
  /** Every tensor, by its name in the file (`"conv1.weight"`), names sorted. */
  tensors: Record<string, Tensor>;
  /** The `__metadata__` strings (empty when the file has none). */
  metadata: Record<string, string>;
}

/** Options of `decodeSafetensors`. */
export interface DecodeOptions {
  /** What to call the bytes in error messages, such as the file they came from. */
  name?: string;
}

/**
 * The safetensors bytes of a pytree of tensors: names are the tree's paths joined with "."
 * (`conv1.weight`), sorted; float32, float64, int32 and bool are written as F32, F64, I32 and
 * BOOL. Reads the tensors synchronously, so they must live on a backend that allows it (the CPU
 * backend); `saveSafetensors` reads any backend.
 *
 * @param tree Nested plain objects and arrays whose leaves are tensors.
 * @param metadata Strings stored as the file's `__metadata__`.
 * @returns The whole file.
 * @throws {TypeError} For a leaf that is not a tensor, or metadata that is not strings.
 *
 * @example
 * ```ts
 * import { io, tensor } from "@fluxion/fluxion";
 * const bytes = io.encodeSafetensors({ fc: { weight: tensor([[1, 2]]) } }, { epoch: "3" });
 * const { tensors, metadata } = io.decodeSafetensors(bytes);
 * console.log(Object.keys(tensors), metadata); // ["fc.weight"] { epoch: "3" }
 * ```
 */
export function encodeSafetensors(tree: unknown, metadata?: Record<string, string>): Uint8Array {
  const op = "encodeSafetensors";
  checkMetadataArg(op, metadata);
  const named = collectTensors(op, tree);
  const { entries, header } = planFile(named, metadata);
  const end = entries.length ? entries[entries.length - 1].end : 0;
  const out = new Uint8Array(header.byteLength + end);
  out.set(header);
  named.forEach(([name, t], i) => {
    out.set(tensorBytes(op, name, t, t.dataSync()), header.byteLength + entries[i].begin);
  });
  return out;
}

/**
 * The tensors and metadata of safetensors bytes. The header is validated against the size of
 * `bytes` (length, JSON, dtypes, shapes, offsets that cover the data exactly, no duplicate
 * names) before any tensor is allocated. F32, F64, I32 and BOOL keep their type; F16 and BF16
 * become float32 (exactly); I64 becomes int32 when every value fits; U8, I8, I16 and U16 become
 * int32.
 *
 * @param bytes A whole safetensors file.
 * @param opts `name` names the bytes (a file) in error messages.
 * @returns Tensors by flat name, and the metadata strings.
 * @throws {Error} Naming the problem, the tensor and the offending value or offset.
 *
 * @example
 * ```ts
 * import { io, tensor } from "@fluxion/fluxion";
 * const bytes = io.encodeSafetensors({ w: tensor([1.5, 2]) });
 * const { tensors } = io.decodeSafetensors(bytes, { name: "w.safetensors" });
 * console.log(await tensors.w.data()); // Float32Array [1.5, 2]
 * ```
 */
export function decodeSafetensors(
  bytes: Uint8Array,
  opts: DecodeOptions = {},
): SafetensorsContents {
  return decodeWith("decodeSafetensors", opts.name ?? "<bytes>", bytes);
}

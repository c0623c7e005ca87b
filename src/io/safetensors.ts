/**
 * safetensors checkpoints on disk: an atomic save of a pytree of tensors, and loading a file as
 * flat names or as the nested tree.
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
  unflatten,
  writeAll,
} from "./safetensors_codec.ts";
import type { SafetensorsContents } from "./safetensors_format.ts";

/** A nested tree of tensors, as `loadSafetensors` returns it (`{ conv1: { weight, bias } }`). */
export type TensorTree = { readonly [name: string]: unknown };

/**
 * Saves a pytree of tensors as a safetensors file, loadable by Python's `safetensors` and
 * `torch`: names are the tree's paths joined with "." (`conv1.weight`). The file is written to
 * `<path>.tmp-<random>`, flushed to disk and renamed over `path`, so a crash never leaves a torn
 * checkpoint; if anything fails the temporary file is removed and `path` is untouched. Tensors
 * are read with `await t.data()`, so any backend works. Needs `--allow-write`.
 *
 * @param path The file to write (replaced if it exists).
 * @param tree Nested plain objects and arrays whose leaves are tensors (float32, float64, int32
 *   and bool become F32, F64, I32 and BOOL).
 * @param metadata Strings stored as the file's `__metadata__`.
 * @throws {TypeError} For a leaf that is not a tensor, or metadata that is not strings.
 *
 * @example
 * ```ts
 * import { io, tensor } from "@fluxion/fluxion";
 * const dir = await Deno.makeTempDir();
 * const params = { fc1: { weight: tensor([[1, 2], [3, 4]]), bias: tensor([0, 1]) } };
 * await io.saveSafetensors(`${dir}/model.safetensors`, params, { epoch: "1" });
 * const loaded = await io.loadSafetensors(`${dir}/model.safetensors`);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function saveSafetensors(
  path: string,
  tree: unknown,
  metadata?: Record<string, string>,
): Promise<void> {
  const op = "saveSafetensors";
  checkMetadataArg(op, metadata);
  const named = collectTensors(op, tree);
  const { header } = planFile(named, metadata);
  const suffix = Array.from(
    crypto.getRandomValues(new Uint8Array(6)),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");
  const tmp = `${path}.tmp-${suffix}`;
  let file: Deno.FsFile | undefined;
  try {
    file = await Deno.open(tmp, { write: true, createNew: true });
    await writeAll(file, header);
    for (const [name, t] of named) await writeAll(file, tensorBytes(op, name, t, await t.data()));
    await file.syncData();
    file.close();
    file = undefined;
    await Deno.rename(tmp, path);
  } catch (err) {
    file?.close();
    await Deno.remove(tmp).catch(() => {});
    const msg = err instanceof Error ? err.message : String(err);
    throw new Error(msg.startsWith(`${op}:`) ? msg : `${op}: ${path}: ${msg}`, { cause: err });
  }
}

/**
 * Reads a safetensors file: its tensors by flat name and its metadata. The header is validated
 * against the file's size before any tensor is allocated (see `decodeSafetensors` for the rules
 * and the dtypes read). Needs `--allow-read`.
 *
 * @param path The file.
 * @returns Tensors by flat name (`"conv1.weight"`) and the metadata strings.
 * @throws {Error} Naming the file, the tensor and what is wrong.
 *
 * @example
 * ```ts
 * import { io, tensor } from "@fluxion/fluxion";
 * const dir = await Deno.makeTempDir();
 * await io.saveSafetensors(`${dir}/m.safetensors`, { w: tensor([1]) }, { step: "10" });
 * const { tensors, metadata } = await io.readSafetensors(`${dir}/m.safetensors`);
 * console.log(metadata.step, tensors.w.shape); // "10" [1]
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export function readSafetensors(path: string): Promise<SafetensorsContents> {
  return readWith("readSafetensors", path);
}

async function readWith(op: string, path: string): Promise<SafetensorsContents> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (err) {
    throw new Error(`${op}: ${path}: cannot read the file: ${(err as Error).message}`, {
      cause: err,
    });
  }
  return decodeWith(op, path, bytes);
}

/**
 * The tensors of a safetensors file by flat name, as PyTorch's `state_dict`
 * (`{ "conv1.weight": ..., "bn.num_batches_tracked": ... }`), ready for `nn.loadStateDict`.
 *
 * @param path The file.
 * @returns Tensors by flat name, sorted.
 * @throws {Error} Naming the file, the tensor and what is wrong.
 *
 * @example
 * ```ts
 * import { io, nn, random } from "@fluxion/fluxion";
 * const net = nn.sequential({ fc: nn.linear(2, 2) });
 * const { params, state } = net.init(random.key(0), [1, 2]);
 * const dir = await Deno.makeTempDir();
 * await io.saveSafetensors(`${dir}/net.safetensors`, params);
 * const flat = await io.loadSafetensorsFlat(`${dir}/net.safetensors`);
 * const loaded = nn.loadStateDict({ params, state }, flat); // strict: names and shapes match
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function loadSafetensorsFlat(path: string): Promise<Record<string, Tensor>> {
  return (await readWith("loadSafetensorsFlat", path)).tensors;
}

/**
 * The tensors of a safetensors file as a nested tree: names are split at "." (`conv1.weight`
 * becomes `{ conv1: { weight } }`), the inverse of `saveSafetensors`.
 *
 * @param path The file.
 * @returns The nested tree of tensors.
 * @throws {Error} Naming the file and the tensor, also when a name is both a tensor and a
 *   prefix of another name (`a` and `a.b`).
 *
 * @example
 * ```ts
 * import { io, tensor } from "@fluxion/fluxion";
 * const dir = await Deno.makeTempDir();
 * await io.saveSafetensors(`${dir}/p.safetensors`, { fc1: { weight: tensor([[1]]) } });
 * const params = await io.loadSafetensors(`${dir}/p.safetensors`);
 * console.log(Object.keys(params)); // ["fc1"]
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function loadSafetensors(path: string): Promise<TensorTree> {
  const op = "loadSafetensors";
  return unflatten(`${op}: ${path}`, (await readWith(op, path)).tensors);
}

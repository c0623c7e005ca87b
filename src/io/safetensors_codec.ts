/**
 * The safetensors machinery behind `encodeSafetensors`, `decodeSafetensors` and the file
 * functions: naming a tree's tensors, planning a file's layout, and decoding validated bytes.
 *
 * @module
 */
import type { TypedArray } from "../core/dtype.ts";
import { fmtShape } from "../core/shape.ts";
import { Tensor } from "../core/tensor.ts";
import { fromTypedArray } from "../ops/creation.ts";
import { kindOf, sortedKeys, staticToString } from "../tree/containers.ts";
import {
  decodeElements,
  ElementError,
  encodeElements,
  READ_AS,
  ST_ITEMSIZE,
  WRITE_AS,
} from "./safetensors_dtypes.ts";
import { buildHeader, type HeaderEntry, parseHeader } from "./safetensors_header.ts";
import type { SafetensorsContents } from "./safetensors_format.ts";

/** Defines `obj[key] = value` as an own property, so names such as `__proto__` stay data. */
export function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * The tensors of `tree` with their "."-joined paths (as `tree.flattenWithPaths`), names sorted.
 * Throws for a non-tensor leaf (it would be silently lost), a tensor at the root (it has no
 * name), two places giving the same name, and a cyclic tree.
 */
export function collectTensors(op: string, tree: unknown): [string, Tensor][] {
  const out = new Map<string, Tensor>();
  const path: string[] = [];
  const ancestors = new Set<unknown>();
  const go = (v: unknown): void => {
    const kind = kindOf(v);
    const name = path.join(".");
    if (kind === "leaf") {
      if (path.length === 0) {
        throw new TypeError(
          `${op}: the tree is a single tensor, which has no name; wrap it: { weight: t }`,
        );
      }
      if (out.has(name)) throw new Error(`${op}: two tensors in the tree are both named "${name}"`);
      out.set(name, v as Tensor);
      return;
    }
    if (kind === "static") {
      throw new TypeError(
        `${op}: ${path.length ? `"${name}"` : "the tree"} is ${
          staticToString(v)
        }, not a tensor or a container; safetensors holds only tensors (put strings in metadata)`,
      );
    }
    if (ancestors.has(v)) throw new Error(`${op}: the tree contains itself at "${name}"`);
    ancestors.add(v);
    if (kind === "array") {
      (v as unknown[]).forEach((c, i) => {
        path.push(String(i));
        go(c);
        path.pop();
      });
    } else {
      for (const k of sortedKeys(v as Record<string, unknown>)) {
        path.push(k);
        go((v as Record<string, unknown>)[k]);
        path.pop();
      }
    }
    ancestors.delete(v);
  };
  go(tree);
  return [...out].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Throws unless `metadata` is undefined or a plain object of strings. */
export function checkMetadataArg(op: string, metadata: unknown): void {
  if (metadata === undefined) return;
  if (metadata === null || typeof metadata !== "object" || Array.isArray(metadata)) {
    throw new TypeError(`${op}: metadata must be an object of strings, got ${String(metadata)}`);
  }
  for (const [k, v] of Object.entries(metadata)) {
    if (typeof v !== "string") {
      throw new TypeError(`${op}: metadata "${k}" must be a string, got ${typeof v} ${String(v)}`);
    }
  }
}

/** The header entries (in name order, consecutive offsets) and header bytes for `named`. */
export function planFile(
  named: readonly [string, Tensor][],
  metadata: Record<string, string> | undefined,
): { entries: HeaderEntry[]; header: Uint8Array } {
  let pos = 0;
  const entries = named.map(([name, t]) => {
    const dtype = WRITE_AS[t.dtype];
    const begin = pos;
    pos += t.size * ST_ITEMSIZE[dtype];
    return { name, dtype, shape: [...t.shape], begin, end: pos };
  });
  return { entries, header: buildHeader(entries, metadata) };
}

/** The bytes of one tensor's data, checking that `data` has the tensor's element count. */
export function tensorBytes(op: string, name: string, t: Tensor, data: TypedArray): Uint8Array {
  if (data.length !== t.size) {
    throw new Error(
      `${op}: tensor "${name}" ${
        fmtShape(t.shape)
      } read back ${data.length} elements, not ${t.size}`,
    );
  }
  const out = new Uint8Array(t.size * ST_ITEMSIZE[WRITE_AS[t.dtype]]);
  encodeElements(t.dtype, data, out);
  return out;
}

/** `decodeSafetensors` with errors prefixed `op: name:`. */
export function decodeWith(op: string, name: string, bytes: Uint8Array): SafetensorsContents {
  const where = `${op}: ${name}`;
  if (!(bytes instanceof Uint8Array)) {
    throw new TypeError(`${where}: expected a Uint8Array, got ${staticToString(bytes)}`);
  }
  const { entries, metadata, dataStart } = parseHeader(where, bytes);
  const tensors: Record<string, Tensor> = {};
  for (const e of [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    let data: TypedArray;
    try {
      data = decodeElements(e.dtype, bytes.subarray(dataStart + e.begin, dataStart + e.end));
    } catch (err) {
      if (!(err instanceof ElementError)) throw err;
      throw new Error(`${where}: tensor "${e.name}" (${e.dtype}): ${err.message}`);
    }
    setOwn(tensors, e.name, fromTypedArray(data, e.shape, READ_AS[e.dtype]));
  }
  return { tensors, metadata };
}

/** Writes all of `bytes` to `file`. */
export async function writeAll(file: Deno.FsFile, bytes: Uint8Array): Promise<void> {
  let done = 0;
  while (done < bytes.byteLength) done += await file.write(bytes.subarray(done));
}

/** The nested tree of flat "."-joined names. */
export function unflatten(
  where: string,
  flat: Record<string, Tensor>,
): { readonly [name: string]: unknown } {
  const root: Record<string, unknown> = {};
  for (const [name, t] of Object.entries(flat)) {
    const parts = name.split(".");
    let node = root;
    for (let i = 0; i < parts.length - 1; i++) {
      const child = Object.hasOwn(node, parts[i]) ? node[parts[i]] : undefined;
      if (child instanceof Tensor) {
        throw new Error(
          `${where}: "${
            parts.slice(0, i + 1).join(".")
          }" is both a tensor and a prefix of "${name}"`,
        );
      }
      if (child === undefined) setOwn(node, parts[i], {});
      node = node[parts[i]] as Record<string, unknown>;
    }
    const last = parts[parts.length - 1];
    if (Object.hasOwn(node, last)) {
      throw new Error(`${where}: "${name}" is both a tensor and a prefix of another name`);
    }
    setOwn(node, last, t);
  }
  return root;
}

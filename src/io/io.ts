/**
 * Checkpoints: the safetensors format (the one PyTorch and Hugging Face use), read and written.
 * Saving flattens a pytree's names with "." (`conv1.weight`) and writes atomically; loading
 * validates the header against the file before allocating anything, and returns the nested tree
 * or the flat `state_dict`. F32, F64, I32 and BOOL keep their type; F16 and BF16 are read into
 * float32, I64 (PyTorch's `num_batches_tracked`) into int32 when it fits, and U8, I8, I16, U16
 * into int32.
 *
 * @example
 * ```ts
 * import { io, nn, random } from "@fluxion/fluxion";
 * const net = nn.sequential({ fc1: nn.linear(4, 8), fc2: nn.linear(8, 2) });
 * const { params } = net.init(random.key(0), [1, 4]);
 * const dir = await Deno.makeTempDir();
 * await io.saveSafetensors(`${dir}/net.safetensors`, params, { note: "demo" });
 * const restored = await io.loadSafetensors(`${dir}/net.safetensors`); // { fc1: {...}, fc2: {...} }
 * await Deno.remove(dir, { recursive: true });
 * ```
 *
 * @module
 */
// `export *` keeps the members and their JSDoc in `deno doc` (named re-exports in a namespace
// module list no members); the internals live in safetensors_codec.ts and friends.
export * from "./safetensors_format.ts";
export * from "./safetensors.ts";

/**
 * Builds the WebAssembly kernels of the CPU backend: every `wasm/*.c` (with `wasm/kernels.h`)
 * compiled by Debian's clang (`apt-get install clang lld`) and linked into one module over
 * imported shared memory, in two builds: plain 128-bit SIMD, and relaxed SIMD (fused
 * multiply-add). Both go into `src/backend/cpu/wasm/kernels_wasm.ts` with the SHA-256 of their
 * sources, so the package needs no toolchain at run time. Run by `deno task wasm`;
 * `tests/backend/cpu_wasm_test.ts` fails when the module is older than its sources.
 *
 * clang 14 emits relaxed-SIMD FMA with the proposal's pre-standard opcode (0xfd 0xaf 0x01); the
 * relaxed build is disassembled with llvm-objdump and each of those instructions rewritten in
 * place to the standard `f32x4.relaxed_madd` (0xfd 0x85 0x02, same length). Every thread
 * instantiates the module over the same memory, so the build fails if a kernel uses the C stack.
 *
 * @module
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
/** The generated module. */
export const MODULE = join(ROOT, "src", "backend", "cpu", "wasm", "kernels_wasm.ts");

/** clang flags: wasm32, 128-bit SIMD, no libc, shared memory imported from JavaScript. */
export const CLANG_FLAGS = [
  "--target=wasm32",
  "-O3",
  "-msimd128",
  "-matomics",
  "-mbulk-memory",
  "-nostdlib",
  "-Wl,--no-entry",
  "-Wl,--import-memory",
  "-Wl,--shared-memory",
  "-Wl,--max-memory=4294967296",
];

/** The hex SHA-256 of `text`. */
export async function sha256(text: string): Promise<string> {
  const d = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** The kernel sources (`wasm/*.c` and `wasm/*.h`), sorted by name. */
export function sources(): string[] {
  return [...Deno.readDirSync(join(ROOT, "wasm"))]
    .filter((e) => e.isFile && /\.[ch]$/.test(e.name))
    .map((e) => join(ROOT, "wasm", e.name))
    .sort();
}

/** The SHA-256 of every source, each preceded by its file name. */
export async function sourcesHash(): Promise<string> {
  const parts = sources().map((p) => `${p.slice(ROOT.length + 1)}\n${Deno.readTextFileSync(p)}`);
  return await sha256(parts.join("\n"));
}

async function run(cmd: string, args: string[]): Promise<string> {
  const r = await new Deno.Command(cmd, { args }).output();
  if (r.code !== 0) throw new Error(`${cmd}: ${new TextDecoder().decode(r.stderr)}`);
  return new TextDecoder().decode(r.stdout);
}

function leb(bytes: Uint8Array, at: number): [number, number] {
  let v = 0, shift = 0, i = at;
  for (;;) {
    const b = bytes[i++];
    v += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if (b < 0x80) return [v, i];
  }
}

/** The file offset where the code section's contents begin. */
function codeSection(bytes: Uint8Array): number {
  let at = 8;
  while (at < bytes.length) {
    const id = bytes[at];
    const [size, start] = leb(bytes, at + 1);
    if (id === 10) return start;
    at = start + size;
  }
  throw new Error("no code section");
}

/** Rewrites each pre-standard `f32x4.fma` of `file` to `f32x4.relaxed_madd`; returns the count. */
async function patchRelaxed(file: string, bytes: Uint8Array): Promise<number> {
  const code = codeSection(bytes);
  const listing = await run("llvm-objdump", ["-d", file]);
  let count = 0;
  for (const m of listing.matchAll(/^\s*([0-9a-f]+):\s+fd af 01\s+f32x4\.fma\s*$/gm)) {
    const at = code + parseInt(m[1], 16);
    if (bytes[at] !== 0xfd || bytes[at + 1] !== 0xaf || bytes[at + 2] !== 0x01) {
      throw new Error(`f32x4.fma expected at byte ${at}`);
    }
    bytes.set([0xfd, 0x85, 0x02], at);
    count++;
  }
  return count;
}

async function build(relaxed: boolean): Promise<Uint8Array> {
  const out = await Deno.makeTempFile({ suffix: ".wasm" });
  const flags = relaxed ? ["-mrelaxed-simd", "-DFLUXION_RELAXED"] : [];
  const files = sources().filter((p) => p.endsWith(".c"));
  await run("clang", [...CLANG_FLAGS, ...flags, "-o", out, ...files]);
  const bytes = await Deno.readFile(out);
  // Every thread instantiates the module over the same memory, so each would start its C stack
  // at the same address: the kernels must not use one (no globals at all).
  if (/global\.(get|set)/.test(await run("llvm-objdump", ["-d", out]))) {
    throw new Error("a kernel uses the C stack (global.get/set); threads would share it");
  }
  if (relaxed) {
    const n = await patchRelaxed(out, bytes);
    if (n === 0) throw new Error("the relaxed build has no f32x4.fma to rewrite");
    console.log(`relaxed build: ${n} fused multiply-adds`);
  }
  await Deno.remove(out);
  if (!WebAssembly.validate(bytes)) {
    throw new Error(`the ${relaxed ? "relaxed" : "plain"} build does not validate`);
  }
  return bytes;
}

const b64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));

if (import.meta.main) {
  const plain = await build(false);
  const relaxed = await build(true);
  await Deno.writeTextFile(
    MODULE,
    `// Generated by \`deno task wasm\` from wasm/*.c; do not edit.\n` +
      `/** SHA-256 of the sources this module was built from. */\n` +
      `export const sourceHash = "${await sourcesHash()}";\n` +
      `/** The kernels with 128-bit SIMD (base64). */\n` +
      `export const wasmBase64 =\n  "${b64(plain)}";\n` +
      `/** The kernels with relaxed SIMD's fused multiply-add (base64). */\n` +
      `export const wasmRelaxedBase64 =\n  "${b64(relaxed)}";\n`,
  );
  console.log(`${MODULE}: ${plain.length} + ${relaxed.length} bytes`);
}

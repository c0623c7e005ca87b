/**
 * A cache key for a fused elementwise program: its structure with each literal's float32 bits
 * (JSON would write NaN and the infinities as null and -0 as 0).
 *
 * @module
 */
import type { ElementwiseProgram } from "./backend.ts";

const bits = new Int32Array(1);
const f32 = new Float32Array(bits.buffer);

/** The key of program `p`: equal keys, equal programs (literals included, bit for bit). */
export function programKey(p: ElementwiseProgram): string {
  const steps = p.steps.map((s) => {
    if (s.op !== "literal") return `${s.op}(${s.args}):${s.dtype}`;
    f32[0] = s.value!;
    return `lit#${bits[0]}`;
  });
  return `${p.inputs}|${steps.join(";")}|${p.outputs}`;
}

/**
 * Checking element values (class labels in range, probabilities in [0, 1]) on any backend: at
 * once where data can be read synchronously (the CPU), and otherwise as a check the backend runs
 * without waiting and reports when data is next read back.
 *
 * @module
 */
import type { ValueRange } from "../backend/backend.ts";
import type { Tensor } from "../core/tensor.ts";

/**
 * Throws `RangeError(describe(i, value))` for the first element of `t` outside `range`, or has
 * the backend report it later.
 */
export function checkValues(
  t: Tensor,
  range: ValueRange,
  describe: (index: number, value: number) => string,
): void {
  const data = t.backend.readSync(t.storage, t.dtype, t.shape);
  if (data === undefined) {
    t.backend.checkRange?.(t.storage, t.dtype, range, describe);
    return;
  }
  const { lo, hi, hiInclusive, skip } = range;
  const i = data.findIndex((v) => v !== skip && !(v >= lo && (hiInclusive ? v <= hi : v < hi)));
  if (i >= 0) throw new RangeError(describe(i, data[i]));
}

/**
 * Float comparison for tests: NumPy's allclose rule, |a - e| <= atol + rtol * |e|, elementwise,
 * with NaN equal to NaN. Throws an AssertionError naming the first offending index.
 */
import { AssertionError } from "node:assert";

type Numeric = number | ArrayLike<number> | readonly unknown[];

/** Options for `assertClose`. */
export interface CloseOptions {
  rtol?: number;
  atol?: number;
  msg?: string;
}

function flatten(x: Numeric): number[] {
  if (typeof x === "number") return [x];
  const out: number[] = [];
  const go = (v: unknown) => {
    if (typeof v === "number") out.push(v);
    else if (typeof v === "boolean") out.push(v ? 1 : 0);
    else if (v && typeof (v as ArrayLike<number>).length === "number") {
      for (let i = 0; i < (v as ArrayLike<unknown>).length; i++) go((v as ArrayLike<unknown>)[i]);
    } else throw new TypeError(`assertClose: not numeric: ${String(v)}`);
  };
  go(x);
  return out;
}

/** Asserts that `actual` and `expected` have equal length and are elementwise close. */
export function assertClose(actual: Numeric, expected: Numeric, opts: CloseOptions = {}): void {
  const { rtol = 1e-5, atol = 1e-6, msg } = opts;
  const a = flatten(actual);
  const e = flatten(expected);
  const prefix = msg ? `${msg}: ` : "";
  if (a.length !== e.length) {
    throw new AssertionError({
      message: `${prefix}length ${a.length} differs from expected ${e.length}`,
    });
  }
  for (let i = 0; i < a.length; i++) {
    if (Number.isNaN(a[i]) && Number.isNaN(e[i])) continue;
    if (a[i] === e[i]) continue;
    if (!(Math.abs(a[i] - e[i]) <= atol + rtol * Math.abs(e[i]))) {
      throw new AssertionError({
        message: `${prefix}element ${i}: ${a[i]} is not close to ${
          e[i]
        } (rtol ${rtol}, atol ${atol})`,
        actual: a[i],
        expected: e[i],
      });
    }
  }
}

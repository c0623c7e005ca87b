/**
 * int32 arithmetic wraps like C and NumPy where they wrap, and refuses what int32 cannot hold.
 */
import assert from "node:assert/strict";
import { arange, cast, full, mul, pow, tensor } from "../../mod.ts";

const i32 = (xs: number[]) => tensor(xs, { dtype: "int32" });

Deno.test("int32 mul keeps the exact low 32 bits of the product", () => {
  const big = 2 ** 31 - 1;
  // (2^31 - 1)^2 = 2^62 - 2^32 + 1, whose low 32 bits are 1 (NumPy gives 1).
  assert.deepEqual([...mul(i32([big]), i32([big])).dataSync()], [1]);
  // 65536 * 65536 = 2^32 wraps to 0; -46341 * 46341 = -2147488281 wraps to 2147479015.
  assert.deepEqual([...mul(i32([65536, -46341]), i32([65536, 46341])).dataSync()], [
    0,
    2147479015,
  ]);
});

Deno.test("int32 pow multiplies exactly and rejects negative exponents", () => {
  assert.deepEqual([...pow(i32([2, 3, -2, 7]), i32([10, 4, 3, 0])).dataSync()], [1024, 81, -8, 1]);
  // 3^21 = 10460353203 wraps to 10460353203 - 2 * 2^32 = 1870418611.
  assert.deepEqual([...pow(i32([3]), i32([21])).dataSync()], [1870418611]);
  assert.throws(
    () => pow(i32([2]), i32([-1])),
    /pow: integer base raised to the negative power -1/,
  );
});

Deno.test("int32 creation and casts refuse values int32 cannot hold", () => {
  assert.throws(
    () => arange(2 ** 31 - 1, 2 ** 31 + 1),
    /arange: last value 2147483648 is not an int32/,
  );
  assert.deepEqual([...arange(2 ** 31 - 2, 2 ** 31).dataSync()], [2 ** 31 - 2, 2 ** 31 - 1]);
  assert.throws(() => full([1], NaN, { dtype: "int32" }), /full: fill value NaN is not an int32/);
  assert.throws(() => full([1], 2.5, { dtype: "int32" }), /full: fill value 2.5 is not an int32/);
  assert.throws(
    () => cast(tensor([1, NaN]), "int32"),
    /cast: element 1 of \[2\] float32 is NaN, which int32 cannot hold/,
  );
  assert.throws(() => cast(tensor([3e9]), "int32"), /cast: element 0 .* 3000000000/);
  assert.deepEqual([...cast(tensor([1.9, -1.9, -0.5]), "int32").dataSync()], [1, -1, 0]);
});

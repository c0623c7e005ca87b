/**
 * The CPU pad kernel with negative widths crops on every axis independently: an element cropped
 * along an inner axis must not land in the next row (a bug the WebGPU parity tests found).
 */
import * as fx from "../../mod.ts";
import { bind } from "../../src/autodiff/bind.ts";
import assert from "node:assert/strict";

Deno.test("pad: negative widths crop per axis, with interior padding", () => {
  const x = fx.reshape(fx.arange(12), [3, 4]);
  // Axis 0: drop the first row, add one pad row. Axis 1: one pad, interior 1, crop two from the end.
  const y = bind("pad", [x], { widths: [[-1, 1, 0], [1, -2, 1]], value: -1 });
  assert.deepEqual(y.shape, [3, 6]);
  // Along axis 1 a row [a, b, c, d] becomes [-1, a, -1, b, -1, c] (d is cropped).
  assert.deepEqual(
    [...y.dataSync()],
    [-1, 4, -1, 5, -1, 6, -1, 8, -1, 9, -1, 10, -1, -1, -1, -1, -1, -1],
  );
  const all = bind("pad", [x], { widths: [[-3, 0, 0], [0, 0, 0]], value: 0 });
  assert.deepEqual(all.shape, [0, 4]);
});

/**
 * `unstack`: pieces equal slices, and its custom gradient (a stack) equals finite differences,
 * including when only some pieces are used.
 */
import assert from "node:assert/strict";
import { add, mul, sin, stack, sum, type Tensor, unstack } from "../../mod.ts";
import { assertClose } from "../assert_close.ts";
import { checkGrad, Gen } from "./gradcheck.ts";

Deno.test("unstack: the pieces along an axis, inverse of stack", () => {
  const g = new Gen(3);
  const x = g.tensor([2, 3, 4]);
  for (const axis of [0, 1, 2, -1]) {
    const pieces = unstack(x, axis);
    const n = x.shape[(axis + 3) % 3];
    assert.equal(pieces.length, n);
    assertClose(stack(pieces, axis).dataSync(), x.dataSync(), { rtol: 0, atol: 0 });
  }
  assert.throws(() => unstack(x, 3), /unstack: axis 3 is out of range/);
});

Deno.test("unstack: gradient against finite differences, pieces used unevenly or not at all", () => {
  const g = new Gen(4);
  const f = (x: Tensor) => {
    const [a, , c] = unstack(x, 1); // the middle piece is unused: its gradient is zero
    return add(mul(sin(a), 3), mul(c, c));
  };
  checkGrad(f, [g.tensor([2, 3, 4])], { name: "unstack" });
  const h = (x: Tensor) => sum(mul(stack(unstack(x, 0).reverse(), 0), x));
  checkGrad(h, [g.tensor([3, 2])], { name: "unstack reversed" });
});

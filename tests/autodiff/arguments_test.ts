/**
 * What the transforms accept as differentiated arguments, and what customVjp accepts from its
 * user functions: everything else is an error, never a silently wrong gradient.
 */
import assert from "node:assert/strict";
import { customVjp, grad, mul, pow, sum, type Tensor, tensor, vjp } from "../../mod.ts";
import { assertClose } from "../assert_close.ts";

class Linear {
  constructor(public w: Tensor) {}
}

Deno.test("grad: class instances, Maps and bare numbers are rejected, not returned as gradients", () => {
  const w = tensor([1, 2]);
  assert.throws(
    () => grad((m: Linear) => sum(mul(m.w, m.w)))(new Linear(w)),
    /grad: argument 0 is a Linear instance; gradients are taken through tensors in plain objects and arrays only/,
  );
  assert.throws(
    () => grad((p: { m: Map<string, Tensor> }) => sum(p.m.get("w")!))({ m: new Map([["w", w]]) }),
    /grad: argument 0 at "m" is a Map instance/,
  );
  assert.throws(
    () => grad((x: number) => sum(mul(w, x)))(3),
    /grad: argument 0 is a number, not a tensor or a pytree of tensors/,
  );
  assert.throws(
    () => vjp((m: Linear) => m.w, new Linear(w)),
    /vjp: argument 0 is a Linear instance/,
  );
  // Static data inside plain containers is fine and passes through.
  const g = grad((p: { w: Tensor; n: number; tag: string }) => sum(mul(p.w, p.n)))({
    w,
    n: 3,
    tag: "x",
  });
  assert.equal(g.n, 3);
  assertClose(g.w.dataSync(), [3, 3]);
});

Deno.test("grad: repeated argnums are an error", () => {
  assert.throws(
    () => grad((a: Tensor) => sum(mul(a, a)), { argnums: [0, 0] })(tensor([1])),
    /grad: argnums \[0,0\] repeats an argument/,
  );
});

Deno.test("pow: the gradient in the base is 0 at exponent 0 (not NaN), to second order", () => {
  const x = tensor([0, 1, 2], { dtype: "float64" });
  const f = (a: Tensor) => sum(pow(a, 0));
  assertClose(grad(f)(x).dataSync(), [0, 0, 0], { rtol: 0, atol: 0 });
  // d/dx of sum(d/dx x^0 * r) is still finite (and 0).
  const h = grad((a: Tensor) => sum(mul(grad(f)(a), tensor([1, 2, 3], { dtype: "float64" }))))(x);
  assertClose(h.dataSync(), [0, 0, 0], { rtol: 0, atol: 0 });
  // Elsewhere the rule is b * a^(b-1): at b = 2, 2a.
  assertClose(grad((a: Tensor) => sum(pow(a, 2)))(x).dataSync(), [0, 2, 4], { rtol: 1e-15 });
});

Deno.test("customVjp: a differentiated tensor read from a closure is an error", () => {
  const loss = (p: Tensor) =>
    sum(
      customVjp(
        (x: Tensor) => mul(x, p),
        (x: Tensor) => [mul(x, p), null],
        (_: null, ct: Tensor) => [mul(ct, p)],
      )(mul(p, 1)),
    );
  assert.throws(
    () => grad(loss)(tensor(3)),
    /customVjp: the function reads a tensor \[\] float32 that depends on a variable being differentiated but is not one of its arguments/,
  );
  // Outside any gradient the same function simply runs.
  assertClose(loss(tensor(3)).dataSync(), [9]);
});

Deno.test("customVjp: bwd's cotangents are checked against the arguments; null means none", () => {
  const badShape = customVjp(
    (x: Tensor) => mul(x, 2),
    (x: Tensor) => [mul(x, 2), null],
    (_: null, ct: Tensor) => [sum(ct)],
  );
  assert.throws(
    () => grad((x: Tensor) => sum(badShape(x)))(tensor([1, 2, 3])),
    /customVjp: bwd's cotangent 0 \(leaf 0\) is \[\] float32, but the argument is \[3\] float32/,
  );
  const onlyFirst = customVjp(
    (x: Tensor, y: Tensor) => mul(x, y),
    (x: Tensor, y: Tensor) => [mul(x, y), y],
    (y: Tensor, ct: Tensor) => [mul(ct, y), null],
  );
  const [gx, gy] = grad((x: Tensor, y: Tensor) => sum(onlyFirst(x, y)), { argnums: [0, 1] })(
    tensor([1, 2]),
    tensor([3, 4]),
  );
  assertClose(gx.dataSync(), [3, 4]);
  assertClose(gy.dataSync(), [0, 0]);
});

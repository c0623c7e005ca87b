/**
 * The transforms' contracts: stopGradient, customVjp, argument and output validation, gradients
 * of functions that ignore their inputs, and the tape stack staying clean after errors.
 */
import assert from "node:assert/strict";
import { assertClose } from "../assert_close.ts";
import {
  abs,
  add,
  argmax,
  customVjp,
  exp,
  gather,
  grad,
  jvp,
  log1p,
  maximum,
  minimum,
  mul,
  neg,
  relu,
  sigmoid,
  stopGradient,
  sum,
  type Tensor,
  tensor,
  valueAndGrad,
  vjp,
} from "../../mod.ts";
import { isRecording } from "../../src/autodiff/tape.ts";
import { checkGrad, checkJvp, counter, f64, Gen, read } from "./gradcheck.ts";

const scalar = (v: number) => f64([v], []);

// ---------------------------------------------------------------------------------------------
// stopGradient

Deno.test("stopGradient: keeps the value and blocks the gradient", () => {
  const x = f64([1.5, -2, 3], [3]);
  assert.deepEqual([...read(stopGradient(x))], [1.5, -2, 3]);
  // d/dx x * sg(x) = sg(x) = x, not 2x.
  assert.deepEqual([...read(grad((x: Tensor) => sum(mul(x, stopGradient(x))))(x) as Tensor)], [
    1.5,
    -2,
    3,
  ]);
  // Everything behind a stopGradient is constant.
  const dz = grad((x: Tensor) => sum(stopGradient(mul(x, x))))(x) as Tensor;
  assert.deepEqual(dz.shape, [3]);
  assert.deepEqual([...read(dz)], [0, 0, 0]);
  // Second order: d2/dx2 [x^2 sg(x)] = 2 sg(x) = 2x.
  const f = (x: Tensor) => mul(mul(x, x), stopGradient(x));
  const d2 = grad((x: Tensor) => grad(f)(x) as Tensor)(scalar(1.25)) as Tensor;
  assert.equal(read(d2)[0], 2.5);
  counter.checks += 3;
});

// ---------------------------------------------------------------------------------------------
// customVjp

function clipGradient() {
  const calls = { f: 0, fwd: 0, bwd: 0 };
  // The identity, whose backward pass clips the cotangent to [-1, 1].
  const clip = customVjp(
    (x: Tensor) => {
      calls.f++;
      return x;
    },
    (x: Tensor) => {
      calls.fwd++;
      return [x, null];
    },
    (_res: null, ct: Tensor) => {
      calls.bwd++;
      return [minimum(maximum(ct, -1), 1)];
    },
  );
  return { clip, calls };
}

Deno.test("customVjp: a gradient-clipping identity uses the custom rule", () => {
  const { clip, calls } = clipGradient();
  const x = f64([1, 2, 3, 4], [4]);
  const c = f64([0.5, 3, -4, -0.25], [4]);
  // Outside any gradient, f runs as it is.
  const y = clip(x);
  assert.deepEqual([...read(y)], [1, 2, 3, 4]);
  assert.deepEqual(calls, { f: 1, fwd: 0, bwd: 0 });
  // Under grad: fwd then bwd, never f.
  const dx = grad((x: Tensor) => sum(mul(clip(x), c)))(x) as Tensor;
  assert.deepEqual([...read(dx)], [0.5, 1, -1, -0.25]);
  assert.deepEqual(calls, { f: 1, fwd: 1, bwd: 1 });
  // A closed-over input that no gradient watches takes the plain path too.
  grad((z: Tensor) => sum(mul(z, clip(x))))(x);
  assert.equal(calls.f, 2);
  counter.checks += 1;
});

Deno.test("customVjp: numerically stable softplus gradient", () => {
  // softplus(x) = log1p(exp(x)); derivative sigmoid(x). Autodiff of the naive formula gives
  // 0 * Inf = NaN at large x; the custom rule does not.
  const naive = (x: Tensor) => log1p(exp(x));
  const softplus = customVjp(
    naive,
    (x: Tensor) => [add(relu(x), log1p(exp(neg(abs(x))))), sigmoid(x)],
    (s: Tensor, ct: Tensor) => [mul(ct, s)],
  );
  const xs = [-800, -5, 0, 5, 800];
  const x = f64(xs, [5]);
  const dx = read(grad((x: Tensor) => sum(softplus(x)))(x) as Tensor);
  const sig = (v: number) => 1 / (1 + Math.exp(-v));
  assertClose(dx, xs.map(sig), { rtol: 1e-12, atol: 0 });
  assert.ok(Number.isNaN(read(grad((x: Tensor) => sum(naive(x)))(x) as Tensor)[4]));
  // The stable forward value under grad: finite at 800.
  const [v] = valueAndGrad((x: Tensor) => sum(softplus(x)))(f64([800], [1])) as [Tensor, unknown];
  assertClose(read(v)[0], 800, { rtol: 1e-15, atol: 0 });
  // At moderate inputs the rule agrees with finite differences and with jvp.
  const g = new Gen(17);
  const xm = g.tensor([2, 3], { lo: -4, hi: 4 });
  checkGrad((x) => softplus(x), [xm], { name: "custom softplus" });
  checkJvp((x) => softplus(x), [xm], { name: "custom softplus jvp" });
  counter.checks += 2;
});

Deno.test("customVjp: several pytree arguments, and bwd errors are reported", () => {
  // f(a, {b}) = a * b with a rule that deliberately scales a's cotangent by 10 (so we can tell).
  const f = customVjp(
    (a: Tensor, p: { b: Tensor }) => mul(a, p.b),
    (a: Tensor, p: { b: Tensor }) => [mul(a, p.b), [a, p.b] as const],
    ([a, b]: readonly [Tensor, Tensor], ct: Tensor) => [mul(mul(ct, b), 10), { b: mul(ct, a) }],
  );
  const a = f64([1, 2], [2]);
  const b = f64([3, -1], [2]);
  const [da, dp] = grad((a: Tensor, p: { b: Tensor }) => sum(f(a, p)), { argnums: [0, 1] })(a, {
    b,
  }) as [Tensor, { b: Tensor }];
  assert.deepEqual([...read(da)], [30, -10]);
  assert.deepEqual([...read(dp.b)], [1, 2]);
  // jvp transposes the (linear) custom backward pass: J (ta, tb) = 10 b ta + a tb.
  const [, t] = jvp((a: Tensor, p: { b: Tensor }) => f(a, p), [a, { b }], [
    f64([1, 1], [2]),
    { b: f64([0.5, 2], [2]) },
  ]);
  assert.deepEqual([...read(t)], [30 + 0.5, -10 + 4]);

  const bad = customVjp(
    (x: Tensor) => x,
    (x: Tensor) => [x, null],
    (_r: null, ct: Tensor) => [ct, ct],
  );
  assert.throws(
    () => grad((x: Tensor) => sum(bad(x)))(a),
    /customVjp: bwd must return an array of 1 cotangents/,
  );
  assert.equal(isRecording(), false);
  assert.throws(
    () => customVjp(1 as never, (x: Tensor) => [x, 0], () => []),
    /f must be a function/,
  );
  counter.checks += 3;
});

// ---------------------------------------------------------------------------------------------
// Validation

Deno.test("grad: an int32 argument throws, naming the transform, the argument and the dtype", () => {
  const f = (x: Tensor) => sum(x);
  assert.throws(
    () => grad(f)(tensor([1, 2], { dtype: "int32" })),
    (e: Error) => e instanceof TypeError && /^grad: argument 0 has dtype int32/.test(e.message),
  );
  assert.throws(
    () => valueAndGrad(f)(tensor([true])),
    /^TypeError: valueAndGrad: argument 0 has dtype bool/,
  );
  // Inside a pytree, the path is named.
  const g = (p: { w: Tensor; idx: Tensor }) => sum(p.w);
  assert.throws(
    () => grad(g)({ w: f64([1], [1]), idx: tensor([0], { dtype: "int32" }) }),
    /argument 0 at "idx" has dtype int32/,
  );
  assert.throws(
    () =>
      grad((x: Tensor, i: Tensor) => sum(mul(x, i)), { argnums: [0, 1] })(
        f64([1], [1]),
        tensor([1], { dtype: "int32" }),
      ),
    /argument 1 has dtype int32/,
  );
  // As a non-differentiated argument an int32 tensor is fine.
  const x = f64([10, 20, 30], [3]);
  const idx = tensor([2, 2, 0], { dtype: "int32" });
  const dx = grad((x: Tensor, i: Tensor) => sum(gather(x, i, 0)))(x, idx) as Tensor;
  assert.deepEqual([...read(dx)], [1, 0, 2]);
  // Out-of-range argnums and a non-function are reported.
  assert.throws(() => grad(f, { argnums: 1 })(x), /grad: argnums 1 is out of range/);
  assert.throws(() => grad(3 as never)(x), /expected a function/);
});

Deno.test("grad: a non-scalar or non-float output throws", () => {
  const x = f64([1, 2, 3], [3]);
  assert.throws(() => grad((x: Tensor) => mul(x, 2))(x), /grad: .*scalar.*got \[3\] float64/);
  assert.throws(() => grad((x: Tensor) => argmax(x))(x), /floating-point.*int32/);
  assert.throws(
    () => grad((_x: Tensor) => 3 as never)(x),
    /must return a scalar Tensor, got number/,
  );
  assert.throws(
    () => valueAndGrad((x: Tensor) => sum(x) as never, { hasAux: true })(x),
    /with hasAux the function must return \[value, aux\]/,
  );
  assert.equal(isRecording(), false);
});

Deno.test("vjp: a cotangent of the wrong shape, dtype or structure throws", () => {
  const [y, pullback] = vjp((x: Tensor) => mul(x, 2), f64([1, 2, 3], [3]));
  assert.deepEqual(y.shape, [3]);
  assert.throws(() => pullback(f64([1, 2], [2])), /vjp: cotangent \[2\] float64 does not match/);
  assert.throws(
    () => pullback(tensor([1, 2, 3], { dtype: "float32" })),
    /cotangent \[3\] float32 does not match output \[3\] float64/,
  );
  assert.throws(() => pullback([f64([1, 2, 3], [3])] as never), /cotangent structure/);
  // The pullback is reusable and linear.
  const [a] = pullback(f64([1, 0, -1], [3]));
  const [b] = pullback(f64([2, 0, -2], [3]));
  assert.deepEqual([...read(a)], [2, 0, -2]);
  assert.deepEqual([...read(b)], [4, 0, -4]);
  // jvp checks its tangents.
  assert.throws(
    () => jvp((x: Tensor) => x, [f64([1, 2], [2])], [f64([1], [1])]),
    /jvp: tangent 0 does not match/,
  );
  counter.checks++;
});

// ---------------------------------------------------------------------------------------------
// Disconnected inputs

Deno.test("grad: a function ignoring its input gives zeros of the right shape and dtype", () => {
  const x = f64([1, 2, 3, 4, 5, 6], [2, 3]);
  const y = f64([7], []);
  const [dx, dy] = grad((_x: Tensor, y: Tensor) => mul(y, y), { argnums: [0, 1] })(
    x,
    y,
  ) as Tensor[];
  assert.deepEqual(dx.shape, [2, 3]);
  assert.equal(dx.dtype, "float64");
  assert.deepEqual([...read(dx)], [0, 0, 0, 0, 0, 0]);
  assert.deepEqual([...read(dy)], [14]);
  // A constant output, and a float32 argument.
  const x32 = tensor([[1, 2]], { dtype: "float32" });
  const d32 = grad((_x: Tensor) => f64([5], []))(x32) as Tensor;
  assert.deepEqual(d32.shape, [1, 2]);
  assert.equal(d32.dtype, "float32");
  assert.deepEqual([...d32.dataSync()], [0, 0]);
  // A pytree where only some leaves are used.
  const dp = grad((p: { a: Tensor; b: Tensor[] }) => sum(p.b[1]))({
    a: x,
    b: [y, f64([1, 1], [2])],
  }) as { a: Tensor; b: Tensor[] };
  assert.deepEqual([...read(dp.a)], [0, 0, 0, 0, 0, 0]);
  assert.deepEqual([...read(dp.b[0])], [0]);
  assert.deepEqual([...read(dp.b[1])], [1, 1]);
  // The identity: the output is the (watched) input itself.
  assert.deepEqual([...read(grad((x: Tensor) => x)(y) as Tensor)], [1]);
  counter.checks += 4;
});

// ---------------------------------------------------------------------------------------------
// No leaked tape state

Deno.test("tapes: an exception inside f leaves no tape behind", () => {
  const boom = new Error("boom");
  const x = f64([1, 2], [2]);
  const good = () => read(grad((x: Tensor) => sum(mul(x, x)))(x) as Tensor);
  assert.equal(isRecording(), false);

  assert.throws(() =>
    grad((x: Tensor) => {
      mul(x, x);
      throw boom;
    })(x), boom);
  assert.equal(isRecording(), false);
  assert.deepEqual([...good()], [2, 4]);

  // Thrown from an inner grad inside an outer one.
  assert.throws(
    () =>
      grad((x: Tensor) =>
        grad((y: Tensor) => {
          mul(x, y);
          throw boom;
        })(x) as Tensor
      )(scalar(1)),
    boom,
  );
  assert.equal(isRecording(), false);

  // Thrown by an op's own validation inside f, and from vjp, jvp and a custom fwd.
  assert.throws(() => grad((x: Tensor) => sum(mul(x, f64([1, 2, 3], [3]))))(x), /mul/);
  assert.equal(isRecording(), false);
  const throwing = (_x: Tensor): Tensor => {
    throw boom;
  };
  assert.throws(() => vjp(throwing, x), boom);
  assert.throws(() => jvp(throwing, [x], [x]), boom);
  const badFwd = customVjp(
    (x: Tensor) => x,
    (x: Tensor): [Tensor, null] => [throwing(x), null],
    () => [],
  );
  assert.throws(() => grad((x: Tensor) => sum(badFwd(x)))(x), boom);
  assert.equal(isRecording(), false);

  // Everything still works, including nesting, and ops outside grad record nothing.
  assert.deepEqual([...good()], [2, 4]);
  const d2 = grad((x: Tensor) => grad((y: Tensor) => mul(y, mul(y, y)))(x) as Tensor);
  assert.equal(read(d2(scalar(2)) as Tensor)[0], 12);
  mul(x, x);
  assert.equal(isRecording(), false);
  counter.checks += 2;
});

/**
 * Nested differentiation and the transforms' handling of arguments: higher derivatives against
 * closed forms, a Hessian-vector product against finite differences of the gradient,
 * perturbation confusion, argnums and pytrees, hasAux, and jvp against finite differences.
 */
import assert from "node:assert/strict";
import { assertClose } from "../assert_close.ts";
import {
  add,
  exp,
  grad,
  jvp,
  matmul,
  mean,
  mul,
  pow,
  sin,
  sub,
  sum,
  tanh,
  type Tensor,
  transpose,
  tree,
  valueAndGrad,
  vjp,
} from "../../mod.ts";
import { counter, f64, Gen, read } from "./gradcheck.ts";

const scalar = (v: number) => f64([v], []);
const num = (t: unknown) => {
  const d = read(t as Tensor);
  assert.equal(d.length, 1, "expected one element");
  return d[0];
};

Deno.test("nested: derivatives of x^3 are 3x^2, 6x, 6, 0", () => {
  const f = (x: Tensor) => pow(x, 3);
  const d1 = grad(f);
  const d2 = grad((x: Tensor) => d1(x) as Tensor);
  const d3 = grad((x: Tensor) => d2(x) as Tensor);
  const d4 = grad((x: Tensor) => d3(x) as Tensor);
  for (const x of [-1.5, 0.7, 2, 3.25]) {
    assertClose(num(d1(scalar(x))), 3 * x * x, { rtol: 1e-12, atol: 0 });
    assertClose(num(d2(scalar(x))), 6 * x, { rtol: 1e-12, atol: 0 });
    assertClose(num(d3(scalar(x))), 6, { rtol: 1e-12, atol: 0 });
    assertClose(num(d4(scalar(x))), 0, { atol: 1e-12 });
    counter.checks += 4;
  }
  // x * x * x (a product, not pow) gives the same derivatives.
  const g = (x: Tensor) => mul(mul(x, x), x);
  const gd3 = grad((x: Tensor) => grad((y: Tensor) => grad(g)(y) as Tensor)(x) as Tensor);
  assertClose(num(gd3(scalar(-0.4))), 6, { rtol: 1e-12, atol: 0 });
  // Elementwise: d/dx sum(d/dx sum(x^3)) = 6x.
  const xs = f64([-2, -0.5, 0.25, 1.5], [4]);
  const h = grad((x: Tensor) => sum(grad((y: Tensor) => sum(pow(y, 3)))(x) as Tensor));
  assertClose(read(h(xs) as Tensor), [-12, -3, 1.5, 9], { rtol: 1e-12, atol: 0 });
  counter.checks += 2;
});

Deno.test("nested: second derivatives of sin(x) * exp(x) (closed form)", () => {
  // f = sin e^x; f' = (sin + cos) e^x; f'' = 2 cos e^x.
  const f = (x: Tensor) => mul(sin(x), exp(x));
  const d2 = grad((x: Tensor) => grad(f)(x) as Tensor);
  for (const x of [-1, 0.3, 1.7]) {
    assertClose(num(grad(f)(scalar(x))), (Math.sin(x) + Math.cos(x)) * Math.exp(x), {
      rtol: 1e-12,
      atol: 1e-14,
    });
    assertClose(num(d2(scalar(x))), 2 * Math.cos(x) * Math.exp(x), { rtol: 1e-12, atol: 1e-14 });
    counter.checks += 2;
  }
});

// ---------------------------------------------------------------------------------------------
// Hessian-vector product of a small MLP

interface Params {
  fc1: { weight: Tensor; bias: Tensor };
  fc2: { weight: Tensor; bias: Tensor };
}

function mlpSetup(seed: number) {
  const g = new Gen(seed);
  const x = g.tensor([5, 3]);
  const y = g.tensor([5, 2]);
  const params = (): Params => ({
    fc1: { weight: g.tensor([4, 3]), bias: g.tensor([4]) },
    fc2: { weight: g.tensor([2, 4]), bias: g.tensor([2]) },
  });
  // PyTorch layouts: y = x W^T + b.
  const loss = (p: Params) => {
    const h = tanh(add(matmul(x, transpose(p.fc1.weight)), p.fc1.bias));
    const out = add(matmul(h, transpose(p.fc2.weight)), p.fc2.bias);
    const d = sub(out, y);
    return mean(mul(d, d));
  };
  return { loss, p: params(), v: params(), v2: params() };
}

const inner = (a: unknown, b: unknown): Tensor =>
  tree.zip(a, b).map(([x, y]) => sum(mul(x, y))).reduce((s, t) => add(s, t));
const innerJs = (a: unknown, b: unknown): number =>
  tree.zip(a, b).reduce((s, [x, y]) => {
    const xv = read(x);
    const yv = read(y);
    return s + xv.reduce((t, v, i) => t + v * yv[i], 0);
  }, 0);

Deno.test("nested: Hessian-vector product of an MLP loss matches finite differences", () => {
  const { loss, p, v, v2 } = mlpSetup(11);
  const gradLoss = grad(loss);
  // H v = grad of <grad(loss)(w), v>.
  const hvp = (w: Params, dir: Params) => grad((w: Params) => inner(gradLoss(w), dir))(w) as Params;
  const hv = hvp(p, v);
  assert.ok(tree.structureEqual(hv, p));

  const eps = 1e-5;
  const shift = (s: number) =>
    tree.map((w, d) => f64(read(w).map((a, i) => a + s * eps * read(d)[i]), w.shape), p, v);
  const gp = gradLoss(shift(1)) as Params;
  const gm = gradLoss(shift(-1)) as Params;
  const hvLeaves = tree.flattenWithPaths(hv);
  const gpLeaves = tree.leaves(gp);
  const gmLeaves = tree.leaves(gm);
  hvLeaves.forEach(([path, h], i) => {
    const fd = read(gpLeaves[i]).map((a, j) => (a - read(gmLeaves[i])[j]) / (2 * eps));
    assertClose(read(h), fd, { rtol: 1e-5, atol: 1e-8, msg: `Hv at ${path}` });
  });
  counter.checks++;

  // The Hessian is symmetric: <v2, H v> = <v, H v2>.
  assertClose(innerJs(v2, hv), innerJs(v, hvp(p, v2)), { rtol: 1e-10, atol: 1e-12 });
  counter.checks++;

  // Forward-over-reverse gives the same product.
  const [, hvFwd] = jvp((w: Params) => gradLoss(w) as Params, [p], [v]);
  tree.zip(hvFwd, hv).forEach(([a, b]) =>
    assertClose(read(a), read(b), { rtol: 1e-10, atol: 1e-12 })
  );
  counter.checks++;
});

// ---------------------------------------------------------------------------------------------
// Perturbation confusion

Deno.test("nested: no perturbation confusion", () => {
  // d/dx [d/dy (x y) at y = x] = d/dx x = 1; confusing the two perturbations gives 2.
  const f = (x: Tensor) => grad((y: Tensor) => mul(x, y))(x) as Tensor;
  for (const x of [0.5, 3]) {
    assert.equal(num(f(scalar(x))), x);
    assert.equal(num(grad(f)(scalar(x))), 1);
  }
  // Siskind & Pearlmutter: d/dx [x * d/dy (x + y) at y = 1] at x = 1 is 1.
  const g = (x: Tensor) => mul(x, grad((y: Tensor) => add(x, y))(scalar(1)) as Tensor);
  assert.equal(num(grad(g)(scalar(1))), 1);
  // d/dx [d/dy (x^2 y) at y = x] = d/dx x^2 = 2x.
  const h = (x: Tensor) => grad((y: Tensor) => mul(mul(x, x), y))(x) as Tensor;
  assertClose(num(grad(h)(scalar(1.5))), 3, { rtol: 1e-14, atol: 0 });
  // The same tensor passed to both levels, with the inner one differentiated with respect to a
  // second argument: d/dx [d/dz (x z + z^2) at z = x] = d/dx (x + 2x) = 3.
  const k = (x: Tensor) =>
    grad((a: Tensor, z: Tensor) => add(mul(a, z), mul(z, z)), { argnums: 1 })(x, x) as Tensor;
  assertClose(num(grad(k)(scalar(0.7))), 3, { rtol: 1e-14, atol: 0 });
  counter.checks += 6;
});

// ---------------------------------------------------------------------------------------------
// argnums and pytrees

Deno.test("nested: grad with argnums arrays over pytree arguments returns matching structures", () => {
  const g = new Gen(5);
  const p = {
    w: g.tensor([2, 3]),
    b: { c: g.tensor([3]) },
    list: [g.tensor([2]), g.tensor([2])],
    scale: 3, // static data stays in place
  };
  const x = g.tensor([4, 2]);
  const s = g.tensor([3]);
  // f = sum((x w + c) * s) + sum(list0^2); list1 is unused.
  const f = (p: typeof params, x: Tensor, s: Tensor) =>
    add(sum(mul(add(matmul(x, p.w), p.b.c), s)), sum(mul(p.list[0], p.list[0])));
  const params = p;
  const [gp, gs] = grad(f, { argnums: [0, 2] })(p, x, s) as [typeof p, Tensor];
  assert.ok(tree.structureEqual(gp, p), "gradient has the structure of the argument");
  assert.equal(gp.scale, 3);
  assert.deepEqual(
    tree.flattenWithPaths(gp).map(([k, t]) => [k, t.shape, t.dtype]),
    tree.flattenWithPaths(p).map(([k, t]) => [k, t.shape, t.dtype]),
  );
  const xv = read(x);
  const sv = read(s);
  const wv = read(p.w);
  const cv = read(p.b.c);
  const colSum = [0, 1].map((i) => [0, 1, 2, 3].reduce((t, n) => t + xv[n * 2 + i], 0));
  // d/dw[i, j] = (sum_n x[n, i]) s[j]; d/dc = 4 s; d/dlist0 = 2 list0; d/dlist1 = 0.
  assertClose(read(gp.w), colSum.flatMap((c) => [...sv].map((sj) => c * sj)), { rtol: 1e-12 });
  assertClose(read(gp.b.c), [...sv].map((v) => 4 * v), { rtol: 1e-12 });
  assertClose(read(gp.list[0]), [...read(p.list[0])].map((v) => 2 * v), { rtol: 1e-12 });
  assert.deepEqual([...read(gp.list[1])], [0, 0]);
  // d/ds[j] = sum_n (x w + c)[n, j].
  const ds = [0, 1, 2].map((j) =>
    [0, 1, 2, 3].reduce((t, n) => t + xv[n * 2] * wv[j] + xv[n * 2 + 1] * wv[3 + j] + cv[j], 0)
  );
  assertClose(read(gs), ds, { rtol: 1e-12 });

  // A single argnum gives the tree itself, not a one-element tuple.
  const only = grad(f, { argnums: 2 })(p, x, s) as Tensor;
  assertClose(read(only), ds, { rtol: 1e-12 });
  // An argnums array of one gives a one-element tuple.
  const tuple = grad(f, { argnums: [1] })(p, x, s) as Tensor[];
  assert.ok(Array.isArray(tuple) && tuple.length === 1);
  assert.deepEqual(tuple[0].shape, [4, 2]);
  counter.checks += 6;
});

Deno.test("nested: valueAndGrad with hasAux passes aux through", () => {
  const g = new Gen(9);
  const w = g.tensor([3]);
  const x = g.tensor([3]);
  const f = (w: Tensor, x: Tensor) => {
    const pred = mul(w, x);
    return [sum(mul(pred, pred)), { pred, note: "aux" }] as const;
  };
  const [[value, aux], dw] = valueAndGrad(f, { hasAux: true })(w, x) as [
    [Tensor, { pred: Tensor; note: string }],
    Tensor,
  ];
  const wv = read(w);
  const xv = read(x);
  assertClose(num(value), wv.reduce((t, a, i) => t + (a * xv[i]) ** 2, 0), { rtol: 1e-12 });
  assert.equal(aux.note, "aux");
  assertClose(read(aux.pred), wv.map((a, i) => a * xv[i]), { rtol: 1e-14 });
  assertClose(read(dw), wv.map((a, i) => 2 * a * xv[i] * xv[i]), { rtol: 1e-12 });
  // With an argnums array the gradients come as a tuple; aux is unchanged.
  const [[v2], [gw, gx]] = valueAndGrad(f, { hasAux: true, argnums: [0, 1] })(w, x) as [
    [Tensor, unknown],
    Tensor[],
  ];
  assertClose(num(v2), num(value), { rtol: 0, atol: 0 });
  assertClose(read(gw), read(dw), { rtol: 1e-14 });
  assertClose(read(gx), wv.map((a, i) => 2 * a * a * xv[i]), { rtol: 1e-12 });
  // grad with hasAux returns [gradient, aux], as jax.grad does.
  const [gOnly, aux2] = grad(f, { hasAux: true })(w, x);
  assertClose(read(gOnly), read(dw), { rtol: 1e-14 });
  assert.equal(aux2.note, "aux");
  counter.checks += 4;
});

// ---------------------------------------------------------------------------------------------
// jvp

Deno.test("nested: jvp of a nonlinear pytree function matches finite differences", () => {
  const g = new Gen(21);
  const f = (x: Tensor, p: { y: Tensor; z: Tensor }) => ({
    a: mul(sin(x), exp(p.y)),
    b: sum(mul(pow(x, 2), tanh(p.z))),
  });
  const x = g.tensor([2, 3]);
  const p = { y: g.tensor([3]), z: g.tensor([2, 3]) };
  const tx = g.tensor([2, 3]);
  const tp = { y: g.tensor([3]), z: g.tensor([2, 3]) };
  const [out, tan] = jvp(f, [x, p], [tx, tp]);
  assert.ok(tree.structureEqual(tan, out));
  assertClose(read(out.a), read(f(x, p).a), { rtol: 0, atol: 0 });
  const eps = 1e-6;
  const moved = (s: number) => {
    const mv = (a: Tensor, d: Tensor) =>
      f64(read(a).map((v, i) => v + s * eps * read(d)[i]), a.shape);
    return f(mv(x, tx), { y: mv(p.y, tp.y), z: mv(p.z, tp.z) });
  };
  const plus = moved(1);
  const minus = moved(-1);
  for (const k of ["a", "b"] as const) {
    const fd = read(plus[k]).map((v, i) => (v - read(minus[k])[i]) / (2 * eps));
    assertClose(read(tan[k]), fd, { rtol: 1e-6, atol: 1e-8, msg: `tangent ${k}` });
  }
  // Closed form for a: cos(x) e^y tx + sin(x) e^y ty.
  const xv = read(x);
  const yv = read(p.y);
  const txv = read(tx);
  const tyv = read(tp.y);
  assertClose(
    read(tan.a),
    xv.map((v, i) => Math.exp(yv[i % 3]) * (Math.cos(v) * txv[i] + Math.sin(v) * tyv[i % 3])),
    { rtol: 1e-12, atol: 1e-14 },
  );
  counter.checks += 3;
});

Deno.test("nested: jvp of grad and grad of vjp agree with closed forms", () => {
  // f(x) = sum(x^3): grad = 3x^2, Hessian = diag(6x). jvp(grad f)(x; v) = 6 x v.
  const g = new Gen(3);
  const x = g.tensor([4]);
  const v = g.tensor([4]);
  const df = grad((x: Tensor) => sum(pow(x, 3)));
  const [, hv] = jvp((x: Tensor) => df(x) as Tensor, [x], [v]);
  const xv = read(x);
  const vv = read(v);
  assertClose(read(hv), xv.map((a, i) => 6 * a * vv[i]), { rtol: 1e-12 });
  // grad through a vjp: d/dx sum(vjp(sin, x)(u)) = d/dx sum(u cos x) = -u sin x.
  const u = g.tensor([4]);
  const gv = grad((x: Tensor) => {
    const [, pb] = vjp(sin, x);
    return sum(pb(u)[0]);
  })(x) as Tensor;
  const uv = read(u);
  assertClose(read(gv), xv.map((a, i) => -uv[i] * Math.sin(a)), { rtol: 1e-12 });
  counter.checks += 2;
});

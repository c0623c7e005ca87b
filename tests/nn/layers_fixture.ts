/**
 * Loading tests/fixtures/layers.json (written by tools/fixtures/layers.py with PyTorch 1.13) and
 * comparing a layer's output and gradients with it. Not a test file itself.
 */
import assert from "node:assert/strict";
import { assertClose } from "../assert_close.ts";
import { mul, type nn, random, sum, type Tensor, tensor, valueAndGrad } from "../../mod.ts";

/** A stored tensor: its shape and flat row-major values. */
export interface TJ {
  shape: number[];
  data: number[];
}

/** One stored forward/backward: input, cotangent R, output, gradients of sum(output * R). */
export interface Run {
  x: TJ;
  r: TJ;
  y: TJ;
  gx?: TJ;
  grads: Record<string, TJ>;
  state?: Record<string, TJ>;
}

/** A case: the layer's arguments, its parameters and one run. */
export interface Case extends Run {
  // deno-lint-ignore no-explicit-any -- the arguments differ per layer kind (JSON)
  args: any;
  params: Record<string, TJ>;
}

/** The fixture file. */
export const fixtures = JSON.parse(
  await Deno.readTextFile(new URL("../fixtures/layers.json", import.meta.url)),
);

/** Tolerances for float32 comparisons against PyTorch. */
export const TOL = { rtol: 1e-4, atol: 1e-5 };

/** A stored tensor as float32 (or int32). */
export function load(j: TJ, dtype: "float32" | "int32" = "float32"): Tensor {
  const data = dtype === "int32" ? Int32Array.from(j.data) : Float32Array.from(j.data);
  return tensor(data, { shape: j.shape });
}

/** Every entry of a stored tree of tensors. */
export function loadAll(m: Record<string, TJ>): Record<string, Tensor> {
  return Object.fromEntries(Object.entries(m).map(([k, v]) => [k, load(v)]));
}

/** Asserts `actual` has the stored shape and values. */
export function expectTensor(actual: Tensor, expected: TJ, msg: string, tol = TOL): void {
  assert.deepEqual([...actual.shape], expected.shape, `${msg}: shape`);
  assertClose(actual.dataSync(), expected.data, { ...tol, msg });
}

/**
 * Runs `model` on the stored input with the stored parameters and state, and compares the
 * output, the input gradient (float inputs) and every parameter gradient. Returns the new state.
 */
export function checkRun(
  model: nn.Model<Tensor, Tensor>,
  params: Record<string, Tensor>,
  state: nn.Params,
  run: Run,
  label: string,
  ctx: nn.ApplyContext = {},
  tol = TOL,
): nn.Params {
  const isInt = run.gx === undefined;
  const x = load(run.x, isInt ? "int32" : "float32");
  const r = load(run.r);
  const loss = (p: nn.Params, xx: Tensor) => {
    const [y, s] = model.applyWithState(p, state, xx, ctx);
    return [sum(mul(y, r)), [y, s]] as const;
  };
  let y: Tensor;
  let next: nn.Params;
  let gp: nn.Params;
  if (isInt) {
    const [[, aux], g] = valueAndGrad((p: nn.Params) => loss(p, x), { hasAux: true })(params);
    [y, next] = aux;
    gp = g;
  } else {
    const [[, aux], [g, gx]] = valueAndGrad(loss, { argnums: [0, 1], hasAux: true })(params, x);
    [y, next] = aux;
    gp = g;
    expectTensor(gx, run.gx!, `${label}: input gradient`, tol);
  }
  expectTensor(y, run.y, `${label}: output`, tol);
  assert.deepEqual(Object.keys(gp).sort(), Object.keys(run.grads).sort(), `${label}: grad names`);
  for (const [n, g] of Object.entries(run.grads)) {
    expectTensor(gp[n] as Tensor, g, `${label}: gradient of ${n}`, tol);
  }
  return next;
}

/**
 * Checks `init` against the stored case: output shape as PyTorch's, parameter names and shapes
 * as PyTorch's `state_dict`.
 */
export function checkInit(model: nn.Model<Tensor, Tensor>, c: Case, label: string): void {
  const { params, outputShape } = model.init(random.key(7), c.x.shape);
  assert.deepEqual(outputShape, c.y.shape, `${label}: init output shape`);
  const shapes = Object.fromEntries(
    Object.entries(params).map(([k, v]) => [k, [...(v as Tensor).shape]]),
  );
  const want = Object.fromEntries(Object.entries(c.params).map(([k, v]) => [k, v.shape]));
  assert.deepEqual(shapes, want, `${label}: parameter names and shapes`);
}

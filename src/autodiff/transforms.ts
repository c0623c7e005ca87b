/**
 * The differentiation transforms: `vjp`, `grad`, `valueAndGrad` and `jvp`.
 *
 * @module
 */
import { fmtShape, shapesEqual } from "../core/shape.ts";
import { Tensor } from "../core/tensor.ts";
import { isFloat } from "../core/dtype.ts";
import { ones, zerosLike } from "../ops/creation.ts";
import { cast } from "../ops/cast.ts";
import * as tree from "../tree/tree.ts";
import { checkDiffArgs, checkScalar } from "./arguments.ts";
import { backward } from "./backward.ts";
import { popTape, pushTape, record, recording, Tape } from "./tape.ts";
import { disposeTensor, withScope } from "../core/lifetime.ts";
import { traceObserver } from "../core/trace_hooks.ts";

/**
 * A new tensor equal to `x` that `tape` watches. It is linked to `x` on the outer tapes by an
 * identity entry, so a gradient taken inside stays connected to the variables of enclosing
 * gradients, while a closed-over `x` is not mistaken for this tape's variable.
 */
function watch(x: Tensor, tape: Tape): Tensor {
  const y = new Tensor(x.backend, x.storage, x.shape, x.dtype);
  record({ prim: "reshape", params: { shape: x.shape }, inputs: [x], outputs: [y] });
  // A trace sees the same identity, so the gradient stays a function of the traced input.
  traceObserver()?.source(y, "reshape", { shape: x.shape }, [x]);
  if (isFloat(x.dtype)) tape.watched.add(y);
  return y;
}

interface Traced {
  tape: Tape;
  inputs: Tensor[][];
  defs: tree.TreeDef<unknown>[];
  out: unknown;
}

/** Runs `f` on watched copies of the leaves of `args` selected by `which`. */
function trace(
  op: string,
  f: (...args: never[]) => unknown,
  args: readonly unknown[],
  which: readonly number[],
): Traced {
  if (typeof f !== "function") throw new TypeError(`${op}: expected a function, got ${typeof f}`);
  const inputs: Tensor[][] = [];
  const defs: tree.TreeDef<unknown>[] = [];
  const tape = new Tape();
  const callArgs = [...args];
  for (const i of which) {
    if (i < 0 || i >= args.length || !Number.isInteger(i)) {
      throw new RangeError(`${op}: argnums ${i} is out of range for ${args.length} arguments`);
    }
    const [leaves, def] = tree.flatten(args[i]);
    const watched = leaves.map((x) => watch(x, tape));
    inputs.push(watched);
    defs.push(def);
    callArgs[i] = tree.unflatten(def, watched);
  }
  const active = pushTape(tape);
  let out: unknown;
  try {
    out = (f as (...a: unknown[]) => unknown)(...callArgs);
  } finally {
    popTape(active);
  }
  return { tape, inputs, defs, out };
}

/** Pulls `seeds` back to the traced inputs, as pytrees shaped like the arguments. */
function pullBack(t: Traced, seeds: (readonly [Tensor, Tensor])[]): unknown[] {
  const flat = t.inputs.flat();
  const cts = backward(t.tape, seeds, flat);
  let k = 0;
  return t.inputs.map((leaves, i) =>
    tree.unflatten(
      t.defs[i],
      leaves.map((x) => {
        const c = cts[k++];
        if (c === undefined) return zerosLike(x);
        return c.dtype === x.dtype ? c : cast(c, x.dtype);
      }),
    )
  );
}

/**
 * Evaluates `f(...primals)` and returns its output with a function that maps an output
 * cotangent (same structure, shapes and dtypes as the output) to the cotangents of every primal.
 * Integer primals get zero cotangents.
 *
 * @example
 * ```ts
 * import { mul, tensor, vjp } from "@fluxion/fluxion";
 * const [y, pullback] = vjp((x) => mul(x, x), tensor([1, 2, 3]));
 * const [dx] = pullback(tensor([1, 1, 1])); // [2, 4, 6]
 * ```
 */
export function vjp<Args extends unknown[], Out>(
  f: (...args: Args) => Out,
  ...primals: Args
): [Out, (cotangent: Out) => Args] {
  const all = primals.map((_, i) => i);
  checkDiffArgs("vjp", primals, all, true);
  const t = trace("vjp", f as (...args: never[]) => unknown, primals, all);
  const [outLeaves, outDef] = tree.flatten(t.out);
  const pullback = (cotangent: Out): Args => {
    const [ctLeaves, ctDef] = tree.flatten(cotangent);
    if (!tree.structureEqual(t.out, cotangent) || ctDef.numLeaves !== outDef.numLeaves) {
      throw new Error(
        `vjp: cotangent structure ${ctDef} does not match output structure ${outDef}`,
      );
    }
    const seeds = outLeaves.map((o, i): [Tensor, Tensor] => {
      const c = ctLeaves[i];
      if (!shapesEqual(c.shape, o.shape) || c.dtype !== o.dtype) {
        throw new Error(
          `vjp: cotangent ${fmtShape(c.shape)} ${c.dtype} does not match output ${
            fmtShape(o.shape)
          } ${o.dtype} (leaf ${i})`,
        );
      }
      return [o, c];
    });
    return pullBack(t, seeds) as Args;
  };
  return [t.out as Out, pullback];
}

/** Options of `grad` and `valueAndGrad`. */
export interface GradOptions {
  /** Which positional argument(s) to differentiate with respect to (default 0). */
  argnums?: number | readonly number[];
  /** `f` returns `[value, aux]`; aux is passed through undifferentiated. */
  hasAux?: boolean;
}

/**
 * The type of the gradients for `argnums` `N` of a function taking `Args`: the argument's own type
 * for one index, a tuple of them for an array of indices.
 */
export type GradsOf<Args extends readonly unknown[], N> = N extends number ? Args[N]
  : { -readonly [K in keyof N]: N[K] extends number ? Args[N[K]] : never };

/** Which arguments to differentiate: one index or several. */
export type Argnums = number | readonly number[];

/**
 * Like `grad`, but returns `[value, gradients]` from one evaluation (with `hasAux`,
 * `[[value, aux], gradients]`). Gradients have the structure of the differentiated arguments: one
 * tree for a single `argnums`, a tuple for an array.
 *
 * @example
 * ```ts
 * import { mul, sum, type Tensor, tensor, valueAndGrad } from "@fluxion/fluxion";
 * const f = (w: Tensor) => sum(mul(w, w));
 * const [loss, dw] = valueAndGrad(f)(tensor([1, 2])); // 5, [2, 4]
 * ```
 */
export function valueAndGrad<Args extends unknown[], Aux, const N extends Argnums = 0>(
  f: (...args: Args) => readonly [Tensor, Aux],
  opts: { argnums?: N; hasAux: true },
): (...args: Args) => [[Tensor, Aux], GradsOf<Args, NoInfer<N>>];
/** `valueAndGrad` of a function returning a scalar tensor. */
export function valueAndGrad<Args extends unknown[], const N extends Argnums = 0>(
  f: (...args: Args) => Tensor,
  opts?: { argnums?: N; hasAux?: false },
): (...args: Args) => [Tensor, GradsOf<Args, NoInfer<N>>];
export function valueAndGrad<Args extends unknown[]>(
  f: (...args: Args) => unknown,
  opts: GradOptions = {},
): (...args: Args) => [unknown, unknown] {
  return makeValueAndGrad("valueAndGrad", f, opts);
}

/** `valueAndGrad`, with errors naming `op` (the transform the user called). */
function makeValueAndGrad<Args extends unknown[]>(
  op: string,
  f: (...args: Args) => unknown,
  opts: GradOptions,
): (...args: Args) => [unknown, unknown] {
  const argnums = opts.argnums ?? 0;
  const which = typeof argnums === "number" ? [argnums] : [...argnums];
  return (...args: Args): [unknown, unknown] => {
    checkDiffArgs(op, args, which);
    // Intermediates (and the tape holding them) are released on return; only results escape.
    return withScope(() => valueAndGradOf(op, f, opts, args, which), tree.leaves);
  };
}

function valueAndGradOf<Args extends unknown[]>(
  op: string,
  f: (...args: Args) => unknown,
  opts: GradOptions,
  args: Args,
  which: number[],
): [unknown, unknown] {
  const argnums = opts.argnums ?? 0;
  {
    const t = trace(op, f as (...args: never[]) => unknown, args, which);
    let value: Tensor;
    let result: unknown;
    if (opts.hasAux) {
      if (!Array.isArray(t.out) || t.out.length !== 2) {
        throw new TypeError(`${op}: with hasAux the function must return [value, aux]`);
      }
      value = checkScalar(op, t.out[0]);
      result = t.out;
    } else {
      value = checkScalar(op, t.out);
      result = value;
    }
    const grads = pullBack(t, [[
      value,
      ones(value.shape, { dtype: value.dtype, backend: value.backend }),
    ]]);
    return [result, typeof argnums === "number" ? grads[0] : grads];
  }
}

/**
 * The gradient of a scalar-valued `f` with respect to argument `argnums` (default 0): a function
 * returning a pytree shaped like that argument (a tuple of them for an array of indices). With
 * `hasAux`, `f` returns `[value, aux]` and the result is `[gradients, aux]`. Nests:
 * `grad(grad(f))` is the second derivative.
 *
 * @example
 * ```ts
 * import { grad, pow, type Tensor, tensor } from "@fluxion/fluxion";
 * const f = (x: Tensor) => pow(x, 3);
 * grad(f)(tensor(2)); // 12
 * grad(grad(f))(tensor(2)); // 12 (6x)
 * ```
 */
export function grad<Args extends unknown[], Aux, const N extends Argnums = 0>(
  f: (...args: Args) => readonly [Tensor, Aux],
  opts: { argnums?: N; hasAux: true },
): (...args: Args) => [GradsOf<Args, NoInfer<N>>, Aux];
/** `grad` of a function returning a scalar tensor. */
export function grad<Args extends unknown[], const N extends Argnums = 0>(
  f: (...args: Args) => Tensor,
  opts?: { argnums?: N; hasAux?: false },
): (...args: Args) => GradsOf<Args, NoInfer<N>>;
export function grad<Args extends unknown[]>(
  f: (...args: Args) => unknown,
  opts: GradOptions = {},
): (...args: Args) => unknown {
  const vg = makeValueAndGrad("grad", f, opts);
  return (...args: Args) => {
    const [value, grads] = vg(...args);
    const result = opts.hasAux ? [grads, (value as unknown[])[1]] : grads;
    // The value does not escape grad: release it now (under an enclosing tape, the enclosing
    // scope releases it later, in case the outer backward pass reads it).
    const v = opts.hasAux ? (value as unknown[])[0] : value;
    if (v instanceof Tensor && !recording() && !tree.leaves(result).includes(v)) disposeTensor(v);
    return result;
  };
}

/**
 * Forward-mode product: `f(...primals)` and the directional derivative `J · tangents`, computed as
 * the transpose of the (linear) VJP, so it works wherever `vjp` does.
 *
 * @example
 * ```ts
 * import { jvp, mul, tensor } from "@fluxion/fluxion";
 * const [y, dy] = jvp((x) => mul(x, x), [tensor([3])], [tensor([1])]); // 9, 6
 * ```
 */
export function jvp<Args extends unknown[], Out>(
  f: (...args: Args) => Out,
  primals: Args,
  tangents: Args,
): [Out, Out] {
  if (!Array.isArray(primals) || !Array.isArray(tangents) || primals.length !== tangents.length) {
    throw new TypeError("jvp: primals and tangents must be arrays of the same length");
  }
  primals.forEach((p, i) => {
    const pl = tree.leaves(p);
    const tl = tree.leaves(tangents[i]);
    if (
      !tree.structureEqual(p, tangents[i]) || pl.some((x, j) => !shapesEqual(x.shape, tl[j].shape))
    ) {
      throw new Error(`jvp: tangent ${i} does not match the structure and shapes of primal ${i}`);
    }
  });
  return withScope(() => jvpOf(f, primals, tangents), tree.leaves);
}

function jvpOf<Args extends unknown[], Out>(
  f: (...args: Args) => Out,
  primals: Args,
  tangents: Args,
): [Out, Out] {
  const [out, pullback] = vjp(f, ...primals);
  const zeroCt = tree.map((o) => zerosLike(o), out as unknown) as Out;
  // u -> pullback(u) is linear; its VJP applied to the tangents is J · tangents.
  const [, transposed] = vjp((u: Out) => pullback(u), zeroCt);
  const [tangentOut] = transposed(
    tangents.map((tg, i) =>
      tree.map((x, p) => (x.dtype === p.dtype ? x : cast(x, p.dtype)), tg, primals[i])
    ) as Args,
  );
  return [out, tangentOut];
}

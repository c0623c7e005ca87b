/**
 * Branching composition: `parallel` (model i on input i), `fanOut` (every model on the same
 * input) and `residual` (x + m(x)).
 *
 * @module
 */
import { fmtShape, shapesEqual } from "../core/shape.ts";
import type { Tensor } from "../core/tensor.ts";
import { add } from "../ops/arithmetic.ts";
import { childContext, childKeys, inChild, sub } from "./chain.ts";
import { layer, type Model, type Params, type ShapeSpec } from "./model.ts";
import { ShapeError, withPath } from "./validate.ts";

/**
 * Applies model `i` to input `i` of a tuple: `[x0, x1] -> [m0(x0), m1(x1)]`; parameters `"0"`,
 * `"1"`, ...
 *
 * @example
 * ```ts
 * import { nn } from "@fluxion/fluxion";
 * const both = nn.parallel(nn.linear(4, 2), nn.linear(3, 2));
 * ```
 */
export function parallel(...models: Model<Tensor, Tensor>[]): Model<Tensor[], Tensor[]> {
  return branches("Parallel", models, true);
}

/**
 * Applies every model to the same input: `x -> [m0(x), m1(x), ...]`; parameters `"0"`, `"1"`, ...
 *
 * @example
 * ```ts
 * import { nn } from "@fluxion/fluxion";
 * const heads = nn.fanOut(nn.linear(8, 10), nn.linear(8, 1));
 * ```
 */
export function fanOut(...models: Model<Tensor, Tensor>[]): Model<Tensor, Tensor[]> {
  return branches("FanOut", models, false) as unknown as Model<Tensor, Tensor[]>;
}

function branches(
  kind: string,
  models: Model<Tensor, Tensor>[],
  split_: boolean,
): Model<Tensor[], Tensor[]> {
  const names = models.map((_, i) => String(i));
  return layer<Tensor[], Tensor[]>({
    name: `${kind}(${models.map((m) => m.name).join(", ")})`,
    children: Object.fromEntries(models.map((m, i) => [names[i], m])),
    structure: split_ ? "parallel" : "fanOut",
    init(key, inputShape) {
      if (split_ && (!Array.isArray(inputShape) || inputShape.length !== models.length)) {
        throw new ShapeError([
          `${kind}: expects a list of ${models.length} input shapes, got ${
            JSON.stringify(inputShape)
          }`,
        ]);
      }
      const keys = childKeys(key, models.length);
      const params: Record<string, Params> = {};
      const state: Record<string, Params> = {};
      const out = models.map((m, i) => {
        const s = split_ ? (inputShape as ShapeSpec[])[i] : inputShape;
        const r = withPath(names[i], () => m.init(keys[i], s));
        params[names[i]] = r.params;
        state[names[i]] = r.state;
        return r.outputShape;
      });
      return { params, state, outputShape: out };
    },
    call(params, state, input, ctx) {
      if (split_ && (!Array.isArray(input) || input.length !== models.length)) {
        throw new Error(
          `${kind}: expects a list of ${models.length} inputs, got ${
            Array.isArray(input) ? `${input.length}` : typeof input
          }`,
        );
      }
      const next: Record<string, Params> = {};
      const ys = models.map((m, i) => {
        const x = split_ ? input[i] : (input as unknown as Tensor);
        const [y, s] = inChild(
          names[i],
          () =>
            m.applyWithState(sub(params, names[i]), sub(state, names[i]), x, childContext(ctx, i)),
        );
        next[names[i]] = s;
        return y;
      });
      return [ys, next];
    },
  });
}

/**
 * `x -> x + m(x)` (a skip connection); `m` must keep the shape. Parameters are `m`'s own.
 *
 * @example
 * ```ts
 * import { nn } from "@fluxion/fluxion";
 * const block = nn.residual(nn.serial(nn.linear(16, 16), nn.relu()));
 * ```
 */
export function residual(m: Model<Tensor, Tensor>): Model<Tensor, Tensor> {
  return layer<Tensor, Tensor>({
    name: `Residual(${m.name})`,
    children: { fn: m },
    structure: "residual",
    init(key, inputShape) {
      const r = m.init(key, inputShape);
      const a = inputShape as readonly number[];
      const b = r.outputShape as readonly number[];
      if (!shapesEqual(a, b)) {
        throw new ShapeError([
          `Residual(${m.name}): the block maps ${fmtShape(a)} to ${
            fmtShape(b)
          }; a residual needs the same shape`,
        ]);
      }
      return r;
    },
    call(params, state, x, ctx) {
      const [y, s] = m.applyWithState(params, state, x, ctx);
      return [add(x, y), s];
    },
  });
}

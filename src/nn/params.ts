/**
 * Reading a layer's parameters with errors that name the layer and the missing entry.
 *
 * @module
 */
import { fmtShape, type Shape, shapesEqual } from "../core/shape.ts";
import { Tensor } from "../core/tensor.ts";
import type { Params } from "./model.ts";

/**
 * `params[name]` as a tensor (of `shape`, when given), or an error naming the layer, the entry and
 * what was found, so a checkpoint with a missing or misshapen entry fails clearly.
 */
export function param(layerName: string, params: Params, name: string, shape?: Shape): Tensor {
  const t = params[name];
  if (!(t instanceof Tensor)) {
    const keys = Object.keys(params);
    throw new Error(
      `${layerName}: parameter "${name}" is missing (have ${
        keys.length ? keys.join(", ") : "none"
      })`,
    );
  }
  if (shape && !shapesEqual(t.shape, shape)) {
    throw new Error(
      `${layerName}: parameter "${name}" has shape ${fmtShape(t.shape)}, expected ${
        fmtShape(shape)
      }`,
    );
  }
  return t;
}

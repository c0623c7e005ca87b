/**
 * Shape checks at `init`: every check of a layer runs and every failure is reported together,
 * with the path of the layer inside its model (fp-ts's validation applicative).
 *
 * @module
 */
import * as E from "fp-ts/Either.js";
import * as RA from "fp-ts/ReadonlyArray.js";
import * as RNEA from "fp-ts/ReadonlyNonEmptyArray.js";
import { pipe } from "fp-ts/function.js";
import { fmtShape, type Shape } from "../core/shape.ts";
import type { ShapeSpec } from "./model.ts";

/**
 * The error `init` throws when input shapes do not fit a model: `problems` lists every mismatch,
 * each prefixed by the layer's path (`conv2 (Conv2d(32, 64, 3)): ...`).
 *
 * @example
 * ```ts
 * import { nn, random } from "@fluxion/fluxion";
 * try {
 *   nn.linear(10, 2).init(random.key(0), [4, 3]);
 * } catch (e) {
 *   if (e instanceof nn.ShapeError) console.log(e.problems);
 * }
 * ```
 */
export class ShapeError extends Error {
  /** Every mismatch found, one line each, prefixed by the layer's path in its model. */
  readonly problems: readonly string[];
  /** Where each problem is: the child names from the outermost model down (`["block", "fc1"]`). */
  readonly paths: readonly (readonly string[])[];
  /** The bare problem messages (without paths). */
  readonly messages: readonly string[];
  /** Builds the error from its problems and, optionally, where each one is. */
  constructor(messages: readonly string[], paths: readonly (readonly string[])[] = []) {
    const full = messages.map((m, i) => (paths[i]?.length ? `${paths[i].join(".")}: ${m}` : m));
    super(full.length === 1 ? full[0] : `${full.length} shape problems:\n  ${full.join("\n  ")}`);
    this.name = "ShapeError";
    this.messages = messages;
    this.paths = messages.map((_, i) => paths[i] ?? []);
    this.problems = full;
  }
}

/** One check: passes, or fails with a message. */
export type Check = E.Either<RNEA.ReadonlyNonEmptyArray<string>, true>;

/** A check that passes when `ok`, else fails with `message`. */
export function check(ok: boolean, message: () => string): Check {
  return ok ? E.right(true) : E.left(RNEA.of(message()));
}

const V = E.getApplicativeValidation(RNEA.getSemigroup<string>());

/** Runs every check and throws one ShapeError naming `layerName` with all failures. */
export function validate(layerName: string, checks: readonly Check[]): void {
  const all = pipe(checks, RA.sequence(V));
  if (E.isLeft(all)) throw new ShapeError(all.left.map((m) => `${layerName}: ${m}`));
}

/** `spec` as a single tensor shape, or a ShapeError saying `layerName` takes one tensor. */
export function tensorShape(layerName: string, spec: ShapeSpec): Shape {
  const ok = Array.isArray(spec) && spec.every((d) => typeof d === "number");
  if (!ok) {
    throw new ShapeError([`${layerName}: expects one tensor input, got ${JSON.stringify(spec)}`]);
  }
  return spec as Shape;
}

/** Prefixes every problem of a child's ShapeError with its path in the parent. */
export function withPath<T>(name: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof ShapeError) throw new ShapeError(e.messages, e.paths.map((p) => [name, ...p]));
    throw e;
  }
}

/** `[2,3]` formatting for shape messages. */
export const shapeText: (s: Shape) => string = fmtShape;

/** `v` if it is a positive integer, else a RangeError naming `op` and the argument. */
export function positiveInt(op: string, name: string, v: unknown): number {
  if (!Number.isInteger(v) || (v as number) < 1) {
    throw new RangeError(`${op}: ${name} must be a positive integer, got ${String(v)}`);
  }
  return v as number;
}

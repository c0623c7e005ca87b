/**
 * Multi-head attention, as PyTorch's `nn.MultiheadAttention`: packed `in_proj_weight [3E, E]` and
 * `in_proj_bias [3E]`, an output projection `out_proj.weight [E, E]`, `out_proj.bias [E]`, and
 * scaled dot-product attention per head with optional causal, attention and key padding masks.
 *
 * @module
 */
import type { Shape } from "../../core/shape.ts";
import { fmtShape } from "../../core/shape.ts";
import { Tensor } from "../../core/tensor.ts";
import { add, mul } from "../../ops/arithmetic.ts";
import { greater, where } from "../../ops/comparison.ts";
import { arange, zeros } from "../../ops/creation.ts";
import { matmul } from "../../ops/linalg.ts";
import { mean } from "../../ops/reduce.ts";
import { reshape, transpose } from "../../ops/shape_ops.ts";
import { slice } from "../../ops/slicing.ts";
import { softmax } from "../../ops/softmax.ts";
import { split, uniform } from "../../random/random.ts";
import { layer, type Model, type Params } from "../model.ts";
import { param } from "../params.ts";
import { type Check, check, ShapeError, validate } from "../validate.ts";

/**
 * Masks of one attention call, PyTorch's conventions: a `bool` mask is true where attention is
 * NOT allowed; a float mask is added to the scores (use `-Infinity` to block).
 */
export interface AttentionMasks {
  /** `[L, S]` for every batch and head, or `[N * numHeads, L, S]` (batch-major). */
  readonly attnMask?: Tensor;
  /** `[N, S]`: keys to ignore per batch element (padding). */
  readonly keyPaddingMask?: Tensor;
}

/**
 * The input of `multiHeadAttention`: one tensor `[N, L, E]` for self-attention (query = key =
 * value), or `[query, key, value]` (query `[N, L, E]`, key and value `[N, S, E]`), optionally
 * followed by the masks of this call.
 */
export type AttentionInput =
  | Tensor
  | readonly [query: Tensor, key: Tensor, value: Tensor, masks?: AttentionMasks];

/** Options of `multiHeadAttention` (PyTorch's arguments, plus masking and output form). */
export interface MultiHeadAttentionOptions {
  /** Learn `in_proj_bias` and `out_proj.bias` (default true). */
  bias?: boolean;
  /** Inputs `[N, L, E]` (default true) or `[L, N, E]` (`false`, PyTorch's default layout). */
  batchFirst?: boolean;
  /** Block attention to later positions (key index > query index), as a decoder does. */
  causal?: boolean;
  /** Also return the attention weights: the model outputs `[output, weights]` (default false). */
  needWeights?: boolean;
  /** Weights averaged over heads `[N, L, S]` (default true), or per head `[N, heads, L, S]`. */
  averageAttnWeights?: boolean;
}

const isShape = (s: unknown): s is Shape =>
  Array.isArray(s) && s.every((d) => typeof d === "number");

/** Whether `shape` (absent: no mask) is one of `allowed`. */
const shapeIn = (shape: Shape | undefined, ...allowed: Shape[]) =>
  shape === undefined ||
  allowed.some((s) => s.length === shape.length && s.every((d, i) => d === shape[i]));

/**
 * Multi-head attention, as PyTorch's `nn.MultiheadAttention(embedDim, numHeads, bias,
 * batch_first)`: queries, keys and values are projected by the rows of `in_proj_weight`
 * (`[W_q; W_k; W_v]`), split into `numHeads` heads of `embedDim / numHeads`, attended with
 * `softmax(q kᵀ / √d + mask) v`, joined and projected by `out_proj`. Parameters
 * `{in_proj_weight, in_proj_bias, out_proj: {weight, bias}}` load from PyTorch's `state_dict`
 * (`out_proj.weight`, ...). PyTorch's default init: Xavier-uniform `in_proj_weight`, `out_proj`
 * weight uniform in ±1/√E, biases zero. Attention dropout is not supported.
 *
 * The input is a tensor (self-attention) or `[query, key, value, masks?]`; see `AttentionInput`.
 * The output is `[N, L, E]`; with `needWeights: true` it is `[output, weights]`.
 *
 * @example
 * ```ts
 * import { nn, random, zeros } from "@fluxion/fluxion";
 * const attn = nn.multiHeadAttention(8, 2, { causal: true });
 * const { params } = attn.init(random.key(0), [2, 4, 8]); // self-attention over [N, L, E]
 * const y = attn.apply(params, zeros([2, 4, 8])); // [2, 4, 8]
 * const cross = nn.multiHeadAttention(8, 2, { needWeights: true });
 * const [out, w] = cross.apply(params, [zeros([2, 4, 8]), zeros([2, 3, 8]), zeros([2, 3, 8])]);
 * ```
 */
export function multiHeadAttention(
  embedDim: number,
  numHeads: number,
  opts: MultiHeadAttentionOptions & { needWeights: true },
): Model<AttentionInput, [Tensor, Tensor]>;
/** `multiHeadAttention` returning only the output. */
export function multiHeadAttention(
  embedDim: number,
  numHeads: number,
  opts?: MultiHeadAttentionOptions & { needWeights?: false },
): Model<AttentionInput, Tensor>;
/** `multiHeadAttention` with the output form chosen at run time. */
export function multiHeadAttention(
  embedDim: number,
  numHeads: number,
  opts?: MultiHeadAttentionOptions,
): Model<AttentionInput, Tensor | [Tensor, Tensor]>;
export function multiHeadAttention(
  embedDim: number,
  numHeads: number,
  opts: MultiHeadAttentionOptions = {},
): Model<AttentionInput, unknown> {
  const op = "multiHeadAttention";
  for (const [n, v] of [["embedDim", embedDim], ["numHeads", numHeads]] as const) {
    if (!Number.isInteger(v) || v < 1) {
      throw new RangeError(`${op}: ${n} must be a positive integer, got ${String(v)}`);
    }
  }
  if (embedDim % numHeads !== 0) {
    throw new RangeError(`${op}: embedDim ${embedDim} is not divisible by numHeads ${numHeads}`);
  }
  const E = embedDim;
  const heads = numHeads;
  const d = E / heads;
  const { bias = true, batchFirst = true, causal = false } = opts;
  const { needWeights = false, averageAttnWeights = true } = opts;
  const extras = [
    bias ? "" : "bias=False",
    `batch_first=${batchFirst ? "True" : "False"}`,
    causal ? "causal=True" : "",
  ].filter((s) => s !== "");
  const name = `MultiheadAttention(embed_dim=${E}, num_heads=${heads}, ${extras.join(", ")})`;
  const layout = batchFirst ? "[N, L, E]" : "[L, N, E]";
  // Batch and sequence positions in the input layout.
  const [bAx, sAx] = batchFirst ? [0, 1] : [1, 0];

  return layer<AttentionInput, unknown>({
    name,
    init(key, inputShape) {
      let shapes: readonly Shape[];
      let maskSpec: unknown;
      if (isShape(inputShape)) shapes = [inputShape, inputShape, inputShape];
      else if (
        Array.isArray(inputShape) && (inputShape.length === 3 || inputShape.length === 4) &&
        inputShape.slice(0, 3).every(isShape)
      ) {
        shapes = inputShape.slice(0, 3) as Shape[];
        maskSpec = inputShape[3];
      } else {
        throw new ShapeError([
          `${name}: expects one tensor shape (self-attention) or [query, key, value] shapes, got ${
            JSON.stringify(inputShape)
          }`,
        ]);
      }
      const [q, k, v] = shapes;
      const checks: Check[] = [];
      (["query", "key", "value"] as const).forEach((what, i) => {
        const s = shapes[i];
        checks.push(
          check(s.length === 3, () => `${what} must be ${layout}, got ${fmtShape(s)}`),
          check(
            s.length === 0 || s[s.length - 1] === E,
            () => `${what} must have ${E} features (embedDim), got ${fmtShape(s)}`,
          ),
        );
      });
      const rank3 = shapes.every((s) => s.length === 3);
      checks.push(
        check(
          !rank3 || (k[bAx] === q[bAx] && v[bAx] === q[bAx]),
          () => `query, key and value batch sizes differ: ${shapes.map(fmtShape).join(", ")}`,
        ),
        check(
          !rank3 || k[sAx] === v[sAx],
          () => `key and value lengths differ: ${fmtShape(k)} and ${fmtShape(v)}`,
        ),
      );
      const [N, L, S] = rank3 ? [q[bAx], q[sAx], k[sAx]] : [0, 0, 0];
      if (maskSpec !== undefined && rank3) {
        const m = maskSpec as { attnMask?: Shape; keyPaddingMask?: Shape };
        checks.push(
          check(
            shapeIn(m.attnMask, [L, S], [N * heads, L, S]),
            () =>
              `attnMask must be [${L},${S}] or [${N * heads},${L},${S}], got ${
                fmtShape(m.attnMask!)
              }`,
          ),
          check(
            shapeIn(m.keyPaddingMask, [N, S]),
            () => `keyPaddingMask must be [${N},${S}], got ${fmtShape(m.keyPaddingMask!)}`,
          ),
        );
      }
      validate(name, checks);
      const [kIn, kOut] = split(key);
      const xavier = Math.sqrt(6 / (E + 3 * E));
      const inW = uniform(kIn, [3 * E, E], { minval: -xavier, maxval: xavier });
      const outW = uniform(kOut, [E, E], { minval: -1 / Math.sqrt(E), maxval: 1 / Math.sqrt(E) });
      const params: Params = bias
        ? {
          in_proj_weight: inW,
          in_proj_bias: zeros([3 * E]),
          out_proj: { weight: outW, bias: zeros([E]) },
        }
        : { in_proj_weight: inW, out_proj: { weight: outW } };
      const out: Shape = [...q];
      const w: Shape = averageAttnWeights ? [N, L, S] : [N, heads, L, S];
      return { params, state: {}, outputShape: needWeights ? [out, w] : out };
    },
    call(params, state, input) {
      const [q0, k0, v0, masks] = input instanceof Tensor
        ? [input, input, input, undefined]
        : input;
      for (const [what, t] of [["query", q0], ["key", k0], ["value", v0]] as const) {
        if (!(t instanceof Tensor) || t.rank !== 3 || t.shape[2] !== E) {
          const got = t instanceof Tensor ? fmtShape(t.shape) : typeof t;
          throw new Error(`${name}: ${what} must be ${layout} with E = ${E}, got ${got}`);
        }
      }
      const toBatchFirst = (t: Tensor) => (batchFirst ? t : transpose(t, [1, 0, 2]));
      const [q, k, v] = [q0, k0, v0].map(toBatchFirst);
      const [N, L] = q.shape;
      const S = k.shape[1];
      if (k.shape[0] !== N || v.shape[0] !== N || v.shape[1] !== S) {
        throw new Error(
          `${name}: query, key and value do not fit: ${
            [q0, k0, v0].map((t) => fmtShape(t.shape)).join(", ")
          }`,
        );
      }
      const W = param(name, params, "in_proj_weight", [3 * E, E]);
      const b = bias ? param(name, params, "in_proj_bias", [3 * E]) : undefined;
      const outParams = params.out_proj;
      if (typeof outParams !== "object" || outParams === null || outParams instanceof Tensor) {
        throw new Error(`${name}: parameter "out_proj" is missing or not a {weight, bias} tree`);
      }
      const outName = `${name} out_proj`;
      const Wo = param(outName, outParams as Params, "weight", [E, E]);
      const bo = bias ? param(outName, outParams as Params, "bias", [E]) : undefined;

      const project = (x: Tensor, w: Tensor, bb: Tensor | undefined) => {
        const y = matmul(x, transpose(w));
        return bb ? add(y, bb) : y;
      };
      const part = (t: Tensor, i: number) => slice(t, [[i * E, (i + 1) * E]]);
      let qp: Tensor, kp: Tensor, vp: Tensor;
      if (q0 === k0 && k0 === v0) {
        const qkv = project(q, W, b); // one matmul for self-attention
        [qp, kp, vp] = [0, 1, 2].map((i) => slice(qkv, [null, null, [i * E, (i + 1) * E]]));
      } else {
        [qp, kp, vp] = [q, k, v].map((x, i) => project(x, part(W, i), b && part(b, i)));
      }
      const toHeads = (t: Tensor, len: number) =>
        transpose(reshape(t, [N, len, heads, d]), [0, 2, 1, 3]);
      let scores = matmul(
        toHeads(mul(qp, 1 / Math.sqrt(d)), L),
        transpose(toHeads(kp, S), [0, 1, 3, 2]),
      ); // [N, heads, L, S]
      const apply = (m: Tensor, shape: Shape) => {
        const mm = reshape(m, shape);
        scores = m.dtype === "bool" ? where(mm, -Infinity, scores) : add(scores, mm);
      };
      if (causal) {
        const opts = { backend: q.backend };
        const cols = reshape(arange(0, S, 1, opts), [1, S]);
        apply(greater(cols, reshape(arange(0, L, 1, opts), [L, 1])), [L, S]);
      }
      const { attnMask, keyPaddingMask } = masks ?? {};
      if (attnMask) {
        if (!shapeIn(attnMask.shape, [L, S], [N * heads, L, S])) {
          throw new Error(
            `${name}: attnMask must be [${L},${S}] or [${N * heads},${L},${S}], got ${
              fmtShape(attnMask.shape)
            }`,
          );
        }
        apply(attnMask, attnMask.rank === 2 ? [L, S] : [N, heads, L, S]);
      }
      if (keyPaddingMask) {
        if (!shapeIn(keyPaddingMask.shape, [N, S])) {
          throw new Error(
            `${name}: keyPaddingMask must be [${N},${S}], got ${fmtShape(keyPaddingMask.shape)}`,
          );
        }
        apply(keyPaddingMask, [N, 1, 1, S]);
      }
      const attn = softmax(scores, -1);
      const ctx = reshape(transpose(matmul(attn, toHeads(vp, S)), [0, 2, 1, 3]), [N, L, E]);
      const y = project(ctx, Wo, bo);
      const output = batchFirst ? y : transpose(y, [1, 0, 2]);
      if (!needWeights) return [output, state];
      return [[output, averageAttnWeights ? mean(attn, { axis: 1 }) : attn], state];
    },
  });
}

/**
 * The time loop shared by `rnn`, `lstm` and `gru`: PyTorch's cell equations, gate orders and
 * parameter names (`weight_ih_l0`, `weight_hh_l0`, `bias_ih_l0`, `bias_hh_l0`, then `_l1`, ...),
 * written with differentiable ops so gradients flow through every step.
 *
 * @module
 */
import type { Shape } from "../../core/shape.ts";
import { unstack } from "../../ops/unstack.ts";
import { fmtShape } from "../../core/shape.ts";
import type { Tensor } from "../../core/tensor.ts";
import { add, mul, sub } from "../../ops/arithmetic.ts";
import { zeros } from "../../ops/creation.ts";
import { matmul } from "../../ops/linalg.ts";
import { transpose } from "../../ops/shape_ops.ts";
import { slice, stack } from "../../ops/slicing.ts";
import { relu, sigmoid, tanh } from "../../ops/unary.ts";
import type { Params } from "../model.ts";
import { param } from "../params.ts";

/** Which recurrence: an Elman RNN with tanh or relu, an LSTM or a GRU. */
export type RecurrentKind = "rnnTanh" | "rnnRelu" | "lstm" | "gru";

/** The fixed configuration of a recurrent layer. */
export interface RecurrentConfig {
  /** The recurrence. */
  readonly kind: RecurrentKind;
  /** Features per input step. */
  readonly inputSize: number;
  /** Features of the hidden state. */
  readonly hiddenSize: number;
  /** Stacked layers; layer `l > 0` reads the hidden sequence of layer `l - 1`. */
  readonly numLayers: number;
  /** Whether `bias_ih_l*` and `bias_hh_l*` exist. */
  readonly bias: boolean;
}

/** Gate blocks stacked in the weights: 1 (RNN), 4 (LSTM: i, f, g, o), 3 (GRU: r, z, n). */
export function gateCount(kind: RecurrentKind): number {
  return kind === "lstm" ? 4 : kind === "gru" ? 3 : 1;
}

/** Parameter names and shapes in PyTorch's `state_dict` order. */
export function recurrentParamShapes(cfg: RecurrentConfig): [string, Shape][] {
  const gh = gateCount(cfg.kind) * cfg.hiddenSize;
  const out: [string, Shape][] = [];
  for (let l = 0; l < cfg.numLayers; l++) {
    const inSize = l === 0 ? cfg.inputSize : cfg.hiddenSize;
    out.push([`weight_ih_l${l}`, [gh, inSize]], [`weight_hh_l${l}`, [gh, cfg.hiddenSize]]);
    if (cfg.bias) out.push([`bias_ih_l${l}`, [gh]], [`bias_hh_l${l}`, [gh]]);
  }
  return out;
}

/** What the loop produces. */
export interface RecurrentResult {
  /** The last layer's hidden states `[N, T, H]` (undefined when not requested). */
  readonly sequence?: Tensor;
  /** The final hidden state of each layer, `[N, H]` each. */
  readonly h: Tensor[];
  /** The final cell state of each layer (LSTM only). */
  readonly c: Tensor[];
}

/** Column block `i` (of width `h`) of a `[N, G*h]` matrix. */
const gate = (g: Tensor, i: number, h: number): Tensor => slice(g, [null, [i * h, (i + 1) * h]]);

/**
 * Runs the stacked recurrence over `x` `[N, T, inputSize]` from zero initial states. The input
 * projections of all steps are one matmul per layer; the loop does the hidden projections.
 */
export function runRecurrent(
  name: string,
  cfg: RecurrentConfig,
  params: Params,
  x: Tensor,
  keepSequence: boolean,
): RecurrentResult {
  const { kind, hiddenSize: H, numLayers } = cfg;
  if (x.rank !== 3 || x.shape[2] !== cfg.inputSize || x.shape[1] < 1) {
    throw new Error(
      `${name}: expects input [N, T, ${cfg.inputSize}] (batch first, T >= 1), got ${
        fmtShape(x.shape)
      }`,
    );
  }
  const [N, T] = x.shape;
  const G = gateCount(kind);
  const hs: Tensor[] = [];
  const cs: Tensor[] = [];
  let seq: Tensor = x;
  for (let l = 0; l < numLayers; l++) {
    const inSize = l === 0 ? cfg.inputSize : H;
    const wih = param(name, params, `weight_ih_l${l}`, [G * H, inSize]);
    const whhT = transpose(param(name, params, `weight_hh_l${l}`, [G * H, H]));
    const bih = cfg.bias ? param(name, params, `bias_ih_l${l}`, [G * H]) : undefined;
    const bhh = cfg.bias ? param(name, params, `bias_hh_l${l}`, [G * H]) : undefined;
    // Input projections for every step at once: [N, T, G*H].
    let xp = matmul(seq, transpose(wih));
    if (bih && bhh) xp = add(xp, kind === "gru" ? bih : add(bih, bhh));
    let h = zeros([N, H], { dtype: wih.dtype, backend: wih.backend });
    let c = h;
    const steps: Tensor[] = [];
    const last = l === numLayers - 1;
    // One unstack (gradient: one stack) rather than a slice per step, whose gradients would each
    // be padded to the whole sequence and make the backward pass quadratic in T.
    const xs = unstack(xp, 1);
    for (let t = 0; t < T; t++) {
      const xt = xs[t];
      if (kind === "lstm") {
        const g = add(xt, matmul(h, whhT));
        const i = sigmoid(gate(g, 0, H));
        const f = sigmoid(gate(g, 1, H));
        const cand = tanh(gate(g, 2, H));
        const o = sigmoid(gate(g, 3, H));
        c = add(mul(f, c), mul(i, cand));
        h = mul(o, tanh(c));
      } else if (kind === "gru") {
        const hp = bhh ? add(matmul(h, whhT), bhh) : matmul(h, whhT);
        const r = sigmoid(add(gate(xt, 0, H), gate(hp, 0, H)));
        const z = sigmoid(add(gate(xt, 1, H), gate(hp, 1, H)));
        const n = tanh(add(gate(xt, 2, H), mul(r, gate(hp, 2, H))));
        h = add(n, mul(z, sub(h, n))); // (1 - z) * n + z * h
      } else {
        const pre = add(xt, matmul(h, whhT));
        h = kind === "rnnRelu" ? relu(pre) : tanh(pre);
      }
      if (!last || keepSequence) steps.push(h);
    }
    hs.push(h);
    if (kind === "lstm") cs.push(c);
    if (!last || keepSequence) seq = stack(steps, 1);
  }
  return { sequence: keepSequence ? seq : undefined, h: hs, c: cs };
}

/**
 * Recurrent layers `rnn`, `lstm` and `gru`, as PyTorch's `nn.RNN`, `nn.LSTM` and `nn.GRU` with
 * `batch_first=True`: inputs `[N, T, inputSize]`, parameters named and laid out like PyTorch's
 * `state_dict` (`weight_ih_l0 [gates*hidden, input]`, `weight_hh_l0`, `bias_ih_l0`, `bias_hh_l0`,
 * then `_l1`, ...), initial states zero.
 *
 * Outputs: by default the last layer's hidden state at every step, `[N, T, hidden]`; with
 * `returnSequences: false` only its last step, `[N, hidden]`. With `returnState: true` the model
 * returns `[output, h_n]` (LSTM: `[output, [h_n, c_n]]`), the final states of every layer in
 * PyTorch's `[numLayers, N, hidden]` layout.
 *
 * @module
 */
import type { Shape } from "../../core/shape.ts";
import { fmtShape } from "../../core/shape.ts";
import type { Tensor } from "../../core/tensor.ts";
import { stack } from "../../ops/slicing.ts";
import { split, uniform } from "../../random/random.ts";
import { layer, type Model, type Params, type ShapeSpec } from "../model.ts";
import { check, positiveInt, tensorShape, validate } from "../validate.ts";
import {
  type RecurrentConfig,
  type RecurrentKind,
  recurrentParamShapes,
  runRecurrent,
} from "./recurrent_cells.ts";

/** Options shared by `rnn`, `lstm` and `gru` (PyTorch's arguments, plus the output form). */
export interface RecurrentOptions {
  /** Stacked layers (PyTorch's `num_layers`, default 1). */
  numLayers?: number;
  /** Learn `bias_ih_l*` and `bias_hh_l*` (default true). */
  bias?: boolean;
  /** Output every step `[N, T, hidden]` (default true) or only the last `[N, hidden]`. */
  returnSequences?: boolean;
  /** Also return the final states: `[output, h_n]`, LSTM `[output, [h_n, c_n]]` (default false). */
  returnState?: boolean;
}

/** Options of `rnn`: the shared ones and the nonlinearity. */
export interface RNNOptions extends RecurrentOptions {
  /** `h_t = act(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)` with act tanh (default) or relu. */
  nonlinearity?: "tanh" | "relu";
}

/** An LSTM's final states: hidden `h_n` and cell `c_n`, each `[numLayers, N, hidden]`. */
export type LSTMState = [h_n: Tensor, c_n: Tensor];

function recurrent(
  op: string,
  torchName: string,
  kind: RecurrentKind,
  inputSize: number,
  hiddenSize: number,
  opts: RecurrentOptions,
): Model<Tensor, unknown> {
  const cfg: RecurrentConfig = {
    kind,
    inputSize: positiveInt(op, "inputSize", inputSize),
    hiddenSize: positiveInt(op, "hiddenSize", hiddenSize),
    numLayers: positiveInt(op, "numLayers", opts.numLayers ?? 1),
    bias: opts.bias ?? true,
  };
  const returnSequences = opts.returnSequences ?? true;
  const returnState = opts.returnState ?? false;
  const extras = [
    cfg.numLayers !== 1 ? `num_layers=${cfg.numLayers}` : "",
    kind === "rnnRelu" ? "nonlinearity=relu" : "",
    cfg.bias ? "" : "bias=False",
    "batch_first=True",
    returnSequences ? "" : "return_sequences=False",
    returnState ? "return_state=True" : "",
  ].filter((s) => s !== "");
  const name = `${torchName}(${cfg.inputSize}, ${cfg.hiddenSize}, ${extras.join(", ")})`;
  const shapes = recurrentParamShapes(cfg);
  const H = cfg.hiddenSize;
  return layer<Tensor, unknown>({
    name,
    init(key, inputShape) {
      const shape = tensorShape(name, inputShape);
      validate(name, [
        check(
          shape.length === 3,
          () => `expects input [N, T, ${cfg.inputSize}] (batch first), got ${fmtShape(shape)}`,
        ),
        check(
          shape.length === 0 || shape[shape.length - 1] === cfg.inputSize,
          () => `expects ${cfg.inputSize} input features, got input ${fmtShape(shape)}`,
        ),
        check(
          shape.length !== 3 || shape[1] >= 1,
          () => `expects at least one time step, got input ${fmtShape(shape)}`,
        ),
      ]);
      const [N, T] = shape;
      // PyTorch's default: every parameter uniform in ±1/√hidden.
      const bound = 1 / Math.sqrt(H);
      const keys = split(key, shapes.length);
      const params: Params = Object.fromEntries(
        shapes.map(([n, s], i) => [n, uniform(keys[i], s, { minval: -bound, maxval: bound })]),
      );
      const out: Shape = returnSequences ? [N, T, H] : [N, H];
      const state: Shape = [cfg.numLayers, N, H];
      const outputShape: ShapeSpec = !returnState
        ? out
        : kind === "lstm"
        ? [out, [state, state]]
        : [out, state];
      return { params, state: {}, outputShape };
    },
    call(params, state, x) {
      const r = runRecurrent(name, cfg, params, x, returnSequences);
      const output = r.sequence ?? r.h[r.h.length - 1];
      if (!returnState) return [output, state];
      const hN = stack(r.h, 0);
      return [kind === "lstm" ? [output, [hN, stack(r.c, 0)]] : [output, hN], state];
    },
  });
}

/**
 * An Elman RNN, as PyTorch's `nn.RNN(inputSize, hiddenSize, batch_first=True)`:
 * `h_t = tanh(x_t W_ihᵀ + b_ih + h_{t-1} W_hhᵀ + b_hh)` (or relu), stacked `numLayers` deep.
 * Input `[N, T, inputSize]`; output `[N, T, hidden]` (`[N, hidden]` with
 * `returnSequences: false`), and with `returnState: true` the pair `[output, h_n]`, `h_n` being
 * `[numLayers, N, hidden]`.
 *
 * @example
 * ```ts
 * import { nn, random, zeros } from "@fluxion/fluxion";
 * const net = nn.rnn(3, 5, { numLayers: 2, returnState: true });
 * const { params } = net.init(random.key(0), [2, 4, 3]); // weight_ih_l0 [5, 3], ...
 * const [out, hN] = net.apply(params, zeros([2, 4, 3])); // [2, 4, 5] and [2, 2, 5]
 * ```
 */
export function rnn(
  inputSize: number,
  hiddenSize: number,
  opts: RNNOptions & { returnState: true },
): Model<Tensor, [Tensor, Tensor]>;
/** `rnn` returning only the output. */
export function rnn(
  inputSize: number,
  hiddenSize: number,
  opts?: RNNOptions & { returnState?: false },
): Model<Tensor, Tensor>;
/** `rnn` with the output form chosen at run time. */
export function rnn(
  inputSize: number,
  hiddenSize: number,
  opts?: RNNOptions,
): Model<Tensor, Tensor | [Tensor, Tensor]>;
export function rnn(
  inputSize: number,
  hiddenSize: number,
  opts: RNNOptions = {},
): Model<Tensor, unknown> {
  const nl = opts.nonlinearity ?? "tanh";
  if (nl !== "tanh" && nl !== "relu") {
    throw new RangeError(`rnn: nonlinearity must be "tanh" or "relu", got ${String(nl)}`);
  }
  return recurrent(
    "rnn",
    "RNN",
    nl === "relu" ? "rnnRelu" : "rnnTanh",
    inputSize,
    hiddenSize,
    opts,
  );
}

/**
 * A long short-term memory layer, as PyTorch's `nn.LSTM(inputSize, hiddenSize,
 * batch_first=True)`: gates stacked i, f, g, o in `weight_ih_l*` `[4*hidden, in]`;
 * `c_t = f ⊙ c_{t-1} + i ⊙ g`, `h_t = o ⊙ tanh(c_t)`. Output as `rnn`; with `returnState: true`
 * the model returns `[output, [h_n, c_n]]`, each state `[numLayers, N, hidden]`.
 *
 * @example
 * ```ts
 * import { nn, random, zeros } from "@fluxion/fluxion";
 * const net = nn.lstm(3, 5, { returnSequences: false });
 * const { params, outputShape } = net.init(random.key(0), [2, 4, 3]); // [2, 5]
 * const last = net.apply(params, zeros([2, 4, 3]));
 * const withState = nn.lstm(3, 5, { returnState: true });
 * const [out, [hN, cN]] = withState.apply(params, zeros([2, 4, 3]));
 * ```
 */
export function lstm(
  inputSize: number,
  hiddenSize: number,
  opts: RecurrentOptions & { returnState: true },
): Model<Tensor, [Tensor, LSTMState]>;
/** `lstm` returning only the output. */
export function lstm(
  inputSize: number,
  hiddenSize: number,
  opts?: RecurrentOptions & { returnState?: false },
): Model<Tensor, Tensor>;
/** `lstm` with the output form chosen at run time. */
export function lstm(
  inputSize: number,
  hiddenSize: number,
  opts?: RecurrentOptions,
): Model<Tensor, Tensor | [Tensor, LSTMState]>;
export function lstm(
  inputSize: number,
  hiddenSize: number,
  opts: RecurrentOptions = {},
): Model<Tensor, unknown> {
  return recurrent("lstm", "LSTM", "lstm", inputSize, hiddenSize, opts);
}

/**
 * A gated recurrent unit layer, as PyTorch's `nn.GRU(inputSize, hiddenSize, batch_first=True)`:
 * gates stacked r, z, n in `weight_ih_l*` `[3*hidden, in]`; `r = σ(W_ir x + b_ir + W_hr h + b_hr)`,
 * `z` likewise, `n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))`, `h_t = (1 - z) ⊙ n + z ⊙ h_{t-1}`.
 * Output and `returnState` as `rnn`.
 *
 * @example
 * ```ts
 * import { nn, random, zeros } from "@fluxion/fluxion";
 * const net = nn.gru(3, 5, { numLayers: 2 });
 * const { params } = net.init(random.key(0), [2, 4, 3]);
 * const out = net.apply(params, zeros([2, 4, 3])); // [2, 4, 5]
 * ```
 */
export function gru(
  inputSize: number,
  hiddenSize: number,
  opts: RecurrentOptions & { returnState: true },
): Model<Tensor, [Tensor, Tensor]>;
/** `gru` returning only the output. */
export function gru(
  inputSize: number,
  hiddenSize: number,
  opts?: RecurrentOptions & { returnState?: false },
): Model<Tensor, Tensor>;
/** `gru` with the output form chosen at run time. */
export function gru(
  inputSize: number,
  hiddenSize: number,
  opts?: RecurrentOptions,
): Model<Tensor, Tensor | [Tensor, Tensor]>;
export function gru(
  inputSize: number,
  hiddenSize: number,
  opts: RecurrentOptions = {},
): Model<Tensor, unknown> {
  return recurrent("gru", "GRU", "gru", inputSize, hiddenSize, opts);
}

/**
 * Compiled optimizer steps against eager ones, for every optimizer (and the options that change
 * its update), on the CPU (bit-identical) and WebGPU (to float32 rounding). The optimizers are
 * `capturable`, so their step counts are tensors and one trace serves every step; capturable
 * steps agree with plain ones (number counts) to float32 rounding, and the built-in schedules'
 * tensor forms agree with their number forms.
 */
import * as fx from "../../mod.ts";
import { noGpu, onGpu } from "../backend/webgpu/harness.ts";
import { assertClose } from "../assert_close.ts";
import { assertSameResults } from "./agree.ts";
import assert from "node:assert/strict";

const { optim } = fx;
const lr = optim.stepDecay({ init: 0.05, stepSize: 2, gamma: 0.5 });
const OPTIMIZERS: [string, () => fx.optim.GradientTransformation<unknown>][] = [
  ["sgd", () => optim.sgd({ lr: 0.1 })],
  [
    "sgd momentum nesterov weightDecay",
    () => optim.sgd({ lr, momentum: 0.9, nesterov: true, weightDecay: 0.01 }),
  ],
  ["sgd momentum dampening", () => optim.sgd({ lr: 0.1, momentum: 0.8, dampening: 0.3 })],
  ["adam", () => optim.adam({ lr: 1e-2 })],
  [
    "adam amsgrad weightDecay maximize",
    () => optim.adam({ lr, amsgrad: true, weightDecay: 0.1, maximize: true }),
  ],
  ["adamw", () => optim.adamw({ lr: optim.cosineDecay({ init: 0.01, decaySteps: 3 }) })],
  ["adagrad lrDecay", () => optim.adagrad({ lr: 0.1, lrDecay: 0.05 })],
  ["rmsprop centered momentum", () => optim.rmsprop({ lr: 1e-2, centered: true, momentum: 0.5 })],
  ["adadelta", () =>
    optim.adadelta({
      lr: optim.warmupCosineDecay({ init: 0, peak: 1, warmupSteps: 2, decaySteps: 5 }),
    })],
  ["chain(clip, scaleByLearningRate)", () =>
    optim.chain(
      optim.clipByGlobalNorm(0.5),
      optim.scaleByLearningRate(optim.exponentialDecay({ init: 0.1, gamma: 0.9 })),
    )],
];

function stepOf(opt: fx.optim.GradientTransformation<unknown>) {
  return (params: fx.nn.Params, state: unknown) => {
    const grads = fx.grad((p: fx.nn.Params) =>
      fx.add(
        fx.sum(fx.mul(fx.sin(p.w as fx.Tensor), p.w as fx.Tensor)),
        fx.sum(fx.exp(p.b as fx.Tensor)),
      )
    )(params);
    const [u, next] = opt.update(grads, state, params);
    return { params: optim.applyUpdates(params, u), state: next };
  };
}

async function start(backend: "cpu" | "webgpu") {
  const p = {
    w: fx.random.normal(fx.random.key(1), [3, 4]),
    b: fx.random.normal(fx.random.key(2), [4]),
  };
  return backend === "cpu" ? p : await onGpu(p);
}

for (const backend of ["cpu", "webgpu"] as const) {
  Deno.test({
    name: `compiled optimizer steps equal eager ones on ${backend}; one trace serves every step`,
    ignore: backend === "webgpu" && noGpu,
    async fn() {
      for (const [name, make] of OPTIMIZERS) {
        const opt = optim.capturable(make());
        const step = stepOf(opt);
        const compiled = fx.compile(step);
        let eager = {
          params: await start(backend) as fx.nn.Params,
          state: opt.init(await start(backend)),
        };
        let comp = eager;
        for (let i = 0; i < 4; i++) {
          eager = step(eager.params, eager.state);
          comp = compiled(comp.params, comp.state);
          await assertSameResults(comp, eager, `${name} step ${i + 1}`);
        }
        assert.equal(compiled.traces(), 1, `${name}: one trace for four steps`);
        // Capturable steps (float32 counts, schedules and bias corrections on the device) agree
        // with plain ones (exact numbers) to float32 rounding.
        const plain = make();
        let ref = {
          params: await start(backend) as fx.nn.Params,
          state: plain.init(await start(backend)),
        };
        for (let i = 0; i < 4; i++) ref = stepOf(plain)(ref.params, ref.state);
        const a = fx.tree.leaves(comp.params), b = fx.tree.leaves(ref.params);
        for (let k = 0; k < a.length; k++) {
          assertClose(await a[k].data(), await b[k].data(), {
            rtol: 1e-5,
            atol: 1e-6,
            msg: `${name}: capturable vs plain, parameter ${k}`,
          });
        }
      }
    },
  });
}

Deno.test("the built-in schedules' tensor forms match their number forms", () => {
  const schedules: [string, fx.optim.Schedule][] = [
    ["constant", optim.constant(0.3)],
    ["stepDecay", optim.stepDecay({ init: 0.1, stepSize: 3, gamma: 0.5 })],
    ["exponentialDecay", optim.exponentialDecay({ init: 0.1, gamma: 0.9 })],
    ["cosineDecay", optim.cosineDecay({ init: 0.1, decaySteps: 7, alpha: 0.1 })],
    [
      "warmupCosineDecay",
      optim.warmupCosineDecay({ init: 0.01, peak: 0.2, warmupSteps: 3, decaySteps: 9, end: 0.001 }),
    ],
  ];
  for (const [name, s] of schedules) {
    const opt = optim.capturable(optim.sgd({ lr: s }));
    let state = opt.init({ w: fx.ones([1]) });
    for (let step = 0; step < 12; step++) {
      const [u, next] = opt.update({ w: fx.ones([1]) }, state, { w: fx.ones([1]) });
      assertClose((u as { w: fx.Tensor }).w.dataSync(), [-s(step)], {
        rtol: 1e-6,
        msg: `${name} at step ${step}`,
      });
      state = next;
    }
    assert.deepEqual([...(state as { count: fx.Tensor }).count.dataSync()], [12], `${name}: count`);
  }
});

Deno.test("capturable: a custom schedule is an error that says what works instead", () => {
  const opt = optim.capturable(optim.adam({ lr: (k: number) => 0.1 / (k + 1) }));
  const p = { w: fx.ones([2]) };
  assert.throws(
    () => opt.update(p, opt.init(p), p),
    /adam: a capturable optimizer's step count is a tensor, and this learning-rate schedule is a plain function of a number; use a built-in schedule/,
  );
  // Without capturable the count is a number and any schedule works.
  const plain = optim.adam({ lr: (k: number) => 0.1 / (k + 1) });
  assert.equal(plain.init(p).count, 0);
});

/**
 * Learning-rate schedules against torch.optim.lr_scheduler (StepLR, ExponentialLR,
 * CosineAnnealingLR, and SequentialLR of LinearLR and CosineAnnealingLR for warmup-cosine), and
 * their argument checks.
 */
import assert from "node:assert/strict";
import { optim } from "../../mod.ts";
import { assertClose } from "../assert_close.ts";
import { fixture, makeSchedule } from "./fixture.ts";

for (const { schedule, values } of fixture.schedules) {
  Deno.test(`${schedule.kind} ${JSON.stringify(schedule)} matches PyTorch for ${values.length} steps`, () => {
    const s = makeSchedule(schedule);
    assertClose(values.map((_, step) => s(step)), values, { rtol: 1e-9, atol: 1e-12 });
  });
}

Deno.test("cosineDecay and warmupCosineDecay stay at their final value after decaySteps", () => {
  const c = optim.cosineDecay({ init: 0.1, decaySteps: 10, alpha: 0.1 });
  assertClose([c(10), c(11), c(1000)], [0.01, 0.01, 0.01], { rtol: 1e-12 });
  const w = optim.warmupCosineDecay({
    init: 0,
    peak: 1,
    warmupSteps: 2,
    decaySteps: 6,
    end: 0.25,
  });
  assertClose([w(0), w(1), w(2), w(6), w(7)], [0, 0.5, 1, 0.25, 0.25], { rtol: 1e-12 });
});

Deno.test("constant is constant", () => {
  const s = optim.constant(0.3);
  assert.deepEqual([0, 1, 99].map(s), [0.3, 0.3, 0.3]);
});

Deno.test("schedules reject bad arguments, naming the schedule", () => {
  assert.throws(() => optim.stepDecay({ init: 0.1, stepSize: 0 }), /stepDecay: stepSize/);
  assert.throws(() => optim.cosineDecay({ init: 0.1, decaySteps: 5, alpha: 2 }), /cosineDecay/);
  assert.throws(
    () => optim.warmupCosineDecay({ init: 0, peak: 1, warmupSteps: 5, decaySteps: 5 }),
    /warmupCosineDecay: decaySteps \(5, the total length\) must exceed warmupSteps/,
  );
  assert.throws(() => optim.constant(NaN), /constant: value must be a finite number/);
});

Deno.test("a schedule is read at the step count, 0 at the first update", () => {
  const seen: number[] = [];
  const opt = optim.scaleByLearningRate((step) => {
    seen.push(step);
    return 1;
  });
  let state = opt.init([]);
  for (let i = 0; i < 3; i++) state = opt.update([], state)[1];
  assert.deepEqual(seen, [0, 1, 2]);
  assert.equal(state.count, 3);
});

Deno.test("a schedule that returns a non-finite rate is reported with the step", () => {
  const opt = optim.sgd({ lr: (step) => (step < 1 ? 0.1 : NaN) });
  let state = opt.init([]);
  state = opt.update([], state)[1];
  assert.throws(() => opt.update([], state), /sgd: the learning rate at step 1 is not a finite/);
});

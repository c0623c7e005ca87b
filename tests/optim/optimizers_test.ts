/**
 * Every optimizer against PyTorch 1.13: five steps with stored gradients, for many option
 * combinations, some with a learning-rate scheduler or clip_grad_norm_ in the loop
 * (tests/fixtures/optim.json, from tools/fixtures/optim.py).
 */
import assert from "node:assert/strict";
import { optim, type Tensor } from "../../mod.ts";
import {
  assertPairClose,
  fixture,
  loadPair,
  makeOptimizer,
  type Pair,
  TOL,
  worst,
} from "./fixture.ts";

for (const c of fixture.trajectories) {
  Deno.test(`${c.name}: ${c.optimizer} matches PyTorch for ${c.grads.length} steps`, () => {
    const base = makeOptimizer(c.optimizer, c.options, c.schedule);
    const opt: optim.GradientTransformation<unknown> = c.clipByGlobalNorm === undefined
      ? base
      : optim.chain(optim.clipByGlobalNorm(c.clipByGlobalNorm), base);
    let params: Pair<Tensor> = loadPair(c.params0);
    let state = opt.init(params);
    c.grads.forEach((g, step) => {
      const [updates, next] = opt.update(loadPair(g), state, params);
      params = optim.applyUpdates(params, updates);
      state = next;
      assertPairClose(params, c.params[step], `${c.name} step ${step + 1}`);
    });
  });
}

Deno.test("worst trajectory error stays within tolerance", () => {
  console.log(
    `worst |err| / (${TOL.atol} + ${TOL.rtol}|expected|) = ${
      worst.ratio.toFixed(3)
    } at ${worst.where}`,
  );
  assert.ok(worst.ratio <= 1);
});

Deno.test("every optimizer and schedule kind is covered by the fixture", () => {
  const names = new Set(fixture.trajectories.map((c) => c.optimizer));
  for (const n of ["sgd", "adam", "adamw", "adagrad", "rmsprop", "adadelta"]) {
    assert.ok(names.has(n), n);
  }
  const kinds = new Set(fixture.schedules.map((s) => s.schedule.kind));
  assert.equal(kinds.size, 4);
});

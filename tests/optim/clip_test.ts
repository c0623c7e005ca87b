/**
 * clipByGlobalNorm against torch.nn.utils.clip_grad_norm_ and clipByValue against
 * clip_grad_value_ (tests/fixtures/optim.json), plus globalNorm.
 */
import assert from "node:assert/strict";
import { optim, tensor } from "../../mod.ts";
import { assertClose } from "../assert_close.ts";
import { fixture, loadPair } from "./fixture.ts";

for (const c of fixture.clipNorm) {
  Deno.test(`clipByGlobalNorm(${c.maxNorm}) matches clip_grad_norm_ (norm ${c.totalNorm})`, () => {
    const g = loadPair(c.grads);
    assertClose(optim.globalNorm(g).dataSync(), [c.totalNorm], { rtol: 1e-6 });
    const t = optim.clipByGlobalNorm(c.maxNorm);
    const [u] = t.update(g, t.init(g));
    for (const k of ["w", "b"] as const) {
      assert.deepEqual(u[k].shape, c.clipped[k].shape);
      assertClose(u[k].dataSync(), c.clipped[k].data, { rtol: 1e-6, atol: 1e-7, msg: k });
    }
  });
}

for (const c of fixture.clipValue) {
  Deno.test(`clipByValue(${c.limit}) matches clip_grad_value_`, () => {
    const g = loadPair(c.grads);
    const t = optim.clipByValue(c.limit);
    const [u] = t.update(g, t.init(g));
    for (const k of ["w", "b"] as const) {
      assert.deepEqual(u[k].dataSync(), new Float32Array(c.clipped[k].data), k); // bitwise
    }
  });
}

Deno.test("globalNorm is the L2 norm over all leaves", () => {
  assertClose(optim.globalNorm({ a: tensor([3]), b: [tensor([[4, 12]])] }).dataSync(), [13]);
});

Deno.test("clipping rejects bad limits and passes an empty tree through", () => {
  assert.throws(() => optim.clipByGlobalNorm(0), /clipByGlobalNorm: maxNorm must be a number > 0/);
  assert.throws(() => optim.clipByValue(-1), /clipByValue: limit must be a number >= 0/);
  const t = optim.clipByGlobalNorm(1);
  assert.deepEqual(t.update({}, t.init({}))[0], {});
});

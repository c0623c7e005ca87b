/**
 * `optim.masked` hands the inner transformation the parameters' own structure, so the inner
 * transformation's own tree-shaped masks still fit.
 */
import assert from "node:assert/strict";
import { optim, tensor } from "../../mod.ts";
import { assertClose } from "../assert_close.ts";

Deno.test("masked: an inner tree-shaped mask still fits (nested structure is kept)", () => {
  const params = {
    body: { weight: tensor([1, 2]) },
    fc: { bias: tensor([3]), weight: tensor([4, 5]) },
  };
  const grads = {
    body: { weight: tensor([1, 1]) },
    fc: { bias: tensor([1]), weight: tensor([1, 1]) },
  };
  // SGD with decoupled weight decay on fc.weight only, inside a mask that freezes the body.
  const inner = optim.chain(
    optim.addDecayedWeights(0.5, { mask: { body: true, fc: { weight: true, bias: false } } }),
    optim.sgd({ lr: 0.1 }),
  );
  const opt = optim.masked(inner, { body: false, fc: true });
  const state = opt.init(params);
  const [updates] = opt.update(grads, state, params);
  const next = optim.applyUpdates(params, updates);
  // Frozen: bitwise unchanged.
  assert.deepEqual([...next.body.weight.dataSync()], [1, 2]);
  // fc.bias: plain SGD, 3 - 0.1 * 1.
  assertClose(next.fc.bias.dataSync(), [2.9]);
  // fc.weight: SGD on g + 0.5 w: w - 0.1 * (1 + 0.5 w).
  assertClose(next.fc.weight.dataSync(), [4 - 0.1 * (1 + 2), 5 - 0.1 * (1 + 2.5)]);
});

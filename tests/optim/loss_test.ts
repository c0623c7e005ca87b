/**
 * Optimizers driven by real gradients: five steps on mean((x @ w + b - y)^2), with the gradients
 * from fluxion's autodiff and the trajectory and losses from PyTorch 1.13.
 */
import { add, matmul, mean, optim, square, sub, type Tensor, valueAndGrad } from "../../mod.ts";
import { assertClose } from "../assert_close.ts";
import { assertPairClose, fixture, load, loadPair, makeOptimizer, type Pair } from "./fixture.ts";

for (const c of fixture.loss) {
  Deno.test(`${c.name}: five steps on a quadratic loss match PyTorch`, async () => {
    const x = load(c.x);
    const y = load(c.y);
    const loss = (p: Pair<Tensor>) => mean(square(sub(add(matmul(x, p.w), p.b), y)));
    const opt = makeOptimizer(c.optimizer, c.options);
    let params = loadPair(c.params0);
    let state = opt.init(params);
    for (let step = 0; step < c.params.length; step++) {
      const [value, grads] = valueAndGrad(loss)(params);
      assertClose(await value.item(), c.losses[step], {
        rtol: 1e-5,
        atol: 1e-6,
        msg: `loss at step ${step}`,
      });
      const [updates, next] = opt.update(grads, state, params);
      params = optim.applyUpdates(params, updates);
      state = next;
      assertPairClose(params, c.params[step], `${c.name} step ${step + 1}`);
    }
  });
}

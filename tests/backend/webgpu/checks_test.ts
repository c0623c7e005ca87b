/**
 * Value checks the CPU makes by reading data (class labels in range, probabilities in [0, 1])
 * happen on the GPU too, without waiting: the error, worded as on the CPU, comes with the next
 * read. And the messages a new user meets first: backends by name, float64 on the GPU.
 */
import * as fx from "../../../mod.ts";
import { noGpu, onGpu } from "./harness.ts";
import assert from "node:assert/strict";

Deno.test({
  name: "webgpu: crossEntropy and nll labels out of range throw the CPU's message on read",
  ignore: noGpu,
  async fn() {
    const logits = fx.tensor([[1, 2, 3], [0, 1, 0], [2, 0, 1]]);
    for (const bad of [-1, 3, 7]) {
      const labels = fx.tensor([0, bad, 2], { dtype: "int32" });
      const cpuError = (() => {
        try {
          fx.losses.crossEntropy(logits, labels);
        } catch (e) {
          return (e as Error).message;
        }
      })();
      assert.ok(cpuError, "the CPU throws at once");
      const [gl, gy] = await onGpu([logits, labels]);
      const loss = fx.losses.crossEntropy(gl, gy); // recorded; the GPU checks the labels
      await assert.rejects(() => loss.data(), (e: Error) => {
        assert.ok(e.message.startsWith(cpuError!), `${e.message}\nvs ${cpuError}`);
        assert.match(e.message, /found on the GPU/);
        return true;
      });
      await assert.rejects(
        () => fx.losses.nll(fx.logSoftmax(gl, 1), gy).data(),
        new RegExp(
          `^RangeError: nll: target \\[3\\] int32 element 1 is class ${bad}, out of range`,
        ),
      );
    }
    // ignoreIndex labels are fine, and the device stays usable.
    const [gl, gy] = await onGpu([logits, fx.tensor([0, -100, 2], { dtype: "int32" })]);
    const ok = await fx.losses.crossEntropy(gl, gy).item();
    const cpu = fx.losses.crossEntropy(logits, fx.tensor([0, -100, 2], { dtype: "int32" }));
    assert.ok(Math.abs(ok - cpu.dataSync()[0]) < 1e-6);
  },
});

Deno.test({
  name: "webgpu: binaryCrossEntropy outside [0, 1] and oneHot out of range throw on read",
  ignore: noGpu,
  async fn() {
    const [p, t] = await onGpu([fx.tensor([0.2, 1.5, NaN]), fx.tensor([0, 1, 1])]);
    await assert.rejects(
      () => fx.losses.binaryCrossEntropy(p, t).data(),
      /binaryCrossEntropy: prediction \[3\] float32 must hold probabilities in \[0, 1\], element \d is (1\.5|NaN) \(for logits use binaryCrossEntropyWithLogits\)/,
    );
    const [labels] = await onGpu([fx.tensor([2, -1], { dtype: "int32" })]);
    await assert.rejects(
      () => fx.losses.oneHot(labels, 3).data(),
      /oneHot: labels \[2\] int32 element 1 is -1, out of range for 3 classes/,
    );
  },
});

Deno.test({
  name: "webgpu: backends by name, and float64 on the GPU says what to do",
  ignore: noGpu,
  async fn() {
    const t = fx.tensor([1, 2], { backend: "webgpu" });
    assert.equal(t.backend.name, "webgpu");
    assert.equal(
      fx.random.uniform(fx.random.key(0), [2], { backend: "webgpu" }).backend.name,
      "webgpu",
    );
    assert.throws(
      () => fx.tensor(new Float64Array([1, 2]), { backend: "webgpu" }),
      /^TypeError: tensor: the GPU stores float32, int32 and bool, not float64 .*pass \{ dtype: "float32" \}/,
    );
    assert.deepEqual([
      ...await fx.tensor(new Float64Array([1, 2]), { dtype: "float32", backend: "webgpu" }).data(),
    ], [1, 2]);
  },
});

/**
 * WebGPU limits: dispatches past 65535 workgroups in one dimension are split over a 2-D grid,
 * and an output past the adapter's storage-binding size is a clear error before any allocation.
 */
import * as fx from "../../../mod.ts";
import { gpu, noGpu, webgpu } from "./harness.ts";
import assert from "node:assert/strict";

Deno.test({
  name: "webgpu: an op over more than 65535 x 256 elements covers every element",
  ignore: noGpu,
  async fn() {
    const n = 65535 * 256 + 1000; // one workgroup row is not enough
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = (i % 9973) - 4000;
    const x = fx.tensor(data, { backend: webgpu });
    const y = fx.mul(x, 2); // 65540 workgroups: a 2-D grid
    const got = await y.data();
    let bad = -1;
    for (let i = 0; i < n; i++) {
      if (got[i] !== 2 * data[i]) {
        bad = i;
        break;
      }
    }
    assert.equal(bad, -1, `element ${bad} was not computed`);
    fx.dispose([x, y]);
  },
});

Deno.test({
  name: "webgpu: an output past the storage-binding limit is an error naming the op and sizes",
  ignore: noGpu,
  fn() {
    const limit = gpu!.device.limits.maxStorageBufferBindingSize;
    const n = Math.floor(limit / 4) + 1;
    const one = fx.tensor([1], { backend: webgpu });
    assert.throws(
      () => fx.broadcastTo(one, [n]),
      new RegExp(
        `broadcastTo\\(\\[1\\] float32\\): the output needs ${
          n * 4
        } bytes, past this adapter's storage binding limit of ${limit} bytes`,
      ),
    );
  },
});

Deno.test({
  name: "webgpu: elementwise ops on a tensor past one binding run range by range; others say why",
  ignore: noGpu,
  async fn() {
    const limit = gpu!.bindingLimit;
    const n = limit / 4 + 3000; // just past one binding
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = (i % 1000) - 500;
    const x = fx.tensor(data, { backend: webgpu });
    const y = fx.neg(x);
    const got = await y.data();
    for (const i of [0, 1, limit / 4 - 1, limit / 4, limit / 4 + 1, n - 1]) {
      assert.equal(got[i], -data[i], `element ${i}`);
    }
    assert.throws(
      () => fx.sum(x),
      new RegExp(
        `^RangeError: sum: input \\[${n}\\] float32 holds ${n * 4} bytes, past this adapter's ` +
          `storage binding limit of ${limit} bytes; only elementwise ops on equal shapes split`,
      ),
    );
    fx.dispose([x, y]);
  },
});

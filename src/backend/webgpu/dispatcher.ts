/**
 * Records dispatches into command buffers and submits them in batches: ops never wait on the
 * GPU. Only reading data back (or `flush`) waits. Uniform words for a whole batch go to the GPU in
 * one write; validation errors are caught per batch and surface as exceptions naming the kernels
 * and shapes; faults that kernels report (an index out of range) surface when data is read.
 *
 * @module
 */
import type { BufferPool } from "./buffer_pool.ts";
import { type KernelSpec, PipelineCache } from "./pipelines.ts";

/** One dispatch: a kernel specialization, its buffers, uniform words and grid size. */
export interface Launch extends KernelSpec {
  /**
   * Storage buffers for bindings 1, 2, ...: inputs first, the output last; a whole buffer (bound
   * up to the binding limit) or a range of one.
   */
  readonly buffers: readonly (GPUBuffer | GPUBufferBinding)[];
  /** The uniform words (at most 64; word 2 is overwritten with the fault tag). */
  readonly words: ArrayLike<number>;
  /** Invocations to run, in workgroups of 256 (the kernel guards the excess). */
  readonly threads?: number;
  /** Or a number of workgroups (the kernel maps a flat workgroup index to its work). */
  readonly groups?: number;
  /** What the dispatch computes, for error messages: op name, shapes and dtypes. */
  readonly label: string;
  /**
   * Whether this specialization can report faults, so binding 7 is bound (default: `faults`). A
   * kernel may include the faults code but not use it; the pipeline's layout then omits it.
   */
  readonly bindFaults?: boolean;
  /** For kernels with `faults`: the error message for a fault at `index` with value bits `value`. */
  readonly describeFault?: (index: number, value: number) => string;
}

const WORDS = 64;
/** Dispatches per command buffer: uniform slots are 256 bytes each. */
const SLOTS = 256;
const SLOT_BYTES = WORDS * 4;
const MAP_READ = 0x01, COPY_DST = 0x08, UNIFORM = 0x40;

/** A batch of dispatches on one command encoder. */
interface Batch {
  encoder: GPUCommandEncoder;
  pass: GPUComputePassEncoder | undefined;
  count: number;
  labels: string[];
}

/** Batches dispatches for one device. */
export class Dispatcher {
  readonly #device: GPUDevice;
  readonly #pool: BufferPool;
  readonly pipelines: PipelineCache;
  readonly #uniforms: GPUBuffer;
  readonly #words = new Uint32Array(SLOTS * WORDS);
  readonly #faults: GPUBuffer;
  readonly #faultMessages = new Map<number, (index: number, value: number) => string>();
  #nextTag = 1;
  #batch: Batch | undefined;
  #failure: Error | undefined;
  #pendingScopes: Promise<void>[] = [];
  /** Dispatches recorded since the device was created. */
  dispatches = 0;
  /** Command buffers submitted since the device was created. */
  submits = 0;

  /** A dispatcher on `device`, allocating from `pool`. */
  constructor(device: GPUDevice, pool: BufferPool) {
    this.#device = device;
    this.#pool = pool;
    this.pipelines = new PipelineCache(device);
    this.#uniforms = device.createBuffer({
      size: SLOTS * SLOT_BYTES,
      usage: UNIFORM | COPY_DST,
      label: "fluxion uniforms",
    });
    this.#faults = device.createBuffer({
      size: 16,
      usage: 0x80 | 0x04 | COPY_DST,
      label: "fluxion faults",
    });
  }

  /** Records an error found asynchronously; the next op or read throws it. */
  fail(e: Error): void {
    this.#failure ??= e;
  }

  /** Throws the error recorded by `fail`, once. */
  throwIfFailed(): void {
    const e = this.#failure;
    if (e !== undefined) {
      this.#failure = undefined;
      throw e;
    }
  }

  #open(): Batch {
    if (this.#batch === undefined) {
      this.#device.pushErrorScope("out-of-memory");
      this.#device.pushErrorScope("validation");
      this.#batch = {
        encoder: this.#device.createCommandEncoder({ label: "fluxion batch" }),
        pass: undefined,
        count: 0,
        labels: [],
      };
    }
    return this.#batch;
  }

  /** Records one dispatch (nothing runs until the batch is submitted). */
  dispatch(l: Launch): void {
    this.throwIfFailed();
    const groups = l.groups ?? Math.ceil((l.threads ?? 0) / 256);
    if (groups === 0) return;
    const max = 65535;
    const gx = Math.min(groups, max);
    const gy = Math.ceil(groups / gx);
    if (gy > max) {
      throw new RangeError(`${l.label}: ${groups} workgroups exceed the grid of ${max}x${max}`);
    }
    const b = this.#open();
    const slot = b.count++;
    const base = slot * WORDS;
    this.#words.fill(0, base, base + WORDS);
    for (let i = 0; i < l.words.length; i++) this.#words[base + i] = l.words[i];
    const faults = l.bindFaults ?? l.faults ?? false;
    if (faults) {
      const tag = this.#nextTag++;
      this.#words[base + 2] = tag;
      this.#faultMessages.set(tag, l.describeFault ?? (() => `${l.label}: fault`));
    }
    const pipeline = this.pipelines.get(l);
    const entries: GPUBindGroupEntry[] = [{
      binding: 0,
      resource: { buffer: this.#uniforms, offset: slot * SLOT_BYTES, size: SLOT_BYTES },
    }];
    const limit = Math.floor(this.#device.limits.maxStorageBufferBindingSize / 4) * 4;
    l.buffers.forEach((b, i) => {
      // A pooled buffer may be larger than its tensor (size classes): bind at most the limit.
      const resource = "buffer" in b ? b : { buffer: b, size: Math.min(b.size, limit) };
      entries.push({ binding: i + 1, resource });
    });
    if (faults) entries.push({ binding: 7, resource: { buffer: this.#faults } });
    const bindGroup = this.#device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries,
      label: l.label,
    });
    b.pass ??= b.encoder.beginComputePass({ label: "fluxion ops" });
    b.pass.setPipeline(pipeline);
    b.pass.setBindGroup(0, bindGroup);
    b.pass.dispatchWorkgroups(gx, gy);
    b.labels.push(l.label);
    this.dispatches++;
    if (b.count === SLOTS) this.submit();
  }

  /** Records a copy of `bytes` bytes (ends the open compute pass). */
  copy(src: GPUBuffer, dst: GPUBuffer, bytes: number, srcOffset = 0, dstOffset = 0): void {
    const b = this.#open();
    b.pass?.end();
    b.pass = undefined;
    b.encoder.copyBufferToBuffer(src, srcOffset, dst, dstOffset, bytes);
  }

  /** Submits the open batch, if any. */
  submit(): void {
    const b = this.#batch;
    if (b === undefined) return;
    this.#batch = undefined;
    b.pass?.end();
    if (b.count > 0) {
      this.#device.queue.writeBuffer(this.#uniforms, 0, this.#words, 0, b.count * WORDS);
    }
    this.#device.queue.submit([b.encoder.finish()]);
    this.submits++;
    this.#pool.recycle();
    const labels = b.labels;
    const validation = this.#device.popErrorScope();
    const oom = this.#device.popErrorScope();
    this.#pendingScopes.push(
      Promise.all([validation, oom]).then(([v, o]) => {
        const err = v ?? o;
        if (err) this.fail(batchError(err, labels));
      }),
    );
  }

  /** Waits for the error scopes of submitted batches and throws the first error found. */
  async #settle(): Promise<void> {
    const scopes = this.#pendingScopes;
    this.#pendingScopes = [];
    await Promise.all(scopes);
    this.throwIfFailed();
  }

  /**
   * Copies `bytes` bytes of `src` to the host: submits pending work, waits for it, and throws if
   * an earlier batch failed validation or a kernel reported a fault.
   */
  async read(src: GPUBuffer, bytes: number): Promise<ArrayBuffer> {
    this.throwIfFailed();
    const size = Math.ceil(bytes / 4) * 4;
    const staging = this.#device.createBuffer({ size: size + 16, usage: MAP_READ | COPY_DST });
    const lastTag = this.#nextTag - 1;
    this.copy(this.#faults, staging, 16, 0, 0);
    if (size > 0) this.copy(src, staging, size, 0, 16);
    this.submit();
    try {
      await staging.mapAsync(0x0001);
      await this.#settle();
      const all = staging.getMappedRange().slice(0);
      this.#checkFaults(new Uint32Array(all, 0, 4), lastTag);
      return all.slice(16, 16 + bytes);
    } finally {
      staging.destroy();
    }
  }

  /** Waits until all submitted work is done; throws errors and faults found on the way. */
  async flush(): Promise<void> {
    await this.read(this.#faults, 0);
  }

  #checkFaults(words: Uint32Array, lastTag: number): void {
    const tag = words[0];
    if (tag === 0) {
      for (const t of this.#faultMessages.keys()) if (t <= lastTag) this.#faultMessages.delete(t);
      return;
    }
    const message = this.#faultMessages.get(tag);
    this.#faultMessages.clear();
    this.#device.queue.writeBuffer(this.#faults, 0, new Uint32Array(4));
    throw new RangeError(
      `${message ? message(words[1], words[2]) : "a kernel reported a fault"} ` +
        "(found on the GPU, reported when data was read back)",
    );
  }
}

function batchError(err: GPUError, labels: readonly string[]): Error {
  const shown = labels.slice(-8).join("; ");
  const more = labels.length > 8 ? ` (last 8 of ${labels.length})` : "";
  return new Error(
    `webgpu: ${err.constructor.name}: ${err.message.trim()}\n  in the batch running${more}: ${shown}`,
  );
}

/**
 * A pool of GPU storage buffers, reused by size class so a training loop allocates nothing after
 * its first step. A released buffer may still be read by dispatches not yet submitted, and
 * `queue.writeBuffer` runs ahead of unsubmitted work, so released buffers become reusable only
 * after the next submit (queue order then protects them).
 *
 * @module
 */

/** Counts the pool keeps for `memory()`. */
export interface PoolStats {
  /** Bytes of buffers handed out and not yet released. */
  inUseBytes: number;
  /** Bytes of free buffers kept for reuse. */
  pooledBytes: number;
  /** Buffers created since the device was created. */
  created: number;
  /** The most bytes handed out at once since the device was created. */
  peakInUseBytes: number;
}

const USAGE = 0x80 /* STORAGE */ | 0x04 /* COPY_SRC */ | 0x08; /* COPY_DST */
/** Free buffers beyond this many bytes are destroyed rather than pooled. */
const MAX_POOLED = 512 * 1024 * 1024;

/** The byte size of the class holding `bytes`: 256-byte steps, then eighths of a power of two. */
export function sizeClass(bytes: number): number {
  const b = Math.max(16, bytes);
  if (b <= 4096) return Math.ceil(b / 256) * 256;
  const p = 2 ** Math.floor(Math.log2(b));
  const step = p / 8;
  return Math.ceil(b / step) * step;
}

/** Storage buffers by size class. */
export class BufferPool {
  readonly #device: GPUDevice;
  readonly #free = new Map<number, GPUBuffer[]>();
  #pending: GPUBuffer[] = [];
  /** The pool's counts. */
  readonly stats: PoolStats = { inUseBytes: 0, pooledBytes: 0, created: 0, peakInUseBytes: 0 };

  /** A pool allocating from `device`. */
  constructor(device: GPUDevice) {
    this.#device = device;
  }

  /** A buffer of at least `bytes` bytes (usable as storage, copy source and destination). */
  acquire(bytes: number, label: string): GPUBuffer {
    const size = sizeClass(bytes);
    const list = this.#free.get(size);
    let buf = list?.pop();
    if (buf !== undefined) {
      this.stats.pooledBytes -= size;
    } else {
      buf = this.#device.createBuffer({ size, usage: USAGE, label });
      this.stats.created++;
    }
    this.stats.inUseBytes += size;
    if (this.stats.inUseBytes > this.stats.peakInUseBytes) {
      this.stats.peakInUseBytes = this.stats.inUseBytes;
    }
    return buf;
  }

  /** Returns `buf` to the pool; it is reused only after the next submit. */
  release(buf: GPUBuffer): void {
    this.stats.inUseBytes -= buf.size;
    this.#pending.push(buf);
  }

  /** Makes buffers released before a submit reusable; called right after each submit. */
  recycle(): void {
    for (const buf of this.#pending) {
      if (this.stats.pooledBytes + buf.size > MAX_POOLED) {
        buf.destroy();
        continue;
      }
      let list = this.#free.get(buf.size);
      if (list === undefined) this.#free.set(buf.size, list = []);
      list.push(buf);
      this.stats.pooledBytes += buf.size;
    }
    this.#pending = [];
  }

  /** Destroys every free buffer (`memory()` then shows no pooled bytes). */
  trim(): void {
    for (const list of this.#free.values()) for (const b of list) b.destroy();
    this.#free.clear();
    this.stats.pooledBytes = 0;
  }
}

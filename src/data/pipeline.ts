/**
 * Lazy pipelines over async iterables. Each stage is a function from one `AsyncIterable` to
 * another, so stages compose with fp-ts `pipe` (or by plain nesting). Every stage returns a
 * re-iterable value: iterating it again runs the pipeline again from the source, which is what an
 * epoch loop wants.
 *
 * @module
 */
import type { Key } from "../random/random.ts";
import { permutationOrder } from "./order.ts";

/** A pipeline stage: a function from one async iterable to another. */
export type Stage<A, B> = (source: AsyncIterable<A>) => AsyncIterable<B>;

function reiterable<T>(make: () => AsyncIterator<T>): AsyncIterable<T> {
  return { [Symbol.asyncIterator]: make };
}

function checkCount(fn: string, what: string, n: number, min: number): void {
  if (!Number.isInteger(n) || n < min) {
    throw new RangeError(`${fn}: ${what} must be an integer >= ${min}, got ${n}`);
  }
}

/**
 * The items of an array as an async iterable, re-iterable (each iteration starts at the first
 * item).
 *
 * @example
 * ```ts
 * import { data } from "@fluxion/fluxion";
 * for await (const x of data.fromArray([1, 2, 3])) console.log(x); // 1, 2, 3
 * ```
 */
export function fromArray<T>(items: readonly T[]): AsyncIterable<T> {
  return reiterable(async function* () {
    yield* items;
  });
}

/**
 * Collects an async iterable into an array.
 *
 * @example
 * ```ts
 * import { data } from "@fluxion/fluxion";
 * console.log(await data.toArray(data.fromArray([1, 2]))); // [ 1, 2 ]
 * ```
 */
export async function toArray<T>(source: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of source) out.push(x);
  return out;
}

/**
 * Applies `fn` to each item (with its index); `fn` may be async.
 *
 * @example
 * ```ts
 * import { data } from "@fluxion/fluxion";
 * const doubled = data.map((x: number) => 2 * x)(data.fromArray([1, 2]));
 * console.log(await data.toArray(doubled)); // [ 2, 4 ]
 * ```
 */
export function map<A, B>(fn: (item: A, index: number) => B | Promise<B>): Stage<A, B> {
  return (source) =>
    reiterable(async function* () {
      let i = 0;
      for await (const x of source) yield await fn(x, i++);
    });
}

/**
 * The first `n` items.
 *
 * @example
 * ```ts
 * import { data } from "@fluxion/fluxion";
 * console.log(await data.toArray(data.take(2)(data.fromArray([1, 2, 3])))); // [ 1, 2 ]
 * ```
 */
export function take<T>(n: number): Stage<T, T> {
  checkCount("data.take", "n", n, 0);
  return (source) =>
    reiterable(async function* () {
      if (n === 0) return;
      let i = 0;
      for await (const x of source) {
        yield x;
        if (++i >= n) return;
      }
    });
}

/**
 * All items in the order `random.permutation(key, count)` gives: the same key always gives the
 * same order. The source must be finite; it is read completely before the first item is yielded.
 * For a new order each epoch, pass `random.foldIn(key, epoch)`.
 *
 * @example
 * ```ts
 * import { data, random } from "@fluxion/fluxion";
 * const shuffled = data.shuffle<number>(random.key(0))(data.fromArray([0, 1, 2, 3, 4]));
 * console.log(await data.toArray(shuffled)); // a permutation, the same on every run
 * ```
 */
export function shuffle<T>(key: Key): Stage<T, T> {
  permutationOrder("data.shuffle", key, 0);
  return (source) =>
    reiterable(async function* () {
      const items = await toArray(source);
      for (const i of permutationOrder("data.shuffle", key, items.length)) yield items[i];
    });
}

/** Options for {@linkcode batch}. */
export interface BatchOptions {
  /** Drop a last batch smaller than `size` (default `false`: keep it). */
  dropLast?: boolean;
}

/**
 * Groups items into arrays of `size`; the last, smaller group is kept unless `dropLast`.
 *
 * @example
 * ```ts
 * import { data } from "@fluxion/fluxion";
 * const items = data.fromArray([1, 2, 3, 4, 5]);
 * console.log(await data.toArray(data.batch<number>(2)(items))); // [ [ 1, 2 ], [ 3, 4 ], [ 5 ] ]
 * console.log(await data.toArray(data.batch<number>(2, { dropLast: true })(items))); // 2 batches
 * ```
 */
export function batch<T>(size: number, opts: BatchOptions = {}): Stage<T, T[]> {
  checkCount("data.batch", "size", size, 1);
  const dropLast = opts.dropLast ?? false;
  return (source) =>
    reiterable(async function* () {
      let group: T[] = [];
      for await (const x of source) {
        group.push(x);
        if (group.length === size) {
          yield group;
          group = [];
        }
      }
      if (group.length > 0 && !dropLast) yield group;
    });
}

/**
 * Reads up to `n` items ahead of the consumer, so producing the next item (decoding, a transform,
 * a read) overlaps with using the current one. Order and values are unchanged; an error from the
 * source is raised when the consumer reaches it; stopping early stops the source.
 *
 * @example
 * ```ts
 * import { data } from "@fluxion/fluxion";
 * const slow = data.map(async (x: number) => x * 10)(data.fromArray([1, 2, 3]));
 * console.log(await data.toArray(data.prefetch<number>(2)(slow))); // [ 10, 20, 30 ]
 * ```
 */
export function prefetch<T>(n: number): Stage<T, T> {
  checkCount("data.prefetch", "n", n, 1);
  return (source) =>
    reiterable(() => {
      const it = source[Symbol.asyncIterator]();
      const queue: Promise<IteratorResult<T>>[] = [];
      let finished = false;
      const fill = () => {
        while (!finished && queue.length < n) {
          const p = it.next();
          // Keep an unconsumed rejection from being reported as unhandled; it is re-raised below.
          p.catch(() => {});
          queue.push(p);
        }
      };
      return {
        async next(): Promise<IteratorResult<T>> {
          if (finished && queue.length === 0) return { done: true, value: undefined };
          fill();
          const head = queue.shift()!;
          let r: IteratorResult<T>;
          try {
            r = await head;
          } catch (e) {
            finished = true;
            queue.length = 0;
            throw e;
          }
          if (r.done) {
            finished = true;
            queue.length = 0;
          } else fill();
          return r;
        },
        async return(): Promise<IteratorResult<T>> {
          finished = true;
          queue.length = 0;
          await it.return?.();
          return { done: true, value: undefined };
        },
      };
    });
}

/**
 * Which examples make batch (epoch, index): a permutation drawn from (seed, epoch) alone, so any
 * batch of any epoch can be recomputed without replaying the ones before it (resuming a run).
 */
import { Rng, deriveSeed } from '@genloom/core';

/** Options shared by the batchers of fixed-size examples (images, table rows). */
export interface BatchOptions {
  /** Examples per batch. */
  batchSize: number;
  /** Seed of the batch order; default 0. */
  seed?: number;
  /** Draw a new order every epoch (default true); false keeps the data's order. */
  shuffle?: boolean;
  /** Leave out the last, smaller batch of an epoch (default false). */
  dropRemainder?: boolean;
}

/**
 * The order of `n` examples, cut into batches. Every epoch visits every example once (the last
 * batch is smaller unless `dropRemainder`); the order of epoch e is a pure function of (seed, e).
 *
 * @example
 * ```ts
 * const order = new BatchOrder(1000, { batchSize: 64, seed: 1 });
 * order.batchesPerEpoch;      // 16
 * order.rows(3, 15).length;   // 40: the rest of epoch 3
 * ```
 */
export class BatchOrder {
  readonly batchesPerEpoch: number;
  readonly batchSize: number;
  private readonly seed: number;
  private readonly shuffle: boolean;
  private cached: { epoch: number; order: Int32Array } | undefined;

  constructor(
    readonly size: number,
    options: BatchOptions,
  ) {
    const { batchSize, seed = 0, shuffle = true, dropRemainder = false } = options;
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new Error(`batchSize must be a positive integer, got ${batchSize}`);
    }
    if (!Number.isFinite(seed)) throw new Error(`seed must be a finite number, got ${seed}`);
    if (size < 1) throw new Error('cannot batch an empty data set');
    if (dropRemainder && size < batchSize) {
      throw new Error(`${size} examples make no full batch of ${batchSize}; lower batchSize or set dropRemainder: false`);
    }
    this.batchSize = batchSize;
    this.seed = seed;
    this.shuffle = shuffle;
    this.batchesPerEpoch = dropRemainder ? Math.floor(size / batchSize) : Math.ceil(size / batchSize);
  }

  /**
   * Indices of the examples in batch `index` of `epoch`.
   *
   * @example
   * ```ts
   * new BatchOrder(10, { batchSize: 4, shuffle: false }).rows(0, 2); // Int32Array [8, 9]
   * ```
   */
  rows(epoch: number, index: number): Int32Array {
    checkBatchAddress(epoch, index, this.batchesPerEpoch);
    const order = this.epochOrder(epoch);
    const start = index * this.batchSize;
    return order.subarray(start, Math.min(start + this.batchSize, this.size));
  }

  private epochOrder(epoch: number): Int32Array {
    // The permutation is recomputed from (seed, epoch) when the epoch changes; keeping the last
    // one only saves work, it changes no result.
    if (this.cached?.epoch !== epoch) {
      const order = this.shuffle
        ? new Rng(deriveSeed(this.seed, epoch)).permutation(this.size)
        : Int32Array.from({ length: this.size }, (_, i) => i);
      this.cached = { epoch, order };
    }
    return this.cached.order;
  }
}

/**
 * Throws a clear Error unless `epoch` is a non-negative integer and 0 ≤ index < batchesPerEpoch.
 *
 * @example
 * ```ts
 * checkBatchAddress(0, 5, 10); // fine
 * ```
 */
export function checkBatchAddress(epoch: number, index: number, batchesPerEpoch: number): void {
  if (!Number.isInteger(epoch) || epoch < 0) throw new Error(`epoch must be a non-negative integer, got ${epoch}`);
  if (!Number.isInteger(index) || index < 0 || index >= batchesPerEpoch) {
    throw new Error(`batch index must be an integer in [0, ${batchesPerEpoch}), got ${index}`);
  }
}

import type * as tf from '@tensorflow/tfjs';

/** A batch handed to a model's `trainStep`: named tensors, all disposed by the Trainer after the step. */
export type TensorBatch = Record<string, tf.Tensor>;

/**
 * Where the Trainer gets its batches. Batches are addressed by (epoch, index) rather than drawn from
 * an iterator, so batch order is a pure function of the source's seed: a run resumed at step N sees
 * exactly the batches the uninterrupted run would have seen.
 *
 * @example
 * ```ts
 * const source: DataSource<{ x: tf.Tensor2D }> = {
 *   batchesPerEpoch: 10,
 *   batch: (epoch, index) => ({ x: tf.randomNormal([32, 4], 0, 1, 'float32', deriveSeed(1, epoch, index)) }),
 * };
 * ```
 */
export interface DataSource<B extends TensorBatch = TensorBatch> {
  /** How many batches make one pass over the data. */
  readonly batchesPerEpoch: number;
  /** Number of examples in one batch (for examples/s). */
  readonly batchSize?: number;
  /** The batch at `index` (0 ≤ index < batchesPerEpoch) of `epoch`; deterministic for a given source. */
  batch(epoch: number, index: number): B;
}

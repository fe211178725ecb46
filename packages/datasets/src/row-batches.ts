/**
 * {@link DataSource}s over fixed-size examples held in memory: images and table rows. Tensors are
 * made per batch, so only the batch in use lives on the backend.
 */
import type { DataSource } from '@genloom/core';
import * as tf from '@tensorflow/tfjs';

import type { BatchOptions } from './batch-order.js';
import { BatchOrder } from './batch-order.js';
import type { TabularSet } from './csv.js';
import type { ImageSet } from './image-set.js';

/** A batch of images: `x` [B, H, W, C] float32, and `labels` [B] int32 when the set has labels. */
export type ImageBatch = { x: tf.Tensor4D; labels?: tf.Tensor1D };

/** A batch of table rows: `x` [B, D] float32, and `labels` [B] int32 when the set has labels. */
export type TabularBatch = { x: tf.Tensor2D; labels?: tf.Tensor1D };

/**
 * Batches an {@link ImageSet} for the Trainer. Each epoch visits every image once in an order drawn
 * from (seed, epoch); batch (epoch, index) is the same on every call, so resumed runs match.
 *
 * @example
 * ```ts
 * const data = imageBatches(await loadMnist(), { batchSize: 128, seed: 1 });
 * const { x, labels } = data.batch(0, 0); // x: [128, 28, 28, 1], labels: [128]
 * ```
 */
export function imageBatches(data: ImageSet, options: BatchOptions): DataSource<ImageBatch> {
  const [n, h, w, c] = data.shape;
  const order = new BatchOrder(n, options);
  return {
    batchesPerEpoch: order.batchesPerEpoch,
    batchSize: order.batchSize,
    batch(epoch, index) {
      const rows = order.rows(epoch, index);
      const x = tf.tensor4d(gatherRows(data.images, h * w * c, rows), [rows.length, h, w, c], 'float32');
      return data.labels ? { x, labels: tf.tensor1d(gatherLabels(data.labels, rows), 'int32') } : { x };
    },
  };
}

/**
 * Batches a {@link TabularSet} for the Trainer, with the same ordering rules as {@link imageBatches}.
 *
 * @example
 * ```ts
 * const train = await loadSensor({ split: 'train' });
 * const st = fitStandardizer(train.features, 2);
 * const data = tabularBatches({ ...train, features: standardize(train.features, st) }, { batchSize: 256, seed: 7 });
 * ```
 */
export function tabularBatches(data: TabularSet, options: BatchOptions): DataSource<TabularBatch> {
  const [n, d] = data.shape;
  const order = new BatchOrder(n, options);
  return {
    batchesPerEpoch: order.batchesPerEpoch,
    batchSize: order.batchSize,
    batch(epoch, index) {
      const rows = order.rows(epoch, index);
      const x = tf.tensor2d(gatherRows(data.features, d, rows), [rows.length, d], 'float32');
      return data.labels ? { x, labels: tf.tensor1d(gatherLabels(data.labels, rows), 'int32') } : { x };
    },
  };
}

function gatherRows(values: Float32Array, rowLength: number, rows: Int32Array): Float32Array {
  const out = new Float32Array(rows.length * rowLength);
  for (let k = 0; k < rows.length; k++) {
    const r = rows[k]!;
    out.set(values.subarray(r * rowLength, (r + 1) * rowLength), k * rowLength);
  }
  return out;
}

function gatherLabels(labels: Int32Array, rows: Int32Array): Int32Array {
  const out = new Int32Array(rows.length);
  for (let k = 0; k < rows.length; k++) out[k] = labels[rows[k]!]!;
  return out;
}

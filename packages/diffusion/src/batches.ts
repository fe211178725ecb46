/**
 * Training batches for prompt conditioning: images, labels, and a caption per image tokenized for
 * the model's text encoder. Captions are drawn afresh in each epoch (a different template for the
 * same image), deterministically from (seed, epoch, index) so a resumed run sees the same batches.
 */
import * as tf from '@tensorflow/tfjs';
import { deriveSeed, Rng, type DataSource } from '@genloom/core';
import { captionFor, strokeStyles, type StrokeStyle } from './captions.js';
import type { DiffusionConfig } from './config.js';
import { encodePrompts, promptTokenizer } from './prompt-encoder.js';

/** Labelled images as `@genloom/datasets` loads them: pixels row-major [N, H, W, C] in [0, 1]. */
export interface LabelledImageSet {
  readonly images: Float32Array;
  readonly shape: readonly [number, number, number, number];
  readonly labels?: Int32Array;
}

/** A batch of {@link captionedBatches}: images, labels, prompt ids and their mask. */
export type CaptionedBatch = { x: tf.Tensor4D; labels: tf.Tensor1D; prompt: tf.Tensor2D; promptMask: tf.Tensor2D };

/** Options of {@link captionedBatches}. */
export interface CaptionedBatchOptions {
  batchSize: number;
  seed: number;
  /** The model's config (class names, prompt alphabet and length). */
  config: Pick<DiffusionConfig, 'classNames' | 'promptAlphabet' | 'maxPromptLength'>;
}

/**
 * A Trainer data source of images with captions made from their labels ("a thin 7", "the digit
 * seven"…), for prompt-conditioned diffusion. The last partial batch of an epoch is dropped.
 *
 * @example
 * ```ts
 * const data = captionedBatches(await loadMnist(), { batchSize: 64, seed: 1, config: model.config });
 * await train(model, data, { steps: 4000 });
 * ```
 */
export function captionedBatches(set: LabelledImageSet, options: CaptionedBatchOptions): DataSource<CaptionedBatch> & {
  /** The captions of the batch at (epoch, index), as the text encoder sees them. */
  captionsOf(epoch: number, index: number): string[];
} {
  const [n, h, w, c] = set.shape;
  const labels = set.labels;
  if (!labels) throw new Error('captionedBatches: the image set has no labels; captions are made from labels');
  const { batchSize, seed, config } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > n) throw new Error(`captionedBatches: batchSize must be an integer in [1, ${n}], got ${batchSize}`);
  for (let i = 0; i < labels.length; i++) {
    if (!(labels[i]! >= 0 && labels[i]! < config.classNames.length)) {
      throw new Error(`captionedBatches: image ${i} has label ${labels[i]}, outside the model's ${config.classNames.length} classes`);
    }
  }
  const per = h * w * c;
  const styles: StrokeStyle[] = strokeStyles(set.images, per, labels);
  const tokenizer = promptTokenizer(config);
  const batchesPerEpoch = Math.floor(n / batchSize);
  const orders = new Map<number, Int32Array>();
  const rowsOf = (epoch: number, index: number): Int32Array => {
    let order = orders.get(epoch);
    if (!order) {
      order = new Rng(deriveSeed(seed, epoch)).permutation(n);
      orders.clear();
      orders.set(epoch, order);
    }
    return order.subarray(index * batchSize, (index + 1) * batchSize);
  };
  const captionsOf = (epoch: number, index: number): string[] => {
    const rng = new Rng(deriveSeed(seed, epoch, index, 0xca));
    return Array.from(rowsOf(epoch, index), (r) => captionFor(labels[r]!, config.classNames, rng, styles[r]));
  };
  return {
    batchesPerEpoch,
    batchSize,
    captionsOf,
    batch(epoch, index) {
      const rows = rowsOf(epoch, index);
      const pixels = new Float32Array(rows.length * per);
      rows.forEach((r, k) => pixels.set(set.images.subarray(r * per, (r + 1) * per), k * per));
      const { ids, mask } = encodePrompts(captionsOf(epoch, index), tokenizer, config.maxPromptLength);
      return {
        x: tf.tensor4d(pixels, [rows.length, h, w, c]),
        labels: tf.tensor1d(Int32Array.from(rows, (r) => labels[r]!), 'int32'),
        prompt: ids,
        promptMask: mask,
      };
    },
  };
}

/**
 * The built-in image-to-image task: colour sprites to grayscale and back. `colorize` learns
 * [luminance, alpha] → RGBA (the hard direction: colour must be invented); `decolorize` learns
 * RGBA → [luminance, alpha] (a fixed map, a sanity check that the network can learn it exactly).
 */
import * as tf from '@tensorflow/tfjs';
import { deriveSeed, Rng, type DataSource } from '@genloom/core';
import type { Pix2PixBatch } from './pix2pix.js';

/** Which way the task goes. */
export type ColorizationDirection = 'colorize' | 'decolorize';

/** ITU-R BT.601 luma weights of R, G and B. */
export const LUMA_WEIGHTS: readonly [number, number, number] = [0.299, 0.587, 0.114];

/** Paired images for pix2pix, row-major NHWC in [-1, 1]. */
export interface ImagePairs {
  inputs: Float32Array;
  inputShape: [number, number, number, number];
  targets: Float32Array;
  targetShape: [number, number, number, number];
}

/**
 * [luminance, alpha] of RGBA pixels in [0, 1], as a tensor in [-1, 1]: the input of a colorizer.
 *
 * @example
 * ```ts
 * const grey = grayscaleInputs(tf.tensor4d(emoji.images, emoji.shape)); // [N, 32, 32, 2]
 * const colour = model.translate(grey);
 * ```
 */
export function grayscaleInputs(rgba: tf.Tensor4D): tf.Tensor4D {
  if (rgba.shape[3] !== 4) throw new Error(`grayscaleInputs expects RGBA images [N, H, W, 4] in [0, 1], got [${rgba.shape}]`);
  return tf.tidy(() => {
    const [r, g, b, a] = tf.split(rgba, 4, 3);
    const luma = tf.addN([tf.mul(LUMA_WEIGHTS[0], r!), tf.mul(LUMA_WEIGHTS[1], g!), tf.mul(LUMA_WEIGHTS[2], b!)]);
    return tf.sub(tf.mul(tf.concat([luma, a!], 3), 2), 1) as tf.Tensor4D; // [N, H, W, 2] in [-1, 1]
  });
}

/**
 * The pairs of the colorization task from RGBA images in [0, 1] (e.g. `loadEmoji().images`).
 *
 * @example
 * ```ts
 * const emoji = await loadEmoji({ size: 32 });
 * const pairs = colorizationPairs(emoji.images, emoji.shape, 'colorize');
 * ```
 */
export function colorizationPairs(images: Float32Array, shape: readonly [number, number, number, number], direction: ColorizationDirection = 'colorize'): ImagePairs {
  const [n, h, w, c] = shape;
  if (c !== 4) throw new Error(`colorizationPairs needs RGBA images (4 channels), got shape [${shape}]`);
  if (images.length !== n * h * w * 4) throw new Error(`colorizationPairs: ${images.length} values do not fill shape [${shape}]`);
  const grey = new Float32Array(n * h * w * 2);
  const colour = new Float32Array(images.length);
  for (let p = 0; p < n * h * w; p++) {
    const r = images[4 * p]!;
    const g = images[4 * p + 1]!;
    const b = images[4 * p + 2]!;
    const a = images[4 * p + 3]!;
    grey[2 * p] = 2 * (LUMA_WEIGHTS[0] * r + LUMA_WEIGHTS[1] * g + LUMA_WEIGHTS[2] * b) - 1;
    grey[2 * p + 1] = 2 * a - 1;
    for (let k = 0; k < 4; k++) colour[4 * p + k] = 2 * images[4 * p + k]! - 1;
  }
  const greyShape: [number, number, number, number] = [n, h, w, 2];
  const colourShape: [number, number, number, number] = [n, h, w, 4];
  return direction === 'colorize'
    ? { inputs: grey, inputShape: greyShape, targets: colour, targetShape: colourShape }
    : { inputs: colour, inputShape: colourShape, targets: grey, targetShape: greyShape };
}

/**
 * Batches {@link ImagePairs} for the Trainer: every epoch visits each pair once in an order drawn
 * from (seed, epoch); the last partial batch is dropped.
 *
 * @example
 * ```ts
 * const data = pairBatches(pairs, { batchSize: 16, seed: 1 });
 * ```
 */
export function pairBatches(pairs: ImagePairs, opts: { batchSize: number; seed?: number }): DataSource<Pix2PixBatch> {
  const n = pairs.inputShape[0];
  const bs = opts.batchSize;
  if (!Number.isInteger(bs) || bs <= 0 || bs > n) throw new Error(`pairBatches: batchSize must be an integer in [1, ${n}], got ${bs}`);
  const inPer = pairs.inputShape[1] * pairs.inputShape[2] * pairs.inputShape[3];
  const outPer = pairs.targetShape[1] * pairs.targetShape[2] * pairs.targetShape[3];
  let cached: { epoch: number; order: Int32Array } | null = null;
  const orderOf = (epoch: number) => {
    if (cached?.epoch !== epoch) cached = { epoch, order: new Rng(deriveSeed(opts.seed ?? 0, epoch)).permutation(n) };
    return cached.order;
  };
  return {
    batchesPerEpoch: Math.floor(n / bs),
    batchSize: bs,
    batch(epoch, index) {
      const order = orderOf(epoch);
      const x = new Float32Array(bs * inPer);
      const y = new Float32Array(bs * outPer);
      for (let k = 0; k < bs; k++) {
        const i = order[index * bs + k]!;
        x.set(pairs.inputs.subarray(i * inPer, (i + 1) * inPer), k * inPer);
        y.set(pairs.targets.subarray(i * outPer, (i + 1) * outPer), k * outPer);
      }
      return {
        x: tf.tensor4d(x, [bs, pairs.inputShape[1], pairs.inputShape[2], pairs.inputShape[3]]),
        y: tf.tensor4d(y, [bs, pairs.targetShape[1], pairs.targetShape[2], pairs.targetShape[3]]),
      };
    },
  };
}

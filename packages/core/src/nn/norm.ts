import * as tf from '@tensorflow/tfjs';
import { Module } from './module.js';

/**
 * Layer normalisation over the last axis, with an optional bias (nanoGPT's `LayerNorm(bias=False)`).
 *
 * @example
 * ```ts
 * const ln = new LayerNorm({ dim: 128, bias: false });
 * ln.forward(h); // [B, T, 128]
 * ```
 */
export class LayerNorm extends Module {
  readonly gamma: tf.Variable;
  readonly beta: tf.Variable | null;
  readonly eps: number;

  constructor(args: { dim: number; bias?: boolean; eps?: number }) {
    super();
    this.eps = args.eps ?? 1e-5;
    this.gamma = this.addParam('gamma', () => tf.ones([args.dim]));
    this.beta = args.bias === false ? null : this.addParam('beta', () => tf.zeros([args.dim]));
  }

  /** @example `ln.forward(tf.randomNormal([2, 128]))` */
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const { mean, variance } = tf.moments(x, -1, true);
      let y = tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, this.eps))), this.gamma);
      if (this.beta) y = tf.add(y, this.beta);
      return y;
    });
  }
}

/**
 * Group normalisation for NHWC feature maps (Wu & He 2018): the U-Net's normaliser, independent of
 * the batch size.
 *
 * @example
 * ```ts
 * const gn = new GroupNorm({ channels: 64, groups: 8 });
 * gn.forward(x); // [B, H, W, 64]
 * ```
 */
export class GroupNorm extends Module {
  readonly gamma: tf.Variable;
  readonly beta: tf.Variable;
  readonly groups: number;
  readonly channels: number;
  readonly eps: number;

  constructor(args: { channels: number; groups: number; eps?: number }) {
    super();
    if (args.channels % args.groups !== 0) {
      throw new Error(`GroupNorm: channels (${args.channels}) must be divisible by groups (${args.groups})`);
    }
    this.channels = args.channels;
    this.groups = args.groups;
    this.eps = args.eps ?? 1e-5;
    this.gamma = this.addParam('gamma', () => tf.ones([args.channels]));
    this.beta = this.addParam('beta', () => tf.zeros([args.channels]));
  }

  /** @example `gn.forward(tf.randomNormal([2, 8, 8, 64]))` */
  forward(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const [b, h, w, c] = x.shape;
      const g = this.groups;
      const grouped = x.reshape([b, h * w, g, c / g]); // [B, HW, G, C/G]
      const { mean, variance } = tf.moments(grouped, [1, 3], true);
      const normed = tf.div(tf.sub(grouped, mean), tf.sqrt(tf.add(variance, this.eps)));
      return tf.add(tf.mul(normed.reshape([b, h, w, c]), this.gamma), this.beta) as tf.Tensor4D;
    });
  }
}

/**
 * Batch normalisation over all axes but the last (channels), with running statistics for
 * inference. In training mode it normalises with the batch's statistics and records the update of
 * the running averages; call {@link BatchNorm.commitRunningStats} after the optimizer step (the
 * Trainer-facing `ctx.minimize` does not touch non-trainable variables).
 *
 * @example
 * ```ts
 * const bn = new BatchNorm({ channels: 64 });
 * const y = bn.forward(x, true);
 * bn.commitRunningStats();
 * ```
 */
export class BatchNorm extends Module {
  readonly gamma: tf.Variable;
  readonly beta: tf.Variable;
  readonly runningMean: tf.Variable;
  readonly runningVar: tf.Variable;
  readonly momentum: number;
  readonly eps: number;
  private pending: { mean: tf.Tensor; variance: tf.Tensor } | null = null;

  constructor(args: { channels: number; momentum?: number; eps?: number }) {
    super();
    this.momentum = args.momentum ?? 0.1;
    this.eps = args.eps ?? 1e-5;
    this.gamma = this.addParam('gamma', () => tf.ones([args.channels]));
    this.beta = this.addParam('beta', () => tf.zeros([args.channels]));
    this.runningMean = this.addParam('runningMean', () => tf.zeros([args.channels]), false);
    this.runningVar = this.addParam('runningVar', () => tf.ones([args.channels]), false);
  }

  /** @example `bn.forward(x, false)` uses the running statistics */
  forward(x: tf.Tensor, training: boolean): tf.Tensor {
    return tf.tidy(() => {
      const axes = Array.from({ length: x.rank - 1 }, (_, i) => i);
      let mean: tf.Tensor;
      let variance: tf.Tensor;
      if (training) {
        ({ mean, variance } = tf.moments(x, axes));
        this.pending?.mean.dispose();
        this.pending?.variance.dispose();
        this.pending = { mean: tf.keep(mean.clone()), variance: tf.keep(variance.clone()) };
      } else {
        mean = this.runningMean;
        variance = this.runningVar;
      }
      const normed = tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, this.eps)));
      return tf.add(tf.mul(normed, this.gamma), this.beta);
    });
  }

  /** Folds the last training batch's statistics into the running averages. @example `bn.commitRunningStats()` */
  commitRunningStats(): void {
    if (!this.pending) return;
    const { mean, variance } = this.pending;
    const m = this.momentum;
    tf.tidy(() => {
      this.runningMean.assign(tf.add(tf.mul(1 - m, this.runningMean), tf.mul(m, mean)));
      this.runningVar.assign(tf.add(tf.mul(1 - m, this.runningVar), tf.mul(m, variance)));
    });
    mean.dispose();
    variance.dispose();
    this.pending = null;
  }

  override dispose(): void {
    this.pending?.mean.dispose();
    this.pending?.variance.dispose();
    this.pending = null;
    super.dispose();
  }
}

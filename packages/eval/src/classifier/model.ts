import * as tf from '@tensorflow/tfjs';
import { Conv2d, Dense, Module, Rng, dropout, type GenerativeModel, type StepContext } from '@genloom/core';
import type { ClassifierConfig } from './config.js';

/** A training batch: images [B, H, W, C] and integer labels [B]. */
export type ClassifierBatch = { x: tf.Tensor4D; y: tf.Tensor1D };

/** One resolution stage: a 3×3 convolution, then a stride-2 3×3 convolution that halves H and W. */
class Stage extends Module {
  readonly conv: Conv2d;
  readonly down: Conv2d;
  constructor(inChannels: number, outChannels: number, rng: Rng) {
    super();
    this.conv = this.addChild('conv', new Conv2d({ inChannels, outChannels, kernelSize: 3, rng, init: 'he' }));
    this.down = this.addChild('down', new Conv2d({ inChannels: outChannels, outChannels, kernelSize: 3, stride: 2, rng, init: 'he' }));
  }
  forward(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => tf.relu(this.down.forward(tf.relu(this.conv.forward(x)) as tf.Tensor4D)) as tf.Tensor4D); // [B, H, W, C] → [B, H/2, W/2, out]
  }
}

/** The network: stages → flatten → dense feature layer (ReLU) → class logits. */
class ClassifierNet extends Module {
  readonly stages: Stage[] = [];
  readonly fc: Dense;
  readonly head: Dense;
  readonly flatDim: number;
  constructor(readonly config: ClassifierConfig, rng: Rng) {
    super();
    let channels = config.channels;
    let size = config.imageSize;
    config.stageChannels.forEach((out, i) => {
      this.stages.push(this.addChild(`stage${i}`, new Stage(channels, out, rng)));
      channels = out;
      size = Math.ceil(size / 2); // 'same' padding at stride 2
    });
    this.flatDim = size * size * channels;
    this.fc = this.addChild('fc', new Dense({ inputDim: this.flatDim, units: config.featureDim, rng }));
    this.head = this.addChild('head', new Dense({ inputDim: config.featureDim, units: config.numClasses, rng }));
  }

  /** Features and logits; dropout on the features only when `rng` is given (training). */
  forward(x: tf.Tensor4D, rng: Rng | null): { features: tf.Tensor2D; logits: tf.Tensor2D } {
    return tf.tidy(() => {
      let h = x; // [B, 28, 28, 1]
      for (const stage of this.stages) h = stage.forward(h); // … → [B, 4, 4, 64]
      const flat = tf.reshape(h, [x.shape[0], this.flatDim]); // [B, 1024]
      const features = tf.relu(this.fc.forward(flat)) as tf.Tensor2D; // [B, featureDim]
      const logits = this.head.forward(dropout(features, this.config.dropout, rng)) as tf.Tensor2D; // [B, classes]
      return { features, logits };
    });
  }
}

/**
 * The feature-extractor classifier as a genloom model (family `classifier`), so it trains with the
 * shared Trainer and saves and loads through core checkpoints.
 *
 * @example
 * ```ts
 * const clf = new ImageClassifier(resolveClassifierConfig({}, 'mnist'), 0);
 * const feats = await clf.features(images);  // [N, 64] for FID/KID/PR
 * const probs = await clf.predictProba(images); // [N, 10] for IS and coverage
 * ```
 */
export class ImageClassifier implements GenerativeModel<ClassifierBatch, ClassifierConfig> {
  readonly family = 'classifier';
  readonly net: ClassifierNet;

  constructor(readonly config: ClassifierConfig, seed: number) {
    this.net = new ClassifierNet(config, new Rng(seed));
  }

  private checkImages(x: tf.Tensor): asserts x is tf.Tensor4D {
    const { imageSize: s, channels: c } = this.config;
    if (x.rank !== 4 || x.shape[1] !== s || x.shape[2] !== s || x.shape[3] !== c) {
      throw new Error(`classifier expects images of shape [N, ${s}, ${s}, ${c}] (NHWC, pixels in [${this.config.pixelRange}]), got [${x.shape}]`);
    }
  }

  private loss(batch: ClassifierBatch, rng: Rng | null): { loss: tf.Scalar; accuracy: tf.Scalar } {
    return tf.tidy(() => {
      const { logits } = this.net.forward(batch.x, rng);
      // Cast explicitly: oneHot on wasm can hand back int32 bits labelled float32.
      const target = tf.cast(tf.oneHot(tf.cast(batch.y, 'int32'), this.config.numClasses), 'float32');
      const loss = tf.losses.softmaxCrossEntropy(target, logits) as tf.Scalar;
      const accuracy = tf.mean(tf.cast(tf.equal(tf.argMax(logits, 1), tf.cast(batch.y, 'int32')), 'float32')) as tf.Scalar;
      return { loss, accuracy };
    });
  }

  trainStep(batch: ClassifierBatch, ctx: StepContext): Record<string, tf.Scalar> {
    this.checkImages(batch.x);
    let accuracy: tf.Scalar | null = null;
    const loss = ctx.minimize(() => {
      const out = this.loss(batch, ctx.rng);
      accuracy = tf.keep(out.accuracy);
      return out.loss;
    }, this.namedParameters());
    return { loss, accuracy: accuracy! };
  }

  evalStep(batch: ClassifierBatch): Record<string, tf.Scalar> {
    this.checkImages(batch.x);
    return this.loss(batch, null);
  }

  /** Applies `fn` to batches of `images` and concatenates the results (bounded memory on 10k images). */
  private batched(images: tf.Tensor4D, batchSize: number, fn: (x: tf.Tensor4D) => tf.Tensor2D): tf.Tensor2D {
    this.checkImages(images);
    const n = images.shape[0];
    if (n <= batchSize) return tf.tidy(() => fn(images));
    const parts: tf.Tensor2D[] = [];
    for (let start = 0; start < n; start += batchSize) {
      parts.push(tf.tidy(() => fn(tf.slice(images, [start, 0, 0, 0], [Math.min(batchSize, n - start), -1, -1, -1]))));
    }
    const out = tf.concat(parts) as tf.Tensor2D;
    tf.dispose(parts);
    return out;
  }

  /**
   * Penultimate-layer features [N, featureDim] (the caller disposes them).
   *
   * @example
   * ```ts
   * const f = clf.features(images); // [N, 64]
   * ```
   */
  features(images: tf.Tensor4D, opts: { batchSize?: number } = {}): tf.Tensor2D {
    return this.batched(images, opts.batchSize ?? 500, (x) => this.net.forward(x, null).features);
  }

  /**
   * Class probabilities [N, numClasses] (softmax of the logits; the caller disposes them).
   *
   * @example
   * ```ts
   * const p = clf.predictProba(images); // rows sum to 1
   * ```
   */
  predictProba(images: tf.Tensor4D, opts: { batchSize?: number } = {}): tf.Tensor2D {
    return this.batched(images, opts.batchSize ?? 500, (x) => tf.softmax(this.net.forward(x, null).logits));
  }

  /**
   * Features and probabilities in one pass over the images.
   *
   * @example
   * ```ts
   * const { features, probs } = clf.featuresAndProba(images);
   * ```
   */
  featuresAndProba(images: tf.Tensor4D, opts: { batchSize?: number } = {}): { features: tf.Tensor2D; probs: tf.Tensor2D } {
    const both = this.batched(images, opts.batchSize ?? 500, (x) => {
      const { features, logits } = this.net.forward(x, null);
      return tf.concat([features, tf.softmax(logits)], 1) as tf.Tensor2D;
    });
    const d = this.config.featureDim;
    const out = tf.tidy(() => ({ features: tf.slice(both, [0, 0], [-1, d]) as tf.Tensor2D, probs: tf.slice(both, [0, d], [-1, -1]) as tf.Tensor2D }));
    both.dispose();
    return out;
  }

  namedParameters() {
    return this.net.namedParameters();
  }
  getWeights() {
    return this.net.getWeights();
  }
  setWeights(weights: tf.NamedTensorMap) {
    this.net.setWeights(weights);
  }
  dispose() {
    this.net.dispose();
  }
}

import * as tf from '@tensorflow/tfjs';
import { Rng, deriveSeed, saveModel, train, type Callback, type CheckpointWriter, type DataSource, type TrainResult } from '@genloom/core';
import { resolveClassifierConfig, type ClassifierConfig } from './config.js';
import { ImageClassifier, type ClassifierBatch } from './model.js';

/**
 * Labelled images in memory: row-major [N, H, W, C] pixels with one integer label each. The
 * `ImageSet` of `@genloom/datasets` (`await loadMnist()`) has this shape, so it can be passed as is.
 */
export interface LabelledImages {
  readonly images: Float32Array;
  readonly shape: readonly [number, number, number, number];
  readonly labels?: Int32Array;
  readonly pixelRange?: readonly [number, number];
}

/** Options of {@link trainImageClassifier}. */
export interface TrainClassifierOptions {
  /** Preset name (default 'mnist'). */
  preset?: string;
  /** Config overrides; `imageSize`, `channels` and `pixelRange` default to the data's. */
  config?: Partial<ClassifierConfig>;
  /** Passes over the training data (default 2, the shipped MNIST recipe). Ignored when `steps` is given. */
  epochs?: number;
  steps?: number;
  batchSize?: number;
  /** Peak Adam learning rate of the warm-up + cosine schedule (default 2e-3). */
  lr?: number;
  seed?: number;
  callbacks?: Callback[];
  /** Save the trained classifier here (with its test accuracy in the manifest's metrics). */
  writer?: CheckpointWriter;
  /** Recorded in the checkpoint's provenance (e.g. "mnist train 60k / test 10k"). */
  dataDescription?: string;
}

/** What {@link trainImageClassifier} returns; the caller disposes `model`. */
export interface TrainedClassifier {
  model: ImageClassifier;
  /** Accuracy on `test`, when test data was given. */
  testAccuracy: number | null;
  result: TrainResult;
}

function checkLabelled(set: LabelledImages, what: string): Int32Array {
  const [n, h, w, c] = set.shape;
  if (set.images.length !== n * h * w * c) throw new Error(`${what}: shape [${set.shape}] needs ${n * h * w * c} pixels, got ${set.images.length}`);
  if (!set.labels) throw new Error(`${what}: the classifier needs labels; this image set has none`);
  if (set.labels.length !== n) throw new Error(`${what}: ${n} images but ${set.labels.length} labels`);
  return set.labels;
}

/** Copies the rows `idx` of a labelled set into a batch of tensors. */
function gatherBatch(set: LabelledImages, labels: Int32Array, idx: ArrayLike<number>): ClassifierBatch {
  const [, h, w, c] = set.shape;
  const size = h * w * c;
  const x = new Float32Array(idx.length * size);
  const y = new Int32Array(idx.length);
  for (let i = 0; i < idx.length; i++) {
    const r = idx[i]!;
    x.set(set.images.subarray(r * size, (r + 1) * size), i * size);
    y[i] = labels[r]!;
  }
  return { x: tf.tensor4d(x, [idx.length, h, w, c]), y: tf.tensor1d(y, 'int32') };
}

/**
 * Shuffled mini-batches of a labelled image set, addressed by (epoch, index) as the Trainer needs:
 * the order of each epoch is a permutation drawn from `seed` and the epoch number.
 *
 * @example
 * ```ts
 * const data = labelledBatches(await loadMnist(), { batchSize: 128, seed: 1 });
 * ```
 */
export function labelledBatches(set: LabelledImages, opts: { batchSize?: number; seed?: number } = {}): DataSource<ClassifierBatch> {
  const labels = checkLabelled(set, 'labelledBatches');
  const n = set.shape[0];
  const batchSize = Math.min(opts.batchSize ?? 128, n);
  const seed = opts.seed ?? 0;
  let cached: { epoch: number; order: Int32Array } | null = null;
  return {
    batchesPerEpoch: Math.floor(n / batchSize),
    batchSize,
    batch(epoch, index) {
      if (!cached || cached.epoch !== epoch) cached = { epoch, order: new Rng(deriveSeed(seed, epoch)).permutation(n) };
      return gatherBatch(set, labels, cached.order.subarray(index * batchSize, (index + 1) * batchSize));
    },
  };
}

/**
 * Accuracy of a classifier on labelled images, in batches.
 *
 * @example
 * ```ts
 * await classifierAccuracy(clf, await loadMnist({ split: 'test' })); // ≥ 0.99 for the mnist preset
 * ```
 */
export async function classifierAccuracy(model: ImageClassifier, set: LabelledImages, opts: { batchSize?: number } = {}): Promise<number> {
  const labels = checkLabelled(set, 'classifierAccuracy');
  const n = set.shape[0];
  const batchSize = opts.batchSize ?? 500;
  const hits: tf.Scalar[] = [];
  for (let start = 0; start < n; start += batchSize) {
    const idx = Array.from({ length: Math.min(batchSize, n - start) }, (_, i) => start + i);
    const batch = gatherBatch(set, labels, idx);
    hits.push(
      tf.tidy(() => {
        const probs = model.predictProba(batch.x);
        return tf.sum(tf.cast(tf.equal(tf.argMax(probs, 1), batch.y), 'float32')) as tf.Scalar;
      }),
    );
    tf.dispose(batch);
  }
  const total = tf.addN(hits);
  const value = (await total.data())[0]! / n;
  tf.dispose([...hits, total]);
  return value;
}

/**
 * Trains the feature-extractor classifier on labelled images with the shared Trainer (Adam,
 * warm-up then cosine decay), measures its test accuracy and optionally saves it as a checkpoint
 * of family `classifier`.
 *
 * @example
 * ```ts
 * import { loadMnist } from '@genloom/datasets';
 * import { directoryCheckpointStore, progressBar } from '@genloom/core/node';
 * const { model, testAccuracy } = await trainImageClassifier(
 *   { train: await loadMnist({ split: 'train' }), test: await loadMnist({ split: 'test' }) },
 *   { epochs: 3, callbacks: [progressBar()], writer: directoryCheckpointStore('runs/classifier').writer },
 * );
 * ```
 */
export async function trainImageClassifier(data: { train: LabelledImages; test?: LabelledImages }, opts: TrainClassifierOptions = {}): Promise<TrainedClassifier> {
  const trainLabels = checkLabelled(data.train, 'trainImageClassifier (train)');
  const [, h, w, c] = data.train.shape;
  if (h !== w) throw new Error(`trainImageClassifier: images must be square, got ${h}×${w}`);
  let numClasses = 0;
  for (const l of trainLabels) numClasses = Math.max(numClasses, l + 1);
  const config = resolveClassifierConfig(
    {
      imageSize: h,
      channels: c,
      numClasses: Math.max(2, numClasses),
      ...(data.train.pixelRange ? { pixelRange: [data.train.pixelRange[0], data.train.pixelRange[1]] as [number, number] } : {}),
      ...opts.config,
    },
    opts.preset ?? 'mnist',
  );
  if (numClasses > config.numClasses) throw new Error(`trainImageClassifier: labels go up to ${numClasses - 1} but the config has numClasses=${config.numClasses}`);
  const seed = opts.seed ?? 0;
  const model = new ImageClassifier(config, seed);
  try {
    const source = labelledBatches(data.train, { batchSize: opts.batchSize ?? 128, seed: deriveSeed(seed, 7) });
    const steps = opts.steps ?? Math.ceil((opts.epochs ?? 2) * source.batchesPerEpoch);
    const lr = opts.lr ?? 2e-3;
    const result = await train(model, source, {
      steps,
      optimizer: { type: 'adam', lr },
      schedule: { type: 'warmup-cosine', lr, warmupSteps: Math.min(200, Math.ceil(steps / 10)), decaySteps: steps, minLr: lr / 50 },
      seed,
      callbacks: opts.callbacks ?? [],
    });
    const testAccuracy = data.test ? await classifierAccuracy(model, data.test) : null;
    if (opts.writer) {
      await saveModel(model, opts.writer, {
        metrics: { ...(testAccuracy !== null ? { testAccuracy } : {}), trainSteps: steps },
        provenance: { seed, steps, ...(opts.dataDescription ? { data: opts.dataDescription } : {}) },
      });
    }
    return { model, testAccuracy, result };
  } catch (err) {
    model.dispose();
    throw err;
  }
}

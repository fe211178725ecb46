import * as tf from '@tensorflow/tfjs';
import { loadMnist } from '@genloom/datasets';
import { evaluateImages, evaluateRealFloor, type EvalReport, type ImageClassifier } from '@genloom/eval';
import { loadOrTrainClassifier } from '@genloom/eval/node';

// One feature extractor per process: the shipped checkpoint, else the user's cache, else trained once.
let mnistClassifier: Promise<ImageClassifier> | null = null;

/**
 * The MNIST classifier whose features and softmax give FID, KID, precision/recall, IS and class
 * coverage (the MNIST-FID convention).
 *
 * @example
 * ```ts
 * const classifier = await mnistFeatureExtractor();
 * ```
 */
export function mnistFeatureExtractor(): Promise<ImageClassifier> {
  mnistClassifier ??= loadOrTrainClassifier({
    name: 'mnist',
    train: async () => ({ train: await loadMnist({ split: 'train' }), test: await loadMnist({ split: 'test' }) }),
    log: (line) => process.stderr.write(`${line}\n`),
  }).then((c) => c.model);
  return mnistClassifier;
}

/** The report's numbers, without the fields that are not metrics. */
function numbers(report: EvalReport): Record<string, number> {
  return Object.fromEntries(Object.entries(report).filter((e): e is [string, number] => typeof e[1] === 'number' && Number.isFinite(e[1])));
}

/**
 * Classifier-based image metrics of generated images (NHWC in [0, 1]) against the MNIST test split:
 * fid, kid, precision, recall, inceptionScore, classCoverage, and conditionalAccuracy when the
 * requested labels are given. Empty for data other than MNIST (no feature extractor for it yet).
 *
 * @example
 * ```ts
 * const metrics = await generatedImageMetrics('mnist', samples, { labels });
 * ```
 */
export async function generatedImageMetrics(data: string, generated: tf.Tensor4D, opts: { labels?: ArrayLike<number> } = {}): Promise<Record<string, number>> {
  if (data !== 'mnist') return {};
  const classifier = await mnistFeatureExtractor();
  const test = await loadMnist({ split: 'test', limit: generated.shape[0] });
  const real = tf.tensor4d(test.images, [test.shape[0], 28, 28, 1]);
  try {
    return numbers(await evaluateImages({ classifier, real, generated, ...(opts.labels ? { requestedLabels: opts.labels } : {}), metrics: { twoSample: false } }));
  } finally {
    real.dispose();
  }
}

/**
 * `genloom eval --real mnist`: the real test split scored against the real train split — the floor
 * (FID, KID) or ceiling (IS, precision, recall) each image metric can reach with this classifier.
 *
 * @example
 * ```ts
 * const floor = await realFloorMetrics('mnist', 10000);
 * ```
 */
export async function realFloorMetrics(data: string, n: number): Promise<Record<string, number>> {
  if (data !== 'mnist') throw new Error(`--real supports mnist (the data set with a feature extractor), got "${data}"`);
  const classifier = await mnistFeatureExtractor();
  const train = await loadMnist({ split: 'train', limit: n });
  const test = await loadMnist({ split: 'test', limit: n });
  const reference = tf.tensor4d(train.images, [train.shape[0], 28, 28, 1]);
  const heldOut = tf.tensor4d(test.images, [test.shape[0], 28, 28, 1]);
  try {
    return numbers(await evaluateRealFloor({ classifier, reference, heldOut, ...(test.labels ? { heldOutLabels: test.labels } : {}) }));
  } finally {
    tf.dispose([reference, heldOut]);
  }
}

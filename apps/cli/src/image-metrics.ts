import * as tf from '@tensorflow/tfjs';
import { loadEmoji, loadMnist, type ImageSet } from '@genloom/datasets';
import { evaluateImages, evaluateRealFloor, type EvalReport, type ImageClassifier } from '@genloom/eval';
import { loadOrTrainClassifier } from '@genloom/eval/node';

/**
 * The built-in data sets with a feature extractor: how to load a split, and how the classifier is
 * trained the first time it is needed (MNIST's ships with @genloom/eval; emoji's is trained once,
 * ≈ 1 minute, and cached).
 */
const EXTRACTORS: Record<string, { load: (split: 'train' | 'test', limit?: number) => Promise<ImageSet>; train?: { preset: string; epochs: number } }> = {
  mnist: { load: (split, limit) => loadMnist({ split, ...(limit !== undefined ? { limit } : {}) }) },
  emoji: { load: async (split, limit) => subset(await loadEmoji({ split }), limit), train: { preset: 'emoji', epochs: 8 } },
};

function subset(set: ImageSet, limit: number | undefined): ImageSet {
  if (limit === undefined || limit >= set.shape[0]) return set;
  const per = set.shape[1] * set.shape[2] * set.shape[3];
  return { ...set, images: set.images.subarray(0, limit * per), shape: [limit, set.shape[1], set.shape[2], set.shape[3]], ...(set.labels ? { labels: set.labels.subarray(0, limit) } : {}) };
}

// One feature extractor per data set and process: the shipped checkpoint, else the user's cache, else trained once.
const extractors = new Map<string, Promise<ImageClassifier>>();

/**
 * The classifier whose features and softmax give FID, KID, precision/recall, IS and class coverage
 * for a built-in data set (`mnist`, `emoji`), or null for data without one.
 *
 * @example
 * ```ts
 * const classifier = await featureExtractor('mnist');
 * ```
 */
export function featureExtractor(data: string): Promise<ImageClassifier> | null {
  const spec = EXTRACTORS[data];
  if (!spec) return null;
  let found = extractors.get(data);
  if (!found) {
    found = loadOrTrainClassifier({
      name: data,
      train: async () => ({ train: await spec.load('train'), test: await spec.load('test') }),
      ...(spec.train ? { trainOptions: { preset: spec.train.preset, epochs: spec.train.epochs } } : {}),
      log: (line) => process.stderr.write(`${line}\n`),
    }).then((c) => c.model);
    extractors.set(data, found);
  }
  return found;
}

/** The report's numbers, without the fields that are not metrics. */
function numbers(report: EvalReport): Record<string, number> {
  return Object.fromEntries(Object.entries(report).filter((e): e is [string, number] => typeof e[1] === 'number' && Number.isFinite(e[1])));
}

/**
 * Classifier-based image metrics of generated images (NHWC in [0, 1]) against the test split of a
 * built-in data set (`mnist`, `emoji`): fid, kid, precision, recall, inceptionScore, classCoverage,
 * and conditionalAccuracy when the requested labels are given. Empty for data without a feature
 * extractor.
 *
 * @example
 * ```ts
 * const metrics = await generatedImageMetrics('mnist', samples, { labels });
 * ```
 */
export async function generatedImageMetrics(data: string, generated: tf.Tensor4D, opts: { labels?: ArrayLike<number> } = {}): Promise<Record<string, number>> {
  const extractor = featureExtractor(data);
  if (!extractor) return {};
  const classifier = await extractor;
  const test = await EXTRACTORS[data]!.load('test', generated.shape[0]);
  const real = tf.tensor4d(test.images, [...test.shape]);
  try {
    return numbers(await evaluateImages({ classifier, real, generated, ...(opts.labels ? { requestedLabels: opts.labels } : {}), metrics: { twoSample: false } }));
  } finally {
    real.dispose();
  }
}

/**
 * `genloom eval --real mnist|emoji`: the real test split scored against the real train split —
 * the floor (FID, KID) or ceiling (IS, precision, recall) each image metric can reach with this
 * classifier.
 *
 * @example
 * ```ts
 * const floor = await realFloorMetrics('mnist', 10000);
 * ```
 */
export async function realFloorMetrics(data: string, n: number): Promise<Record<string, number>> {
  const extractor = featureExtractor(data);
  if (!extractor) throw new Error(`--real supports ${Object.keys(EXTRACTORS).join(', ')} (the data sets with a feature extractor), got "${data}"`);
  const classifier = await extractor;
  const train = await EXTRACTORS[data]!.load('train', n);
  const test = await EXTRACTORS[data]!.load('test', n);
  const reference = tf.tensor4d(train.images, [...train.shape]);
  const heldOut = tf.tensor4d(test.images, [...test.shape]);
  try {
    return numbers(await evaluateRealFloor({ classifier, reference, heldOut, ...(test.labels ? { heldOutLabels: test.labels } : {}) }));
  } finally {
    tf.dispose([reference, heldOut]);
  }
}

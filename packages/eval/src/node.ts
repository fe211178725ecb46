/**
 * Node-only parts of @genloom/eval: the shipped classifier checkpoints and a cache directory, so a
 * user never trains a feature extractor twice. Import from `@genloom/eval/node`.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCheckpoint, type Callback, type CheckpointManifest } from '@genloom/core';
import { directoryCheckpointStore, progressBar } from '@genloom/core/node';
import { ImageClassifier } from './classifier/model.js';
import { evaluateModel, type EvalData, type EvaluateModelOptions, type ModelEvaluation } from './evaluate-model.js';
import { trainImageClassifier, type LabelledImages, type TrainClassifierOptions } from './classifier/train.js';
import './classifier/index.js';

/** Classifiers whose trained checkpoints ship inside this package (under `assets/`). */
export const SHIPPED_CLASSIFIERS = ['mnist'] as const;

/**
 * The directory of a classifier checkpoint shipped with the package, or null when it is not there.
 *
 * @example
 * ```ts
 * shippedClassifierDir('mnist'); // …/node_modules/@genloom/eval/assets/mnist-classifier
 * ```
 */
export function shippedClassifierDir(name: string): string | null {
  const dir = fileURLToPath(new URL(`../assets/${name}-classifier`, import.meta.url));
  return existsSync(join(dir, 'genloom.json')) ? dir : null;
}

/**
 * Where trained classifiers are cached: `$GENLOOM_CACHE_DIR/classifiers`, else
 * `~/.cache/genloom/classifiers`.
 *
 * @example
 * ```ts
 * defaultClassifierCacheDir(); // /home/me/.cache/genloom/classifiers
 * ```
 */
export function defaultClassifierCacheDir(): string {
  const root = process.env.GENLOOM_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'genloom');
  return join(root, 'classifiers');
}

/**
 * Loads a classifier checkpoint from a directory.
 *
 * @example
 * ```ts
 * const clf = await loadClassifier('runs/classifier');
 * ```
 */
export async function loadClassifier(dir: string): Promise<{ model: ImageClassifier; testAccuracy: number | null }> {
  const { model, manifest } = await loadCheckpoint<ImageClassifier>(directoryCheckpointStore(dir).reader, { family: 'classifier' });
  return { model, testAccuracy: manifest.metrics.testAccuracy ?? null };
}

/** Options of {@link loadOrTrainClassifier}. */
export interface LoadOrTrainOptions {
  /** Name of the data set ('mnist', 'emoji', or your own); the cache key. */
  name: string;
  /** Training data, called only when no shipped or cached checkpoint exists. */
  train: () => Promise<{ train: LabelledImages; test?: LabelledImages }> | { train: LabelledImages; test?: LabelledImages };
  /** Cache root (default {@link defaultClassifierCacheDir}). */
  cacheDir?: string;
  /** Use the checkpoint shipped with the package when there is one (default true). */
  useShipped?: boolean;
  /** Options for training (epochs, preset…); a progress bar is shown on a terminal. */
  trainOptions?: Omit<TrainClassifierOptions, 'writer'>;
  /** Called with one line of news: which checkpoint was used, or that training starts. */
  log?: (line: string) => void;
}

/** A loaded classifier and where it came from. */
export interface LoadedClassifier {
  model: ImageClassifier;
  source: 'shipped' | 'cache' | 'trained';
  location: string;
  testAccuracy: number | null;
}

/**
 * The classifier for a data set, from the first place that has it: the checkpoint shipped with the
 * package, the cache directory, or else trained now (with a progress bar) and saved to the cache,
 * so the next call loads it. The caller disposes `model`.
 *
 * @example
 * ```ts
 * import { loadMnist } from '@genloom/datasets';
 * const { model, source } = await loadOrTrainClassifier({
 *   name: 'mnist',
 *   train: async () => ({ train: await loadMnist({ split: 'train' }), test: await loadMnist({ split: 'test' }) }),
 * });
 * ```
 */
export async function loadOrTrainClassifier(opts: LoadOrTrainOptions): Promise<LoadedClassifier> {
  if (!/^[A-Za-z0-9._-]+$/.test(opts.name)) throw new Error(`loadOrTrainClassifier: name must be letters, digits, ".", "_" or "-", got ${JSON.stringify(opts.name)}`);
  const log = opts.log ?? (() => {});
  const shipped = opts.useShipped === false ? null : shippedClassifierDir(opts.name);
  if (shipped) {
    const { model, testAccuracy } = await loadClassifier(shipped);
    log(`classifier "${opts.name}": shipped checkpoint ${shipped}`);
    return { model, source: 'shipped', location: shipped, testAccuracy };
  }
  const dir = join(opts.cacheDir ?? defaultClassifierCacheDir(), opts.name);
  if (existsSync(join(dir, 'genloom.json'))) {
    const { model, testAccuracy } = await loadClassifier(dir);
    log(`classifier "${opts.name}": cached checkpoint ${dir}`);
    return { model, source: 'cache', location: dir, testAccuracy };
  }
  log(`classifier "${opts.name}": no checkpoint yet; training one and caching it in ${dir}`);
  const data = await opts.train();
  const callbacks: Callback[] = [progressBar(), ...(opts.trainOptions?.callbacks ?? [])];
  const { model, testAccuracy } = await trainImageClassifier(data, { ...opts.trainOptions, callbacks, writer: directoryCheckpointStore(dir).writer, dataDescription: opts.trainOptions?.dataDescription ?? opts.name });
  return { model, source: 'trained', location: dir, testAccuracy };
}

/** Options of {@link evaluateCheckpoint}. */
export interface EvaluateCheckpointOptions extends Omit<EvaluateModelOptions, 'classifier'> {
  /**
   * Feature extractor of the image metrics: a classifier, the name of one (shipped with this
   * package, like `'mnist'`, or trained once into the cache, like `'emoji'` after `genloom eval` of
   * an emoji model), or `false` for none. Default: the one named after the data the checkpoint was
   * trained on (its provenance), when there is one.
   */
  classifier?: ImageClassifier | string | false;
  /** Cache of trained classifiers (default {@link defaultClassifierCacheDir}). */
  cacheDir?: string;
}

/** What {@link evaluateCheckpoint} returns: the evaluation, with the checkpoint's family and provenance. */
export interface CheckpointEvaluation extends ModelEvaluation {
  family: string;
  checkpoint: string;
  manifest: CheckpointManifest;
}

/**
 * Loads a checkpoint directory and evaluates it on held-out data with the metrics that fit its
 * family and the data (see `evaluateModel`): the library form of `genloom eval DIR`. Import the
 * family's package first so its checkpoints can be loaded.
 *
 * @example
 * ```ts
 * import '@genloom/gan';
 * import { loadMnist } from '@genloom/datasets';
 * import { evaluateCheckpoint } from '@genloom/eval/node';
 * const test = await loadMnist({ split: 'test' });
 * const x = tf.tensor4d(test.images, [...test.shape]);
 * const { report } = await evaluateCheckpoint('runs/acgan', { x, labels: test.labels });
 * report.fid; report.inceptionScore; report.conditionalAccuracy;
 * ```
 */
export async function evaluateCheckpoint(dir: string, data: EvalData, options: EvaluateCheckpointOptions = {}): Promise<CheckpointEvaluation> {
  const { model, manifest } = await loadCheckpoint(directoryCheckpointStore(dir).reader);
  let owned: ImageClassifier | null = null;
  try {
    let classifier: ImageClassifier | undefined;
    const choice = options.classifier ?? manifest.provenance.data;
    if (choice instanceof ImageClassifier) {
      classifier = choice;
    } else if (typeof choice === 'string' && model.capabilities?.().imageGeneration) {
      const cached = join(options.cacheDir ?? defaultClassifierCacheDir(), choice);
      const dirOf = shippedClassifierDir(choice) ?? (/^[A-Za-z0-9._-]+$/.test(choice) && existsSync(join(cached, 'genloom.json')) ? cached : null);
      if (dirOf) {
        owned = (await loadClassifier(dirOf)).model;
        classifier = owned;
      } else if (options.classifier !== undefined) {
        throw new Error(`evaluateCheckpoint: no classifier "${choice}": none ships with @genloom/eval (${SHIPPED_CLASSIFIERS.join(', ')}) and none is cached in ${cached}; train it with loadOrTrainClassifier or pass a classifier`);
      }
    }
    const { classifier: _classifier, cacheDir: _cacheDir, ...rest } = options;
    const evaluation = await evaluateModel(model, data, { ...rest, ...(classifier ? { classifier } : {}) });
    return { ...evaluation, family: manifest.family, checkpoint: dir, manifest };
  } finally {
    owned?.dispose();
    model.dispose();
  }
}

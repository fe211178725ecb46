import { beforeAll, describe, expect, it } from 'vitest';

import type { ImageSet } from './image-set.js';
import { loadMnist } from './mnist.js';

// Label counts of the official MNIST splits (LeCun et al.), digits 0..9.
const TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949];
const TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009];

function histogram(labels: Int32Array): number[] {
  const counts = new Array<number>(10).fill(0);
  for (const l of labels) counts[l]!++;
  return counts;
}

/** Min, max and mean in one tight pass (47 M values for the training split). */
function range(values: Float32Array): [number, number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
    sum += v;
  }
  return [lo, hi, sum / values.length];
}

describe('loadMnist', () => {
  // Each split is loaded once for the whole file: the training images are 188 MB of float32.
  let train: ImageSet;
  let test: ImageSet;
  beforeAll(async () => {
    [train, test] = await Promise.all([loadMnist({ split: 'train' }), loadMnist({ split: 'test' })]);
  });

  it('loads 60,000 training images of 28×28×1 with the official label histogram', () => {
    expect(train.shape).toEqual([60000, 28, 28, 1]);
    expect(train.images.length).toBe(60000 * 784);
    expect(histogram(train.labels!)).toEqual(TRAIN_COUNTS);
    expect(train.classNames).toHaveLength(10);
  });

  it('loads 10,000 test images with the official label histogram', () => {
    expect(test.shape).toEqual([10000, 28, 28, 1]);
    expect(histogram(test.labels!)).toEqual(TEST_COUNTS);
  });

  it('scales pixels to [0, 1] with the well-known mean of ≈0.1307', () => {
    const [lo, hi, mean] = range(train.images);
    expect(lo).toBe(0);
    expect(hi).toBe(1);
    expect(mean).toBeCloseTo(0.1307, 3);
    expect(train.pixelRange).toEqual([0, 1]);
  });

  it('reads the first training image as a 5', () => {
    expect(train.labels![0]).toBe(5);
    // The centre of a hand-written digit has ink; the corners never do.
    const first = train.images.subarray(0, 784);
    expect(first[0]).toBe(0);
    expect(first.reduce((a, b) => a + b, 0)).toBeGreaterThan(50);
  });

  it('honours limit, normalize and binarize', async () => {
    const small = await loadMnist({ split: 'test', limit: 100, normalize: 'minus-one-one' });
    expect(small.shape).toEqual([100, 28, 28, 1]);
    expect(Array.from(small.labels!)).toEqual(Array.from(test.labels!.subarray(0, 100)));
    const [lo, hi] = range(small.images);
    expect([lo, hi]).toEqual([-1, 1]);
    expect(small.images[300]).toBeCloseTo(test.images[300]! * 2 - 1, 5);

    const binary = await loadMnist({ split: 'test', limit: 50, binarize: 0.5 });
    let mismatches = 0;
    for (let i = 0; i < 50 * 784; i++) if (binary.images[i] !== (test.images[i]! > 0.5 ? 1 : 0)) mismatches++;
    expect(mismatches).toBe(0);

    const raw = await loadMnist({ split: 'test', limit: 1, normalize: 'none' });
    expect(raw.pixelRange).toEqual([0, 255]);
    expect(range(raw.images)[1]).toBe(255);
  });

  it('rejects a bad split name, limit or threshold with a clear message', async () => {
    await expect(loadMnist({ split: 'valid' as never })).rejects.toThrow(/split must be "train" or "test"/);
    await expect(loadMnist({ split: 'test', limit: -1 })).rejects.toThrow(/limit must be a non-negative integer/);
    await expect(loadMnist({ split: 'test', limit: 5, binarize: 2 })).rejects.toThrow(/binarize threshold/);
  });
});

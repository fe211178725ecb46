import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@genloom/core';
import { loadMnist } from '@genloom/datasets';
import { beforeAll, describe, expect, it } from 'vitest';
import { evaluateRealFloor } from '../evaluate.js';
import { loadOrTrainClassifier, shippedClassifierDir } from '../node.js';
import { classifierAccuracy } from './train.js';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('the shipped MNIST classifier', () => {
  it('loads without training and reproduces its recorded test accuracy (99.16%, see assets/mnist-classifier/PROVENANCE.md) on real MNIST', async () => {
    expect(shippedClassifierDir('mnist')).not.toBeNull();
    const { model, source, testAccuracy } = await loadOrTrainClassifier({
      name: 'mnist',
      train: () => {
        throw new Error('the shipped classifier must load without training');
      },
    });
    expect(source).toBe('shipped');
    expect(testAccuracy).toBe(0.9916);
    const test = await loadMnist({ split: 'test', limit: 2000 });
    const train = await loadMnist({ split: 'train', limit: 2000 });
    expect(await classifierAccuracy(model, test)).toBeGreaterThan(0.985);
    // The real-vs-real floor on 2,000 images per side (measured: FID 20.6 — FID's small-sample bias
    // on unnormalised 64-d features; 2.7 at 10k per side —, IS 9.47, precision 0.86, recall 0.85).
    const reference = tf.tensor4d(train.images, [2000, 28, 28, 1]);
    const heldOut = tf.tensor4d(test.images, [2000, 28, 28, 1]);
    const floor = await evaluateRealFloor({ classifier: model, reference, heldOut, heldOutLabels: test.labels!, metrics: { kid: { subsets: 10, subsetSize: 1000 } } });
    expect(floor.inceptionScore!).toBeGreaterThan(9.3);
    expect(floor.classCoverage).toBe(1);
    expect(floor.fid!).toBeLessThan(30);
    expect(floor.precision!).toBeGreaterThan(0.75);
    expect(floor.recall!).toBeGreaterThan(0.75);
    // Mirrored digits are a clearly worse "generator": every metric must say so.
    const mirrored = tf.reverse(heldOut, 2) as tf.Tensor4D;
    const worse = await evaluateRealFloor({ classifier: model, reference, heldOut: mirrored, metrics: { kid: { subsets: 10, subsetSize: 1000 } } });
    expect(worse.fid!).toBeGreaterThan(5 * floor.fid!);
    expect(worse.kid!).toBeGreaterThan(5 * floor.kid! + 3 * worse.kidStd!);
    expect(worse.precision!).toBeLessThan(floor.precision! - 0.2);
    expect(worse.inceptionScore!).toBeLessThan(floor.inceptionScore!);
    tf.dispose([reference, heldOut, mirrored]);
    model.dispose();
  });
});

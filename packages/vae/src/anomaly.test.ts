import * as tf from '@tensorflow/tfjs';
import { initBackend, train } from '@genloom/core';
import { fitStandardizer, imageBatches, loadMnist, loadSensor, selectRows, standardize, tabularBatches } from '@genloom/datasets';
import { beforeAll, describe, expect, it } from 'vitest';
import { createVAE, scoreInBatches, thresholdForRate, type VAE } from './index.js';
import { auroc } from './testing-fixtures/auroc.js';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('thresholdForRate', () => {
  it('leaves at most the given fraction of scores above the threshold', () => {
    const scores = Float32Array.from({ length: 100 }, (_, i) => i);
    expect(thresholdForRate(scores, 0.05)).toBe(94); // 95…99 lie above
    expect(thresholdForRate(scores, 0)).toBe(99);
    expect(() => thresholdForRate(scores, 1)).toThrow(/falsePositiveRate must be in \[0, 1\)/);
    expect(() => thresholdForRate([], 0.1)).toThrow(/no scores/);
  });

  it('the local AUROC helper is right on a hand-made case', () => {
    expect(auroc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBe(0.75);
  });
});

describe('anomaly detection on MNIST with planted anomalies', () => {
  let vae: VAE;
  let normal: tf.Tensor4D; // unseen test digits
  let calibration: tf.Tensor4D; // other unseen digits, for the threshold

  beforeAll(async () => {
    const trainSet = await loadMnist({ split: 'train', limit: 4096 });
    const testSet = await loadMnist({ split: 'test', limit: 400 });
    normal = tf.tensor4d(testSet.images.subarray(0, 200 * 784), [200, 28, 28, 1]);
    calibration = tf.tensor4d(testSet.images.subarray(200 * 784), [200, 28, 28, 1]);
    vae = createVAE({ hiddenDims: [128], latentDim: 8 }, 1);
    await train(vae, imageBatches(trainSet, { batchSize: 64, seed: 1 }), { steps: 250, optimizer: { type: 'adam', lr: 2e-3 }, seed: 1 });
  });

  // Three kinds of planted anomaly, each made from the same unseen digits.
  const plant: Record<string, (x: tf.Tensor4D) => tf.Tensor4D> = {
    'inverted digits': (x) => tf.sub(1, x),
    'digits with a pasted 10×10 block': (x) => tf.maximum(x, tf.pad(tf.ones([x.shape[0], 10, 10, 1]), [[0, 0], [4, 14], [14, 4], [0, 0]])),
    'uniform noise': (x) => tf.randomUniform(x.shape, 0, 1, 'float32', 5),
  };

  for (const [name, make] of Object.entries(plant)) {
    it(`ranks ${name} above normal digits (AUROC > 0.95)`, async () => {
      const anomalies = tf.tidy(() => make(normal));
      const all = tf.concat([normal, anomalies]);
      const labels = [...new Array<number>(200).fill(0), ...new Array<number>(200).fill(1)];
      for (const method of ['negElbo', 'reconstruction'] as const) {
        const scores = await scoreInBatches(vae, all, { method, batchSize: 128 });
        expect(auroc(scores, labels), `${method} AUROC`).toBeGreaterThan(0.95);
      }
      tf.dispose([anomalies, all]);
    });
  }

  it('a threshold calibrated at 5% false positives flags the planted anomalies and few normal digits', async () => {
    const detector = await vae.calibrateThreshold(calibration, { falsePositiveRate: 0.05 });
    expect(detector.calibration.count).toBe(200);
    expect(detector.calibration.observedFalsePositiveRate).toBeLessThanOrEqual(0.05);
    const normalFlags = await detector.isAnomaly(normal);
    expect(normalFlags.filter(Boolean).length / 200).toBeLessThan(0.15); // unseen normal digits: ≈5% expected
    const inverted = tf.sub(1, normal);
    const flags = await detector.isAnomaly(inverted);
    expect(flags.filter(Boolean).length / 200).toBeGreaterThan(0.95);
    inverted.dispose();
  });
});

describe('anomaly detection on the labelled sensor-network set', () => {
  it('a Gaussian VAE trained on normal readings ranks the real anomalies high (AUROC > 0.85)', async () => {
    const trainSet = await loadSensor({ split: 'train' });
    const testSet = await loadSensor({ split: 'test' });
    const normalRows = Array.from(trainSet.labels.keys()).filter((i) => trainSet.labels[i] === 0);
    const normal = selectRows(trainSet, normalRows);
    const st = fitStandardizer(normal.features, 2); // fitted on normal training readings only
    const vae = createVAE({ inputShape: [2], hiddenDims: [64], latentDim: 1, likelihood: 'gaussian', gaussianVariance: 'learned' }, 1);
    await train(vae, tabularBatches({ ...normal, features: standardize(normal.features, st) }, { batchSize: 128, seed: 1 }), {
      epochs: 5,
      optimizer: { type: 'adam', lr: 3e-3 },
      seed: 1,
    });
    const x = tf.tensor2d(standardize(testSet.features, st), [testSet.shape[0], 2]);
    const scores = await scoreInBatches(vae, x, { method: 'negElbo', samples: 8 });
    const anomalies = testSet.labels.filter((l) => l === 1).length;
    expect(anomalies).toBeGreaterThan(10);
    expect(auroc(scores, testSet.labels)).toBeGreaterThan(0.85);
    x.dispose();
    vae.dispose();
  });
});

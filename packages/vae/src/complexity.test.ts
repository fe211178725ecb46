import * as tf from '@tensorflow/tfjs';
import { initBackend, train } from '@genloom/core';
import { imageBatches, loadMnist, selectImages } from '@genloom/datasets';
import { beforeAll, describe, expect, it } from 'vitest';
import { complexityBits, complexitySlope, createVAE, removeComplexity, scoreInBatches } from './index.js';
import { auroc } from './testing-fixtures/auroc.js';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('complexityBits', () => {
  it('a blank image compresses far better than noise, and a stroke lies between', async () => {
    const blank = tf.zeros([1, 28, 28, 1]);
    const stroke = tf.tidy(() => tf.pad(tf.ones([1, 20, 3, 1]), [[0, 0], [4, 4], [12, 13], [0, 0]]));
    const noise = tf.randomUniform([1, 28, 28, 1], 0, 1, 'float32', 3);
    const [b, s, n] = await Promise.all([blank, stroke, noise].map(async (x) => (await complexityBits(x))[0]!));
    expect(b).toBeLessThan(s!);
    expect(s).toBeLessThan(n!);
    expect(n).toBeGreaterThan(0.9 * 784 * 8); // incompressible: about 8 bits a pixel
    tf.dispose([blank, stroke, noise]);
  });

  it('rejects values outside [0, 1] and tensors without a batch axis', async () => {
    const bad = tf.tensor2d([[0, 2]]);
    await expect(complexityBits(bad)).rejects.toThrow(/values must lie in \[0, 1\] \(images\), got 2 at example 0/);
    const flat = tf.tensor1d([0, 1]);
    await expect(complexityBits(flat)).rejects.toThrow(/must be \[N, …\]/);
    tf.dispose([bad, flat]);
  });
});

describe('complexitySlope', () => {
  it('is the least-squares slope', () => {
    expect(complexitySlope([3, 5, 7], [10, 20, 30])).toBeCloseTo(0.2, 12);
    // y = 1 + 0.5 x plus residuals orthogonal to x: the slope stays 0.5
    expect(complexitySlope([1.5 + 1, 2 - 2, 2.5 + 1], [1, 2, 3])).toBeCloseTo(0.5, 12);
  });

  it('removeComplexity subtracts slope × bits per example', () => {
    expect(Array.from(removeComplexity(Float32Array.from([3, 5]), [10, 20], 0.2))).toEqual([1, 1]);
    expect(() => removeComplexity(Float32Array.from([3]), [1, 2], 0.2)).toThrow(/1 scores but 2 complexities/);
  });

  it('names what is wrong', () => {
    expect(() => complexitySlope([1, 2], [1])).toThrow(/2 scores but 1 complexities/);
    expect(() => complexitySlope([1], [1])).toThrow(/at least 2 examples/);
    expect(() => complexitySlope([1, 2], [3, 3])).toThrow(/same complexity/);
  });
});

describe('one-class MNIST: a VAE trained on eights', () => {
  it('ranks the other digits better once the complexity of each image is regressed out', async () => {
    const trainSet = await loadMnist({ split: 'train', limit: 12000 });
    const testSet = await loadMnist({ split: 'test', limit: 2000 });
    const eights = selectImages(trainSet, Array.from(trainSet.labels!.keys()).filter((i) => trainSet.labels![i] === 8));
    const vae = createVAE({ hiddenDims: [200], latentDim: 10 }, 1);
    await train(vae, imageBatches(eights, { batchSize: 64, seed: 1 }), { steps: 300, optimizer: { type: 'adam', lr: 2e-3 }, seed: 1 });
    const xNormal = tf.tensor4d(eights.images, [...eights.shape]);
    const xTest = tf.tensor4d(testSet.images, [...testSet.shape]);
    const labels = Int32Array.from(testSet.labels!, (l) => (l === 8 ? 0 : 1));

    const raw = auroc(await scoreInBatches(vae, xTest, { samples: 2 }), labels);
    const detector = await vae.calibrateThreshold(xNormal, { complexity: true, samples: 2 });
    const corrected = auroc(await detector.scores(xTest), labels);
    expect(detector.calibration.complexitySlope).toBeGreaterThan(0); // more complex eights score worse
    expect(corrected).toBeGreaterThan(raw + 0.04);
    tf.dispose([xNormal, xTest]);
    vae.dispose();
  });
});

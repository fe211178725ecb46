import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { deriveSeed, initBackend, loadCheckpoint, memoryCheckpointStore, saveModel } from '@genloom/core';
import { runContractSuite } from '@genloom/core/testing';
import { loadMnist } from '@genloom/datasets';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadOrTrainClassifier } from '../node.js';
import { classifierAccuracy, ImageClassifier, labelledBatches, resolveClassifierConfig, trainImageClassifier, type LabelledImages } from './index.js';

let train: LabelledImages;
let test: LabelledImages;

beforeAll(async () => {
  await initBackend('wasm');
  train = await loadMnist({ split: 'train', limit: 3000 });
  test = await loadMnist({ split: 'test', limit: 500 });
});

runContractSuite<ImageClassifier>({
  family: 'classifier',
  data: async () => labelledBatches(await loadMnist({ split: 'train', limit: 512 }), { batchSize: 32, seed: 1 }),
  steps: 40,
  generate: async (model, seed) => {
    // A classifier generates nothing; its deterministic output for seeded inputs stands in.
    const x = tf.randomUniform([2, 28, 28, 1], 0, 1, 'float32', deriveSeed(seed, 1)) as tf.Tensor4D;
    const p = model.predictProba(x);
    const out = await p.data();
    tf.dispose([x, p]);
    return out;
  },
});

describe('image classifier', () => {
  it('validates its config, naming the field', () => {
    expect(() => resolveClassifierConfig({ stageChannels: [] })).toThrow(/stageChannels must be a non-empty array/);
    expect(() => resolveClassifierConfig({ numClasses: 1 })).toThrow(/numClasses must be an integer ≥ 2, got 1/);
    expect(() => resolveClassifierConfig({ dropout: 1 })).toThrow(/dropout must be in \[0, 1\)/);
    expect(() => resolveClassifierConfig({}, 'huge')).toThrow(/Unknown classifier preset "huge"/);
    expect(resolveClassifierConfig({}, 'mnist').featureDim).toBe(64);
  });

  it('learns MNIST digits from 3,000 images (tiny preset) and gives features and probabilities', async () => {
    const { model, testAccuracy, result } = await trainImageClassifier({ train, test }, { preset: 'tiny', epochs: 3, batchSize: 64, lr: 5e-3, seed: 1 });
    const losses = result.history.map((h) => h.losses.loss!);
    expect(losses.slice(-10).reduce((a, b) => a + b) / 10).toBeLessThan(losses.slice(0, 10).reduce((a, b) => a + b) / 10 / 3);
    expect(testAccuracy!).toBeGreaterThan(0.85);
    const x = tf.tensor4d(test.images.subarray(0, 20 * 784), [20, 28, 28, 1]);
    const before = tf.memory().numTensors;
    const feats = model.features(x, { batchSize: 8 });
    const probs = model.predictProba(x, { batchSize: 8 });
    const both = model.featuresAndProba(x);
    expect(feats.shape).toEqual([20, 16]);
    expect(probs.shape).toEqual([20, 10]);
    expect(Array.from(await both.features.data())).toEqual(Array.from(await feats.data()));
    const sums = tf.sum(probs, 1);
    for (const s of await sums.data()) expect(s).toBeCloseTo(1, 5);
    tf.dispose([feats, probs, both.features, both.probs, sums]);
    expect(tf.memory().numTensors).toBe(before);
    expect(() => model.features(tf.zeros([1, 32, 32, 1]) as tf.Tensor4D)).toThrow(/expects images of shape \[N, 28, 28, 1\]/);
    // save → load through core checkpoints gives the same accuracy.
    const store = memoryCheckpointStore();
    await saveModel(model, store.writer, { metrics: { testAccuracy: testAccuracy! } });
    const { model: loaded, manifest } = await loadCheckpoint<ImageClassifier>(store.reader, { family: 'classifier' });
    expect(manifest.metrics.testAccuracy).toBe(testAccuracy);
    expect(await classifierAccuracy(loaded, test)).toBe(testAccuracy);
    tf.dispose(x);
    model.dispose();
    loaded.dispose();
  });

  it('trains once and then loads from the cache directory', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'genloom-clf-'));
    try {
      let calls = 0;
      const data = () => {
        calls++;
        return { train: { ...train, shape: [500, 28, 28, 1] as const, images: train.images.subarray(0, 500 * 784), labels: train.labels!.subarray(0, 500) }, test };
      };
      const first = await loadOrTrainClassifier({ name: 'mnist-test', cacheDir, train: data, useShipped: false, trainOptions: { preset: 'tiny', steps: 20 } });
      expect(first.source).toBe('trained');
      const second = await loadOrTrainClassifier({ name: 'mnist-test', cacheDir, train: data, useShipped: false });
      expect(second.source).toBe('cache');
      expect(calls).toBe(1);
      expect(second.testAccuracy).toBe(first.testAccuracy);
      const x = tf.tensor4d(test.images.subarray(0, 4 * 784), [4, 28, 28, 1]);
      const [a, b] = [first.model.features(x), second.model.features(x)];
      expect(Array.from(await b.data())).toEqual(Array.from(await a.data()));
      tf.dispose([x, a, b]);
      first.model.dispose();
      second.model.dispose();
      await expect(loadOrTrainClassifier({ name: '../x', cacheDir, train: data })).rejects.toThrow(/name must be letters/);
    } finally {
      rmSync(cacheDir, { recursive: true, force: true });
    }
  });
});

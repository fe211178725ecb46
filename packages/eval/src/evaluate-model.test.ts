import * as tf from '@tensorflow/tfjs';
import { initBackend, type GenerativeModel, type ModelCapabilities } from '@genloom/core';
import { loadMnist } from '@genloom/datasets';
import { beforeAll, describe, expect, it } from 'vitest';
import { evaluateModel } from './evaluate-model.js';
import { loadClassifier, shippedClassifierDir } from './node.js';

beforeAll(async () => {
  await initBackend('wasm');
});

/** A stand-in model with only the capabilities a test gives it (the families' own are tested in their packages and the CLI). */
function modelWith(capabilities: ModelCapabilities, family = 'fake'): GenerativeModel {
  return {
    family,
    config: {},
    trainStep: () => ({}),
    namedParameters: () => [],
    getWeights: () => ({}),
    setWeights: () => {},
    dispose: () => {},
    capabilities: () => capabilities,
  };
}

describe('evaluateModel', () => {
  it('likelihood: −ELBO, importance-weighted NLL, bits/dim and the anomaly ranking of −ELBO, as computed by hand', async () => {
    const x = tf.zeros([4, 2]);
    const seen: number[] = [];
    const model = modelWith({
      likelihood: {
        dims: 2,
        elbo: async () => Float32Array.from([-1, -2, -3, -4]),
        logLikelihood: async (sub, o) => {
          seen.push(sub.shape[0]!, o.samples);
          return Float32Array.from([-0.5, -1.5, -2.5]);
        },
      },
    });
    const { report, used, counts } = await evaluateModel(model, { x, anomalyLabels: [0, 0, 1, 1] }, { importanceSamples: 7, importanceExamples: 3 });
    expect(used).toEqual(['likelihood']);
    expect(seen).toEqual([3, 7]); // the first 3 examples, 7 samples each
    expect(report.negElbo).toBeCloseTo(2.5, 6);
    expect(report.nll).toBeCloseTo(1.5, 6);
    expect(report.bitsPerDim).toBeCloseTo(1.5 / (2 * Math.LN2), 6);
    expect(report.auroc).toBe(1); // scores 1..4, the two largest are the anomalies
    expect(report.averagePrecision).toBe(1);
    expect(counts).toMatchObject({ examples: 4, importanceExamples: 3, importanceSamples: 7 });
    x.dispose();
  });

  it('text: perplexity per token and bits per character from the scored totals', async () => {
    const model = modelWith({ textScoring: { score: async () => ({ nats: 10, tokens: 5, characters: 10 }) } });
    const { report } = await evaluateModel(model, { text: 'any held-out text' });
    expect(report.perplexity).toBeCloseTo(Math.exp(2), 6);
    expect(report.bpc).toBeCloseTo(1 / Math.LN2, 6);
  });

  it('pairs: a perfect translator scores BLEU 100 and no errors; pairs that do not fit are skipped and counted', async () => {
    const pairs = [
      { source: 'the cat sat on the mat', target: 'the cat sat on the mat' },
      { source: 'a dog ran in the park today', target: 'a dog ran in the park today' },
      { source: 'far too long to fit', target: 'x' },
    ];
    const echo = modelWith({ translation: { output: 'text', fits: (s) => s.length < 30 && !s.startsWith('far'), translate: async (sources) => [...sources] } });
    const { report, counts } = await evaluateModel(echo, { pairs });
    expect(report.bleu).toBeCloseTo(100, 6);
    expect(report.chrf).toBeCloseTo(100, 6);
    expect([report.cer, report.wer]).toEqual([0, 0]);
    expect(counts).toEqual({ pairs: 2, skippedPairs: 1 });

    // g2p: one phoneme of four wrong in one word of two → PER 1/7, WER 1/2.
    const g2p = modelWith({ translation: { output: 'phonemes', fits: () => true, translate: async () => ['HH AH0 L OW1', 'K AE1 T'] } });
    const phon = await evaluateModel(g2p, { pairs: [{ source: 'hello', target: 'HH EH0 L OW1' }, { source: 'cat', target: 'K AE1 T' }] });
    expect(phon.report.per).toBeCloseTo(1 / 7, 6);
    expect(phon.report.wer).toBe(0.5);
  });

  it('images: a "generator" that returns real digits of the requested classes scores near the real floor, with the shipped classifier', async () => {
    const test = await loadMnist({ split: 'test', limit: 1200 });
    const real = tf.tensor4d(test.images.subarray(0, 600 * 784), [600, 28, 28, 1]);
    // The pool the generator draws from: the other 600 images, indexed by label.
    const byLabel: number[][] = Array.from({ length: 10 }, () => []);
    for (let i = 600; i < 1200; i++) byLabel[test.labels![i]!]!.push(i);
    const requestedSeen: number[] = [];
    const generator = modelWith({
      imageGeneration: {
        imageShape: [28, 28, 1],
        numClasses: 10,
        generate: async (n, o) => {
          const labels = Array.from(o.labels!);
          requestedSeen.push(...labels.slice(0, 12));
          const rows = labels.map((l, i) => byLabel[l]![i % byLabel[l]!.length]!);
          const pixels = new Float32Array(n * 784);
          rows.forEach((r, i) => pixels.set(test.images.subarray(r * 784, (r + 1) * 784), i * 784));
          return tf.tensor4d(pixels, [n, 28, 28, 1]);
        },
      },
    });
    const classifier = (await loadClassifier(shippedClassifierDir('mnist')!)).model;
    const before = tf.memory().numTensors;
    const { report, used, counts } = await evaluateModel(generator, { x: real, labels: test.labels!.subarray(0, 600) }, { classifier, samples: 400, imageMetrics: { kid: false } });
    expect(tf.memory().numTensors).toBe(before);
    expect(used).toEqual(['imageGeneration']);
    expect(requestedSeen).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]); // labels cycle through the classes
    expect(counts).toEqual({ generated: 400, realImages: 600 });
    expect(report.conditionalAccuracy).toBeGreaterThan(0.97); // the classifier's own accuracy on real digits
    expect(report.classCoverage).toBe(1);
    expect(report.inceptionScore).toBeGreaterThan(8.5);
    expect(report.precision).toBeGreaterThan(0.7);
    expect(report.fid).toBeLessThan(60); // small-sample FID of real vs real (≈20 at 2,000 per side)

    // Without a classifier there are no image metrics, and nothing else fits: a clear error.
    await expect(evaluateModel(generator, { x: real })).rejects.toThrow(/offers imageGeneration; none of them fits examples data \(imageGeneration: no classifier/);
    // Images of another shape are refused, naming both shapes.
    const small = tf.zeros([3, 14, 14, 1]);
    await expect(evaluateModel(generator, { x: small }, { classifier })).rejects.toThrow(/makes images of shape \[28,28,1\], the data has \[14,14,1\]/);
    tf.dispose([real, small]);
    classifier.dispose();
  });

  it('refuses data that fits none of the capabilities, naming them', async () => {
    const lm = modelWith({ textScoring: { score: async () => ({ nats: 1, tokens: 1, characters: 1 }) } }, 'rnn-lm');
    await expect(evaluateModel(lm, { pairs: [{ source: 'a', target: 'b' }] })).rejects.toThrow('the "rnn-lm" model offers textScoring; none of them fits pairs data');
    const bare = modelWith({}, 'mystery');
    const x = tf.zeros([2, 2]);
    await expect(evaluateModel(bare, { x })).rejects.toThrow('offers no evaluation capabilities');
    await expect(evaluateModel(modelWith({ likelihood: { dims: 2, elbo: async () => new Float32Array(2) } }), { x, labels: [1] })).rejects.toThrow('2 examples but 1 labels');
    x.dispose();
  });
});

import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@genloom/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ImageClassifier, resolveClassifierConfig } from './classifier/index.js';
import { evaluate, evaluateRealFloor, formatReport } from './evaluate.js';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('evaluate', () => {
  it('image reports have the metric keys; a set scored against itself sits at the floor', async () => {
    const clf = new ImageClassifier(resolveClassifierConfig({}, 'tiny'), 3);
    const images = tf.randomUniform([60, 28, 28, 1], 0, 1, 'float32', 4) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    const report = await evaluate({ modality: 'image', classifier: clf, real: images, generated: images, requestedLabels: new Array(60).fill(0), metrics: { kid: { subsets: 5, subsetSize: 30 }, twoSample: { steps: 20 } } });
    expect(Object.keys(report).sort()).toEqual(
      ['c2stAccuracy', 'classCoverage', 'conditionalAccuracy', 'fid', 'inceptionScore', 'inceptionScoreStd', 'kid', 'kidStd', 'modes', 'precision', 'recall'].sort(),
    );
    expect(report.fid).toBeLessThan(1e-6);
    expect([report.precision, report.recall]).toEqual([1, 1]);
    const floor = await evaluateRealFloor({ classifier: clf, reference: images, heldOut: images, heldOutLabels: new Array(60).fill(1), metrics: { kid: false, precisionRecall: false } });
    expect(floor.accuracy).toBeDefined();
    expect(floor.conditionalAccuracy).toBeUndefined();
    expect(floor.kid).toBeUndefined();
    expect(tf.memory().numTensors).toBe(before);
    images.dispose();
    clf.dispose();
  });

  it('likelihood, text and anomaly reports', async () => {
    expect(await evaluate({ modality: 'likelihood', elbos: [-100, -102], logLikelihoods: [-95, -97], dims: 784 })).toEqual({ negElbo: 101, nll: 96, bitsPerDim: 96 / (784 * Math.LN2) });
    const text = await evaluate({
      modality: 'text',
      meanNllPerChar: Math.LN2,
      meanNllPerToken: Math.log(4),
      phonemes: { references: ['HH AH0 L OW1', 'K AE1 T'], hypotheses: ['HH EH1 L OW1', 'K AE1 T'] },
    });
    expect(text.bpc).toBeCloseTo(1, 12);
    expect(text.perplexity).toBeCloseTo(4, 12);
    expect(text.per).toBeCloseTo(1 / 7, 12);
    expect(text.wer).toBe(0.5);
    const mt = await evaluate({ modality: 'text', translations: { hypotheses: ['the cat sat on the mat'], references: [['the cat sat on the mat']] } });
    expect(mt.bleu).toBeCloseTo(100, 10);
    expect([mt.chrf, mt.cer, mt.wer]).toEqual([100, 0, 0]);
    expect(await evaluate({ modality: 'anomaly', scores: [0.1, 0.4, 0.35, 0.8], labels: [0, 0, 1, 1] })).toEqual({ auroc: 0.75, averagePrecision: 0.5 + 0.5 * (2 / 3) });
    await expect(evaluate({ modality: 'audio' } as never)).rejects.toThrow(/unknown modality "audio"/);
    expect(formatReport({ fid: 1.23456, modes: 10 })).toBe('FID ↓        1.235\nmodes found  10');
  });
});

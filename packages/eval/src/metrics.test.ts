import { describe, expect, it } from 'vitest';
import { auroc, averagePrecision, precisionAtK, thresholdAtFpr } from './anomaly.js';
import { bitsPerCharacter, bitsPerDim, importanceWeightedBound, logMeanExp, logSumExp, nllNats, perplexity } from './likelihood.js';

describe('anomaly metrics', () => {
  const scores = [0.1, 0.4, 0.35, 0.8];
  const labels = [0, 0, 1, 1];

  it('AUROC on a hand-computed example and with ties counted as one half', () => {
    // Positive/negative pairs: (0.35 > 0.1) (0.35 < 0.4) (0.8 > 0.1) (0.8 > 0.4) → 3/4.
    expect(auroc(scores, labels)).toBe(0.75);
    // One tie between a positive and a negative: pairs 1 + 1 + 1 + ½ over 4.
    expect(auroc([1, 2, 2, 3], [0, 0, 1, 1])).toBe(3.5 / 4);
    expect(auroc([5, 5, 5, 5], [0, 1, 0, 1])).toBe(0.5);
    expect(auroc([1, 2, 3], [true, false, false])).toBe(0);
    expect(() => auroc([1, 2], [1, 1])).toThrow(/both classes/);
    expect(() => auroc([1, 2], [1, 2])).toThrow(/label 1 is 2/);
  });

  it('average precision, precision@k and a threshold at a target false-positive rate', () => {
    // Ranked 0.8(+) 0.4(−) 0.35(+) 0.1(−): AP = ½·1 + ½·⅔.
    expect(averagePrecision(scores, labels)).toBeCloseTo(0.5 + 0.5 * (2 / 3), 12);
    // Tied scores form one threshold: both examples enter together, precision ½ at recall 1.
    expect(averagePrecision([1, 1], [1, 0])).toBe(0.5);
    expect(precisionAtK(scores, labels, 1)).toBe(1);
    expect(precisionAtK(scores, labels, 2)).toBe(0.5);
    // Negatives score 0.1 and 0.4: FPR 0 is reached above 0.4, so the lowest such threshold is 0.8.
    expect(thresholdAtFpr(scores, labels, 0)).toEqual({ threshold: 0.8, fpr: 0, tpr: 0.5 });
    expect(thresholdAtFpr(scores, labels, 0.5)).toEqual({ threshold: 0.35, fpr: 0.5, tpr: 1 });
    expect(thresholdAtFpr([3, 3, 1], [1, 0, 0], 0.4)).toEqual({ threshold: Infinity, fpr: 0, tpr: 0 });
  });
});

describe('likelihood metrics', () => {
  it('log-sum-exp and log-mean-exp are exact and stable', () => {
    expect(logSumExp([1000, 1000])).toBeCloseTo(1000 + Math.LN2, 10);
    expect(logMeanExp([Math.log(1), Math.log(3)])).toBeCloseTo(Math.log(2), 12);
    expect(logMeanExp([-1e4, -1e4])).toBeCloseTo(-1e4, 8);
  });

  it('the importance-weighted bound is the log of the mean weight and lies between the ELBO and the max', () => {
    const w = [[Math.log(0.1), Math.log(0.3)], [Math.log(2), Math.log(2)]];
    const { perExample, mean } = importanceWeightedBound(w);
    expect(perExample[0]).toBeCloseTo(Math.log(0.2), 12);
    expect(perExample[1]).toBeCloseTo(Math.log(2), 12);
    expect(mean).toBeCloseTo((Math.log(0.2) + Math.log(2)) / 2, 12);
    const elbo = (Math.log(0.1) + Math.log(0.3)) / 2;
    expect(perExample[0]!).toBeGreaterThan(elbo);
  });

  it('NLL, bits per dimension, perplexity and bits per character', () => {
    expect(nllNats([-80, -90])).toBe(85);
    expect(bitsPerDim(784 * Math.LN2, 784)).toBeCloseTo(1, 12);
    // A uniform density on [0,1)^D of pixels/256 has NLL 0 nats and must come out at 8 bits/dim.
    expect(bitsPerDim(0, 3072, { dataScale: 256 })).toBeCloseTo(8, 12);
    expect(perplexity(Math.log(50))).toBeCloseTo(50, 10);
    expect(bitsPerCharacter(Math.LN2 * 1.5)).toBeCloseTo(1.5, 12);
    expect(() => nllNats([NaN])).toThrow(/value 0 is NaN/);
  });
});

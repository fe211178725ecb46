import { describe, expect, it } from 'vitest';
import { Rng } from '../rng.js';
import { argmax, logSoftmax, softmax } from './logits.js';
import { TokenSampler, applyRepetitionPenalty, processLogits, sampleToken } from './sampling.js';
import type { SamplingOptions } from './sampling.js';

function randomLogits(rng: Rng, n: number, scale = 3): Float32Array {
  return Float32Array.from({ length: n }, () => rng.normal() * scale);
}

/** Ids ordered by logit, largest first (ties: lower id first). */
function ranked(logits: ArrayLike<number>): number[] {
  return Array.from({ length: logits.length }, (_, i) => i).sort((a, b) => logits[b]! - logits[a]! || a - b);
}

function draw(logits: Float32Array, options: SamplingOptions, n: number, seed: number): number[] {
  const rng = new Rng(seed);
  const counts = new Array<number>(logits.length).fill(0);
  for (let i = 0; i < n; i++) counts[sampleToken(logits, options, rng)]!++;
  return counts;
}

describe('softmax and logSoftmax', () => {
  it('give a stable distribution and its logarithm', () => {
    const p = softmax(new Float32Array([0, Math.log(3)]));
    expect(p[0]).toBeCloseTo(0.25, 6);
    expect(p[1]).toBeCloseTo(0.75, 6);
    const big = logSoftmax(new Float32Array([1000, 1000, -Infinity]));
    expect(big[0]).toBeCloseTo(-Math.LN2, 6);
    expect(big[2]).toBe(-Infinity);
    const x = randomLogits(new Rng(1), 50);
    const q = softmax(x), lq = logSoftmax(x);
    expect(q.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 5);
    for (let i = 0; i < x.length; i++) expect(lq[i]).toBeCloseTo(Math.log(q[i]!), 4);
  });

  it('reject NaN, +Infinity, empty and all-masked logits, naming the problem', () => {
    expect(() => softmax(new Float32Array([0, NaN, 1]))).toThrow(/logit 1 is NaN/);
    expect(() => logSoftmax(new Float32Array([Infinity]))).toThrow(/logit 0 is \+Infinity/);
    expect(() => softmax(new Float32Array([]))).toThrow(/logits are empty/);
    expect(() => argmax(new Float32Array([-Infinity, -Infinity]))).toThrow(/all 2 logits are -Infinity/);
  });
});

describe('sampleToken', () => {
  it('is argmax when greedy (temperature 0) and draws no random number', () => {
    const rng = new Rng(4);
    for (let t = 0; t < 50; t++) {
      const x = randomLogits(rng, 100);
      const state = rng.getState();
      expect(sampleToken(x, { temperature: 0 }, rng)).toBe(argmax(x));
      expect(rng.getState()).toEqual(state);
    }
  });

  it('approaches greedy as the temperature goes to 0', () => {
    const rng = new Rng(6);
    for (let t = 0; t < 200; t++) {
      const x = randomLogits(rng, 64);
      expect(sampleToken(x, { temperature: 1e-6 }, rng)).toBe(argmax(x));
    }
  });

  it('matches softmax frequencies at temperature 1 (chi-square test)', () => {
    const x = randomLogits(new Rng(2), 10, 1);
    const p = softmax(x);
    const n = 100_000;
    const counts = draw(x, {}, n, 8);
    let chi2 = 0;
    for (let i = 0; i < x.length; i++) chi2 += (counts[i]! - n * p[i]!) ** 2 / (n * p[i]!);
    expect(chi2).toBeLessThan(27.88); // χ²(9 dof) at p = 0.001
  });

  it('flattens with a high temperature and sharpens with a low one', () => {
    const x = new Float32Array([2, 1, 0]);
    const hot = draw(x, { temperature: 5 }, 20_000, 1);
    const cold = draw(x, { temperature: 0.3 }, 20_000, 1);
    expect(hot[2]! / 20_000).toBeGreaterThan(0.25);
    expect(cold[2]! / 20_000).toBeLessThan(0.01);
  });

  it('never returns a token outside the k best with top-k', () => {
    const rng = new Rng(12);
    for (let t = 0; t < 30; t++) {
      const x = randomLogits(rng, 200, 0.5);
      const k = 1 + rng.int(10);
      const best = new Set(ranked(x).slice(0, k));
      for (let i = 0; i < 200; i++) expect(best.has(sampleToken(x, { topK: k }, rng))).toBe(true);
    }
    expect(draw(new Float32Array([0, 0, 0, 0]), { topK: 2 }, 1000, 1).slice(2)).toEqual([0, 0]); // ties: lower ids
  });

  it('keeps the smallest set with mass >= p with top-p', () => {
    const x = Float32Array.from([0.5, 0.3, 0.15, 0.05].map(Math.log));
    const kept = (p: number): number[] => Array.from(processLogits(x, { topP: p })).flatMap((v, i) => (v > -Infinity ? [i] : []));
    expect(kept(0.5)).toEqual([0]);
    expect(kept(0.8)).toEqual([0, 1]);
    expect(kept(0.81)).toEqual([0, 1, 2]);
    expect(kept(1)).toEqual([0, 1, 2, 3]);
    const rng = new Rng(13);
    for (let t = 0; t < 100; t++) {
      const y = randomLogits(rng, 50);
      const topP = 0.05 + 0.9 * rng.float();
      const p = softmax(y);
      const set = Array.from(processLogits(y, { topP })).flatMap((v, i) => (v > -Infinity ? [i] : []));
      const order = ranked(y);
      expect(new Set(set)).toEqual(new Set(order.slice(0, set.length))); // the most likely ones
      const mass = set.reduce((s, i) => s + p[i]!, 0);
      expect(mass).toBeGreaterThanOrEqual(topP - 1e-6);
      expect(mass - p[order[set.length - 1]!]!).toBeLessThan(topP); // one fewer would not reach p
      for (let i = 0; i < 20; i++) expect(set).toContain(sampleToken(y, { topP }, rng));
    }
  });

  it('keeps tokens at least minP times as likely as the best with min-p', () => {
    const x = Float32Array.from([0.5, 0.3, 0.15, 0.05].map(Math.log));
    const out = processLogits(x, { minP: 0.25 }); // threshold 0.25 × 0.5 = 0.125: keep 0.5, 0.3, 0.15
    expect(Array.from(out).map((v) => v > -Infinity)).toEqual([true, true, true, false]);
  });

  it('applies CTRL’s repetition penalty, which lowers the chance of repeats', () => {
    expect(Array.from(applyRepetitionPenalty(new Float32Array([2, -2, 1]), [0, 1, 1], 2))).toEqual([1, -4, 1]);
    expect(Array.from(applyRepetitionPenalty(new Float32Array([2, -2, 1]), [0, 1, 2], 2, 1))).toEqual([2, -2, 0.5]);
    const x = new Float32Array([1, 1, 1, 1]);
    const plain = draw(x, { previous: [0] }, 20_000, 3);
    const penalised = draw(x, { previous: [0], repetitionPenalty: 1.5 }, 20_000, 3);
    expect(penalised[0]!).toBeLessThan(plain[0]! * 0.85);
    // Over a generated sequence: fewer immediate repeats with the penalty.
    const repeats = (penalty: number): number => {
      const sampler = new TokenSampler({ repetitionPenalty: penalty, repetitionWindow: 1 }, new Rng(5));
      const y = new Float32Array([3, 2.5, 2, 1.5, 1]);
      let prev = -1, n = 0;
      for (let i = 0; i < 5000; i++) {
        const id = sampler.next(y);
        if (id === prev) n++;
        prev = id;
      }
      return n;
    };
    expect(repeats(2)).toBeLessThan(repeats(1) * 0.7);
  });

  it('gives the same tokens for the same seed, and others for another seed', () => {
    const x = randomLogits(new Rng(7), 300, 1);
    const run = (seed: number): number[] => {
      const sampler = new TokenSampler({ temperature: 0.9, topK: 50, topP: 0.9, repetitionPenalty: 1.3 }, new Rng(seed));
      return Array.from({ length: 100 }, () => sampler.next(x));
    };
    expect(run(42)).toEqual(run(42));
    expect(run(43)).not.toEqual(run(42));
  });

  it('honours suppressTokens and minTokens', () => {
    const x = new Float32Array([0, 10, 0]); // token 1 (eos) dominates
    expect(draw(x, { suppressTokens: [1] }, 1000, 1)[1]).toBe(0);
    const sampler = new TokenSampler({ minTokens: 5, eosId: 1 }, new Rng(1));
    sampler.reset([2, 2]);
    const ids = Array.from({ length: 6 }, () => sampler.next(x));
    expect(ids.slice(0, 5)).not.toContain(1);
    expect(ids[5]).toBe(1);
    expect(sampler.generated).toEqual(ids);
    expect(() => sampleToken(x, { suppressTokens: [0, 1, 2] }, new Rng(1))).toThrow(/suppressTokens excludes every token/);
    expect(() => new TokenSampler({ minTokens: 3 }, new Rng(1))).toThrow(/minTokens needs eosId/);
  });

  it('validates its options with errors that name the field', () => {
    const x = new Float32Array([0, 1]);
    const rng = new Rng(0);
    expect(() => sampleToken(x, { temperature: -1 }, rng)).toThrow(/temperature must be a finite number >= 0.*got -1/);
    expect(() => sampleToken(x, { topP: 0 }, rng)).toThrow(/topP must be in \(0, 1\].*got 0/);
    expect(() => sampleToken(x, { topP: 1.5 }, rng)).toThrow(/topP must be in \(0, 1\].*got 1.5/);
    expect(() => sampleToken(x, { topK: 0 }, rng)).toThrow(/topK must be an integer >= 1.*got 0/);
    expect(() => sampleToken(x, { topK: 2.5 }, rng)).toThrow(/topK must be an integer >= 1/);
    expect(() => sampleToken(x, { repetitionPenalty: 0 }, rng)).toThrow(/repetitionPenalty must be a finite number > 0/);
    expect(() => sampleToken(x, { minP: 2 }, rng)).toThrow(/minP must be in \[0, 1\]/);
    expect(() => sampleToken(new Float32Array([0, NaN]), {}, rng)).toThrow(/sampleToken: logit 1 is NaN/);
    expect(() => sampleToken(x, { previous: [5], repetitionPenalty: 1.2 }, rng)).toThrow(/previous\[0\] = 5 is not a token id of the 2-entry vocabulary/);
  });

  it('leaves the caller’s logits untouched', () => {
    const x = new Float32Array([3, 1, 2]);
    sampleToken(x, { temperature: 0.5, topK: 2, repetitionPenalty: 2, previous: [0] }, new Rng(1));
    processLogits(x, { topP: 0.5 });
    expect(Array.from(x)).toEqual([3, 1, 2]);
  });
});

import { describe, expect, it } from 'vitest';
import { advise, type BenchEvidence } from './advise.js';

const evidence: BenchEvidence = {
  source: 'bench/results/test.json',
  families: {
    vae: { small: { trainMinutes: 4, quality: { metric: 'negElbo', value: 101, lowerIsBetter: true }, samplesPerSecond: 5000 } },
    gan: { dcgan: { trainMinutes: 30, quality: { metric: 'fid', value: 20, lowerIsBetter: true }, samplesPerSecond: 800 } },
    diffusion: { small: { trainMinutes: 60, quality: { metric: 'fid', value: 8, lowerIsBetter: true }, samplesPerSecond: 2 } },
    transformer: { 'nanogpt-cpu': { trainMinutes: 14, quality: { metric: 'valLoss', value: 1.84, lowerIsBetter: true } } },
    'rnn-lm': { 'char-cpu': { trainMinutes: 6, quality: { metric: 'valLoss', value: 1.9, lowerIsBetter: true } } },
  },
};

describe('advise', () => {
  it('gives different answers for different goals, each with reasons and a command', () => {
    const anomaly = advise({ modality: 'image', labels: false, goal: 'anomaly' }, evidence);
    const realism = advise({ modality: 'image', labels: false, goal: 'realism' }, evidence);
    const fast = advise({ modality: 'image', labels: false, goal: 'fast-sampling' }, evidence);
    expect(anomaly.family).toBe('vae');
    expect(realism.family).toBe('diffusion');
    expect(fast.family).not.toBe('diffusion');
    for (const a of [anomaly, realism, fast]) {
      expect(a.reasons.length).toBeGreaterThan(0);
      expect(a.command).toMatch(new RegExp(`^genloom train ${a.family} --data mnist --preset ${a.preset} --out runs/${a.family}$`));
    }
    expect(realism.reasons.join(' ')).toMatch(/measured: trains in 60.0 min, fid 8/);
  });

  it('respects the compute budget using the measured training times', () => {
    const tight = advise({ modality: 'image', labels: false, goal: 'realism', budgetMinutes: 10 }, evidence);
    expect(tight.family).not.toBe('diffusion');
    const diffusion = tight.alternatives.find((a) => a.family === 'diffusion')!;
    expect(diffusion.note).toMatch(/no measured preset trains within 10 min/);
  });

  it('uses labels: conditional text generation from pairs is seq2seq; without labels it is not offered', () => {
    expect(advise({ modality: 'text', labels: true, goal: 'conditional' }, evidence).family).toBe('seq2seq');
    expect(advise({ modality: 'text', labels: false, goal: 'likelihood' }, evidence).family).toBe('transformer');
    expect(() => advise({ modality: 'text', labels: false, goal: 'conditional' }, evidence)).toThrow(/No family serves goal "conditional" for text data without labels/);
  });

  it('says when it had no measurements, and rejects bad input', () => {
    const a = advise({ modality: 'tabular', labels: false, goal: 'anomaly' });
    expect(a.family).toBe('vae');
    expect(a.command).toContain('--data sensor');
    expect(a.reasons.at(-1)).toMatch(/no bench results were found/);
    expect(() => advise({ modality: 'audio' as never, labels: false, goal: 'realism' })).toThrow(/modality must be one of image, text, tabular, got "audio"/);
    expect(() => advise({ modality: 'image', labels: false, goal: 'realism', budgetMinutes: -1 })).toThrow(/budget must be a positive number/);
  });
});

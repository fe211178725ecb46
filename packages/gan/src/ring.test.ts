import * as tf from '@tensorflow/tfjs';
import { initBackend, train } from '@genloom/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createGAN, meanPairwiseDistance, modeCollapseAlarm, ringClassifier, ringData, ringModeCoverage, sampleRing, type GAN } from './index.js';

// The ring of 8 Gaussians (radius 1). σ = 0.05 keeps this test to 800 steps; the bench runs the
// PacGAN setting σ = 0.01. Modes are 15σ apart either way, so "covered" still means "found".
const RING = { modes: 8, radius: 1, std: 0.05 };

let gan: GAN;

beforeAll(async () => {
  await initBackend('wasm');
  // PacGAN with packing 2 (the discriminator judges pairs), the `ring` preset's MLPs.
  gan = createGAN({ preset: 'ring', seed: 1 });
  await train(gan, ringData({ ...RING, batchSize: 128, seed: 2 }), {
    steps: 800,
    optimizer: { generator: { type: 'adam', lr: 2e-3, beta1: 0.5 }, discriminator: { type: 'adam', lr: 2e-3, beta1: 0.5 } },
    seed: 3,
  });
}, 300_000);

describe('ring of 8 Gaussians (PacGAN protocol)', () => {
  it('the protocol itself: real samples cover 8/8 modes and are all high-quality; one mode covers 1', () => {
    const real = ringModeCoverage(sampleRing(2500, { ...RING, seed: 4 }), RING);
    expect(real.modesCovered).toBe(8);
    expect(real.highQualityFraction).toBeGreaterThan(0.98);
    const one = new Float32Array(2 * 100).map((_, i) => (i % 2 === 0 ? 1 : 0)); // every point at mode 0
    expect(ringModeCoverage(one, RING)).toMatchObject({ modesCovered: 1, counts: [100, 0, 0, 0, 0, 0, 0, 0] });
  });

  it('the trained generator covers at least 7 of the 8 modes', async () => {
    const x = gan.generate(2500, { seed: 5 });
    const coverage = ringModeCoverage(await x.data(), RING);
    x.dispose();
    expect(coverage.modesCovered, JSON.stringify(coverage)).toBeGreaterThanOrEqual(7);
    expect(coverage.highQualityFraction).toBeGreaterThan(0.2);
  });

  it('the collapse alarm is quiet on the trained generator and fires on a deliberately collapsed one', async () => {
    const real = tf.tensor2d(sampleRing(500, { ...RING, seed: 6 }), [500, 2]);
    const byClass = modeCollapseAlarm({ model: gan, classifier: ringClassifier(RING), samples: 500 });
    const bySpread = modeCollapseAlarm({ model: gan, reference: real, samples: 500 });
    expect((await byClass.check(800)).alarm).toBe(false);
    expect((await bySpread.check(800)).alarm).toBe(false);

    // Collapse it: zero the output layer's weights, so every z maps to the bias (one point).
    const out = gan.generator.namedParameters().find(([n]) => n === 'out.kernel')![1];
    const saved = out.clone();
    out.assign(tf.zerosLike(out));
    const c1 = await byClass.check(801);
    const c2 = await bySpread.check(801);
    expect(c1).toMatchObject({ alarm: true, classes: 1 });
    expect(c1.reason).toMatch(/only 1 of 8 classes get a fair share of 500 samples/);
    expect(c2.alarm).toBe(true);
    expect(c2.diversityRatio).toBeLessThan(1e-3);
    expect(c2.reason).toMatch(/sample spread .* is 0.00× the real data's/);
    out.assign(saved);
    tf.dispose([saved, real]);
  });

  it('mean pairwise distance by hand', async () => {
    const x = tf.tensor2d([[0, 0], [3, 4], [0, 4]]);
    // pairs: 5, 4, 3 → mean over ordered distinct pairs = (2·12) / 6 = 4
    expect(await meanPairwiseDistance(x)).toBeCloseTo(4, 3);
    x.dispose();
  });
});

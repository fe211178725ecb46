import * as tf from '@tensorflow/tfjs';
import { initBackend, loadCheckpoint, memoryCheckpointStore, saveModel, train } from '@genloom/core';
import { imageBatches, loadMnist, selectImages, type ImageSet } from '@genloom/datasets';
import { beforeAll, describe, expect, it } from 'vitest';
import { createVAE, interpolateLatents, latentArithmetic, resolveVAEConfig, type VAE } from './index.js';

let mnist: ImageSet;
let test: tf.Tensor4D;
let trained: VAE;

const read = async (t: tf.Tensor) => {
  const v = Array.from(await t.data());
  t.dispose();
  return v;
};
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

beforeAll(async () => {
  await initBackend('wasm');
  mnist = await loadMnist({ split: 'train', limit: 4096 });
  const t = await loadMnist({ split: 'test', limit: 64 });
  test = tf.tensor4d(t.images, [64, 28, 28, 1]);
  // A small VAE trained briefly on real digits, shared by the tests that need a fitted model.
  trained = createVAE({ hiddenDims: [128], latentDim: 8 }, 1);
  await train(trained, imageBatches(mnist, { batchSize: 64, seed: 1 }), { steps: 250, optimizer: { type: 'adam', lr: 2e-3 }, seed: 1 });
});

describe('config', () => {
  it('resolves presets and rejects bad fields by name', () => {
    expect(resolveVAEConfig({}, 'small')).toMatchObject({ hiddenDims: [400], latentDim: 20, inputShape: [28, 28, 1] });
    expect(resolveVAEConfig({ beta: 4 }, 'small').beta).toBe(4);
    expect(() => resolveVAEConfig({ latentDim: 0 })).toThrow(/latentDim must be a positive integer/);
    expect(() => resolveVAEConfig({ beta: -1 })).toThrow(/beta must be/);
    expect(() => resolveVAEConfig({ numClasses: 1 })).toThrow(/numClasses/);
    expect(() => resolveVAEConfig({ likelihood: 'poisson' as never })).toThrow(/likelihood must be one of/);
    expect(() => resolveVAEConfig({ inputShape: [30, 30, 1] }, 'conv')).toThrow(/multiples of 4/);
    expect(() => resolveVAEConfig({ inputShape: [8] }, 'conv')).toThrow(/needs inputShape \[H, W, C\]/);
    expect(() => resolveVAEConfig({}, 'huge')).toThrow(/Unknown vae preset "huge"/);
    expect(() => resolveVAEConfig({ latentDims: 3 } as never)).toThrow(/Unknown vae config field "latentDims"/);
  });

  it('builds the pytorch/examples architecture for `small` (784-400-20)', () => {
    const vae = createVAE(resolveVAEConfig({}, 'small'));
    // enc 784·400+400, head 400·40+40, dec 20·400+400, out 400·784+784
    expect(vae.parameterCount()).toBe(784 * 400 + 400 + 400 * 40 + 40 + 20 * 400 + 400 + 400 * 784 + 784);
    vae.dispose();
  });
});

describe('a trained VAE', () => {
  it('learned: its negative ELBO on unseen digits is far below the untrained one', async () => {
    const fresh = createVAE({ hiddenDims: [128], latentDim: 8 }, 1);
    const before = mean(await read(tf.neg(fresh.elbo(test))));
    const after = mean(await read(tf.neg(trained.elbo(test))));
    expect(after).toBeLessThan(before * 0.5); // ≈ 543 nats untrained → well under 270 after 250 steps
    fresh.dispose();
  });

  it('encodes, decodes and reconstructs with the right shapes and ranges', async () => {
    const { mean: mu, logVar } = trained.encode(test);
    expect(mu.shape).toEqual([64, 8]);
    expect(logVar.shape).toEqual([64, 8]);
    const recon = trained.reconstruct(test);
    expect(recon.shape).toEqual([64, 28, 28, 1]);
    const values = await read(recon);
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThanOrEqual(1);
    // Reconstructions resemble their inputs more than the mean digit does.
    const errRecon = await read(tf.tidy(() => tf.mean(tf.square(tf.sub(trained.reconstruct(test), test)))));
    const errMean = await read(tf.tidy(() => tf.mean(tf.square(tf.sub(tf.mean(test, 0, true), test)))));
    expect(errRecon[0]).toBeLessThan(errMean[0]! * 0.8);
    tf.dispose([mu, logVar]);
  });

  it('samples deterministically per seed, with temperature shrinking the variety', async () => {
    const a = await read(trained.sample(8, { seed: 3 }));
    const b = await read(trained.sample(8, { seed: 3 }));
    expect(b).toEqual(a);
    expect(await read(trained.sample(2))).toEqual(await read(trained.sample(2, { seed: 0 }))); // seed 0 is a seed too
    const spread = async (temperature: number) =>
      (await read(tf.tidy(() => tf.mean(tf.moments(trained.sample(32, { seed: 4, temperature }), 0).variance))))[0]!;
    expect(await spread(0.1)).toBeLessThan((await spread(1)) * 0.5);
    expect(() => trained.sample(0)).toThrow(/positive integer/);
    expect(() => trained.decode(tf.zeros([2, 3]) as tf.Tensor2D)).toThrow(/shape \[B, 8\]/);
    expect(() => trained.encode(tf.zeros([2, 10]))).toThrow(/\[B, 28, 28, 1\]/);
  });

  it('ELBO ≤ importance-sampled log-likelihood, which grows with K', async () => {
    const x = test.slice([0], [16]);
    const elbo = await read(trained.elbo(x, { samples: 32, seed: 1 }));
    const ll1 = await read(trained.logLikelihood(x, { importanceSamples: 1, seed: 2 }));
    const ll256 = await read(trained.logLikelihood(x, { importanceSamples: 256, seed: 2, chunkSize: 50 }));
    // Per example, the K = 256 bound is above the (32-sample) ELBO; on average by a clear margin.
    const above = ll256.filter((v, i) => v > elbo[i]!).length;
    expect(above).toBe(16);
    expect(mean(ll256) - mean(elbo)).toBeGreaterThan(0.5);
    // K = 1 is a one-sample ELBO: close to the ELBO on average, and below the K = 256 bound.
    expect(Math.abs(mean(ll1) - mean(elbo))).toBeLessThan(3);
    expect(mean(ll256)).toBeGreaterThan(mean(ll1));
    x.dispose();
  });

  it('interpolates between two digits, ends included, linearly and spherically', async () => {
    const a = test.slice([0], [1]);
    const b = test.slice([1], [1]);
    const strip = trained.interpolate(a, b, 6, { method: 'spherical' });
    expect(strip.shape).toEqual([6, 28, 28, 1]);
    const ends = await read(tf.tidy(() => tf.concat([strip.slice([0], [1]), strip.slice([5], [1])])));
    const recon = await read(tf.tidy(() => tf.concat([trained.reconstruct(a), trained.reconstruct(b)])));
    ends.forEach((v, i) => expect(v).toBeCloseTo(recon[i]!, 4));
    tf.dispose([a, b, strip]);
  });

  it('leaks no tensors across the inference API', async () => {
    const before = tf.memory().numTensors;
    tf.dispose([trained.sample(2), trained.reconstruct(test), trained.elbo(test, { samples: 2 })]);
    tf.dispose(trained.logLikelihood(test.slice([0], [4]), { importanceSamples: 10, chunkSize: 3 }));
    const e = trained.encode(test);
    tf.dispose([e.mean, e.logVar, trained.interpolate(test.slice([0], [1]), test.slice([1], [1]), 3)]);
    tf.dispose([trained.anomalyScore(test), trained.anomalyScore(test, { method: 'reconstruction' }), trained.anomalyScore(test.slice([0], [2]), { method: 'nll', samples: 4 })]);
    await (await trained.calibrateThreshold(test, { batchSize: 20 })).isAnomaly(test);
    // the slices made above are the only tensors left
    expect(tf.memory().numTensors).toBeLessThanOrEqual(before + 5);
  });
});

describe('latent helpers', () => {
  it('linear interpolation hits both ends and the midpoint', async () => {
    const path = await read(interpolateLatents([0, 2], [4, -2], 3));
    expect(path).toEqual([0, 2, 2, 0, 4, -2]);
  });

  it('spherical interpolation keeps the norm between orthogonal unit codes', async () => {
    const path = interpolateLatents([1, 0], [0, 1], 5, 'spherical');
    const norms = await read(tf.norm(path, 'euclidean', 1));
    norms.forEach((n) => expect(n).toBeCloseTo(1, 5));
    const mid = await read(path.slice([2], [1]));
    expect(mid[0]).toBeCloseTo(Math.SQRT1_2, 5);
    expect(mid[1]).toBeCloseTo(Math.SQRT1_2, 5);
    // Parallel codes fall back to a straight line rather than dividing by sin 0.
    const same = await read(interpolateLatents([1, 0], [2, 0], 3, 'spherical'));
    expect(same.map((v) => Number(v.toFixed(5)))).toEqual([1, 0, 1.5, 0, 2, 0]);
  });

  it('latent arithmetic is a − b + c', async () => {
    expect(await read(latentArithmetic(tf.tensor1d([3, 1]), tf.tensor1d([1, 1]), tf.tensor1d([0, 5])))).toEqual([2, 5]);
    expect(() => latentArithmetic(tf.zeros([2]), tf.zeros([3]), tf.zeros([2]))).toThrow(/one shape/);
  });
});

describe('variants', () => {
  it('a conditional VAE needs labels and decodes the same z differently per class', async () => {
    const cvae = createVAE({ hiddenDims: [64], latentDim: 4, numClasses: 10 }, 2);
    const data = imageBatches(selectImages(mnist, Int32Array.from({ length: 1024 }, (_, i) => i)), { batchSize: 64, seed: 2 });
    const result = await train(cvae, data, { steps: 60, optimizer: { type: 'adam', lr: 3e-3 }, seed: 2 });
    expect(result.history.at(-1)!.losses.loss).toBeLessThan(result.history[0]!.losses.loss! * 0.7);
    expect(() => cvae.sample(2)).toThrow(/conditional on 10 classes/);
    expect(() => cvae.sample(2, { label: 10 })).toThrow(/label 10 is not a class/);
    const ones = await read(cvae.sample(4, { seed: 1, label: 1 }));
    const zeros = await read(cvae.sample(4, { seed: 1, label: 0 }));
    const diff = ones.reduce((s, v, i) => s + Math.abs(v - zeros[i]!), 0) / ones.length;
    expect(diff).toBeGreaterThan(0.02);
    // A "1" lights fewer pixels than a "0".
    expect(mean(ones)).toBeLessThan(mean(zeros));
    cvae.dispose();
  });

  it('β scales the KL term of the loss and leaves the reported −ELBO alone', async () => {
    const x = test.slice([0], [8]);
    const a = createVAE(trained.config, 5);
    const b = createVAE({ ...trained.config, beta: 4 }, 6);
    a.setWeights(trained.getWeights());
    b.setWeights(trained.getWeights());
    const la = a.evalStep({ x });
    const lb = b.evalStep({ x });
    const [recon, kl, lossA, lossB, negA, negB] = (await Promise.all([la.recon!, la.kl!, la.loss!, lb.loss!, la.negElbo!, lb.negElbo!].map((t) => t.data()))).map((d) => d[0]!) as [number, number, number, number, number, number];
    expect(kl).toBeGreaterThan(1); // a trained posterior moves away from the prior
    expect(lossA).toBeCloseTo(recon + kl, 3);
    expect(lossB).toBeCloseTo(recon + 4 * kl, 3);
    expect(negB).toBeCloseTo(negA, 3);
    tf.dispose([x, ...Object.values(la), ...Object.values(lb)]);
    a.dispose();
    b.dispose();
  });

  it('a Gaussian VAE with learned variance trains its per-feature log-std', async () => {
    const vae = createVAE({ inputShape: [784], hiddenDims: [32], latentDim: 4, likelihood: 'gaussian', gaussianVariance: 'learned' }, 3);
    const names = vae.namedParameters().map(([n]) => n);
    expect(names).toContain('logStd');
    const data = imageBatches(selectImages(mnist, Int32Array.from({ length: 512 }, (_, i) => i)), { batchSize: 64, seed: 3 });
    const source = { ...data, batch: (e: number, i: number) => { const b = data.batch(e, i); const x = b.x.reshape([-1, 784]); b.x.dispose(); return { x }; } };
    const before = await read(vae.getWeights().logStd!.clone());
    const result = await train(vae, source, { steps: 40, optimizer: { type: 'adam', lr: 1e-2 }, seed: 3 });
    const after = await read(vae.getWeights().logStd!.clone());
    expect(result.history.at(-1)!.losses.loss).toBeLessThan(result.history[0]!.losses.loss!);
    // Pixels in [0, 1] have std far below the initial 1: the learned log-stds fall.
    expect(mean(after)).toBeLessThan(mean(before) - 0.2);
    vae.dispose();
  });
});

describe('checkpoints', () => {
  it('save → load keeps the weights, config and anomaly calibration (with its complexity correction)', async () => {
    const detector = await trained.calibrateThreshold(test, { falsePositiveRate: 0.1, complexity: true, samples: 1 });
    expect(detector.calibration.observedFalsePositiveRate).toBeLessThanOrEqual(0.1);
    expect(Number.isFinite(detector.calibration.complexitySlope)).toBe(true);
    const store = memoryCheckpointStore();
    await saveModel(trained, store.writer);
    const { model } = await loadCheckpoint<VAE>(store.reader, { family: 'vae' });
    expect(model.config).toEqual(trained.config);
    expect(model.detector().threshold).toBe(detector.threshold);
    expect(model.detector().calibration.complexitySlope).toBe(detector.calibration.complexitySlope);
    expect(await model.detector().scores(test)).toEqual(await detector.scores(test));
    expect(await model.detector().isAnomaly(test)).toEqual(await detector.isAnomaly(test));
    expect(await read(model.elbo(test))).toEqual(await read(trained.elbo(test)));
    model.dispose();
  });
});

import * as tf from '@tensorflow/tfjs';
import { initBackend, loadCheckpoint, memoryCheckpointStore, Rng, saveModel, train, type StepContext, type TensorBatch } from '@genloom/core';
import { imageBatches, loadEmoji, loadMnist, type ImageSet } from '@genloom/datasets';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  GAN,
  Pix2Pix,
  coinTossDistance,
  coinTossEarlyStop,
  colorizationPairs,
  createGAN,
  createPix2Pix,
  ganMonitor,
  ganOptimizers,
  grayscaleInputs,
  pairBatches,
  resolveGANConfig,
} from './index.js';

let mnist: ImageSet;

beforeAll(async () => {
  await initBackend('wasm');
  mnist = await loadMnist({ split: 'train', limit: 512, normalize: 'minus-one-one' });
});

const values = async (t: tf.Tensor) => {
  const v = Array.from(await t.data());
  t.dispose();
  return v;
};

describe('config', () => {
  it('names the bad field', () => {
    expect(() => resolveGANConfig({ nCritic: 0 })).toThrow(/nCritic must be a positive integer/);
    expect(() => resolveGANConfig({ gradientPenalty: 10 }, 'dcgan')).toThrow(/discriminatorNorm must be "none" when gradientPenalty > 0/);
    expect(() => resolveGANConfig({ labelSmoothing: 0.1, loss: 'hinge' })).toThrow(/labelSmoothing must be 0 with loss "hinge"/);
    expect(() => resolveGANConfig({ outputShape: [30, 30, 1] })).toThrow(/outputShape must be H and W divisible by 4/);
    expect(() => resolveGANConfig({}, 'biggan')).toThrow(/Unknown gan preset "biggan"/);
    expect(() => resolveGANConfig({ latentDims: 3 } as never)).toThrow(/Unknown gan config field "latentDims"/);
  });
});

describe('WGAN-GP training step', () => {
  it('takes nCritic critic updates per generator update and reports gp and the W-distance estimate', async () => {
    const gan = createGAN({ preset: 'wgan-gp', generatorChannels: [8, 4], discriminatorChannels: [4, 8], latentDim: 8, nCritic: 2, seed: 1 });
    const data = imageBatches(mnist, { batchSize: 16, seed: 1 });
    // One step by hand, recording which optimizer group each update goes to.
    const groups: string[] = [];
    const ctx = {
      step: 0,
      rng: new Rng(1),
      lr: 0,
      monitored: {},
      optimizer: () => {
        throw new Error('not used');
      },
      minimize: (fn: () => tf.Scalar, params: Array<[string, tf.Variable]>, group = 'default') => {
        groups.push(group);
        const { value, grads } = tf.variableGrads(fn, params.filter(([, v]) => v.trainable).map(([, v]) => v));
        tf.dispose(grads);
        return value;
      },
    } satisfies StepContext;
    const batch = data.batch(0, 0);
    tf.dispose(Object.values(gan.trainStep(batch, ctx)));
    tf.dispose(Object.values(batch as TensorBatch));
    expect(groups).toEqual(['discriminator', 'discriminator', 'generator']);

    const history = await train(gan, data, { steps: 3, optimizer: ganOptimizers(gan.config), monitorGradNorm: true });
    const last = history.history.at(-1)!.losses;
    for (const key of ['dLoss', 'gLoss', 'gp', 'wDistance', 'dReal', 'dFake', 'gradNorm/generator', 'gradNorm/discriminator']) {
      expect(Number.isFinite(last[key]), key).toBe(true);
    }
    expect(last.gp).toBeGreaterThanOrEqual(0);
    // dLoss = E[D(fake)] − E[D(real)] + λ·gp of the last critic batch
    expect(last.dLoss).toBeCloseTo(-last.wDistance! + 10 * last.gp!, 3);
    gan.dispose();
  });

  it('rejects a batch that cannot be split into nCritic packs', () => {
    const gan = createGAN({ preset: 'tiny', nCritic: 3, seed: 1 });
    const batch = imageBatches(mnist, { batchSize: 2, seed: 1 }).batch(0, 0);
    const ctx = { step: 0, rng: null, minimize: () => tf.scalar(0), optimizer: () => null, lr: 0, monitored: {} } as never;
    expect(() => gan.trainStep(batch as never, ctx)).toThrow(/batch of 2 split into nCritic=3/);
    tf.dispose(Object.values(batch as TensorBatch));
    gan.dispose();
  });
});

describe('ACGAN', () => {
  it('needs labels, trains its auxiliary classifier, and generates the requested classes', async () => {
    const gan = createGAN({ preset: 'acgan', generatorChannels: [8, 4], discriminatorChannels: [4, 8], latentDim: 8, seed: 2 });
    const noLabels = { batchesPerEpoch: 1, batch: () => ({ x: tf.zeros([8, 28, 28, 1]) }) };
    await expect(train(gan, noLabels, { steps: 1, optimizer: ganOptimizers(gan.config) })).rejects.toThrow(/needs labels/);
    const result = await train(gan, imageBatches(mnist, { batchSize: 32, seed: 2 }), { steps: 20, optimizer: { type: 'adam', lr: 2e-3, beta1: 0.5 } });
    const aux = result.history.map((h) => h.losses.auxD!);
    // The auxiliary head learns the digits: its cross-entropy (real + fake) falls from ≈ 2·ln 10.
    expect(aux[0]).toBeGreaterThan(3.5);
    expect(aux.slice(-5).reduce((a, b) => a + b) / 5).toBeLessThan(aux[0]! - 0.3);
    const sevens = gan.generate(3, { seed: 1, label: 7 });
    const others = gan.generate(3, { seed: 1, label: 2 });
    expect(await values(sevens)).not.toEqual(await values(others));
    expect(() => gan.generate(2, { label: 10 })).toThrow(/label 0 is 10; expected an integer class in \[0, 10\)/);
    gan.dispose();
  });
});

describe('latentWalk', () => {
  it('starts and ends at the samples of the same seed', async () => {
    const gan = createGAN({ preset: 'tiny', seed: 3 });
    const walk = gan.latentWalk({ seed: 4, points: 2, steps: 5 });
    expect(walk.shape).toEqual([6, 28, 28, 1]);
    const ends = gan.generate(2, { seed: 4 });
    const w = await values(walk);
    const e = await values(ends);
    const per = 28 * 28;
    for (const [frame, end] of [[0, 0], [5, 1]] as const) {
      const a = w.slice(frame * per, (frame + 1) * per);
      const b = e.slice(end * per, (end + 1) * per);
      expect(Math.max(...a.map((v, i) => Math.abs(v - b[i]!)))).toBeLessThan(1e-4);
    }
    gan.dispose();
  });
});

describe('monitor', () => {
  it('records D(real), D(fake), the coin-toss distance and gradient norms of both players', async () => {
    const gan = createGAN({ preset: 'tiny', seed: 5 });
    const lines: string[] = [];
    const monitor = ganMonitor({ every: 2, log: (l) => lines.push(l) });
    await train(gan, imageBatches(mnist, { batchSize: 16, seed: 5 }), { steps: 4, optimizer: ganOptimizers(gan.config), monitorGradNorm: true, callbacks: [monitor] });
    expect(monitor.series).toHaveLength(4);
    for (const p of monitor.series) {
      expect(p.coinTossDistance).toBeCloseTo((Math.abs(p.dReal - 0.5) + Math.abs(p.dFake - 0.5)) / 2, 9);
      expect(p.gradNormGenerator).toBeGreaterThan(0);
      expect(p.gradNormDiscriminator).toBeGreaterThan(0);
    }
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^step 2: D\(real\) [\d.]+ {2}D\(fake\) [\d.]+ {2}coin-toss distance/);
    gan.dispose();
  });

  it('coin-toss distance: 0 at a coin toss, ½ when certain, |W| for a critic', () => {
    expect(coinTossDistance({ dReal: 0.5, dFake: 0.5 })).toBe(0);
    expect(coinTossDistance({ dReal: 1, dFake: 0 })).toBe(0.5);
    expect(coinTossDistance({ dReal: 3, dFake: 1, wDistance: -2 })).toBe(2);
    expect(coinTossDistance({ loss: 1 })).toBeNull();
  });

  it('early stop fires only when the game is balanced and quality stalls', async () => {
    const stop = coinTossEarlyStop({ tolerance: 0.1, window: 3, monitor: 'fid', patience: 2 });
    const stops: string[] = [];
    const control = { stop: (r?: string) => stops.push(r ?? '') };
    const step = (d: number, s: number) => stop.onStepEnd!({ step: s, losses: { dReal: 0.5 + d, dFake: 0.5 - d } } as never, control);
    const evaluate = (fid: number, s: number) => stop.onEval!({ step: s, metrics: { fid } }, control);
    for (let s = 1; s <= 3; s++) await step(0.3, s); // unbalanced
    await evaluate(10, 3);
    await evaluate(11, 4);
    await evaluate(12, 5); // stalled twice, but D is far from a coin toss
    expect(stops).toHaveLength(0);
    for (let s = 6; s <= 8; s++) await step(0.02, s); // balanced
    await evaluate(12, 8);
    expect(stops).toHaveLength(1);
    expect(stop.stoppedAt).toBe(8);
    expect(stops[0]).toMatch(/^early-stopping: coin-toss distance 0.020 < 0.1 and fid has not improved for 2 evaluations \(best 10\)/);
  });
});

describe('pix2pix colorization on emoji sprites', () => {
  it('learns grey → colour (L1 falls), translates deterministically, and round-trips through a checkpoint', async () => {
    const emoji = await loadEmoji({ size: 16 });
    const pairs = colorizationPairs(emoji.images, emoji.shape, 'colorize');
    expect(pairs.inputShape).toEqual([emoji.shape[0], 16, 16, 2]);
    const model = createPix2Pix({ preset: 'tiny-pix2pix', seed: 6 });
    const result = await train(model, pairBatches(pairs, { batchSize: 16, seed: 6 }), { steps: 40, optimizer: { type: 'adam', lr: 2e-3, beta1: 0.5 } });
    const l1 = result.history.map((h) => h.losses.l1!);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(l1.slice(-5))).toBeLessThan(0.7 * mean(l1.slice(0, 5)));

    const rgba = tf.tensor4d(emoji.images.subarray(0, 4 * 16 * 16 * 4), [4, 16, 16, 4]);
    const grey = grayscaleInputs(rgba);
    // grayscaleInputs is the tensor form of the pairs' inputs
    expect((await values(grey.clone())).map((v) => Math.round(v * 1e4))).toEqual(Array.from(pairs.inputs.subarray(0, 4 * 16 * 16 * 2)).map((v) => Math.round(v * 1e4)));
    const a = model.translate(grey);
    expect(a.shape).toEqual([4, 16, 16, 4]);
    const b = model.translate(grey);
    expect(await values(b)).toEqual(await values(a.clone()));

    const store = memoryCheckpointStore();
    await saveModel(model, store.writer);
    const { model: loaded } = await loadCheckpoint<Pix2Pix>(store.reader, { family: 'gan' });
    expect(loaded).toBeInstanceOf(Pix2Pix);
    expect(await values(loaded.translate(grey))).toEqual(await values(a));
    tf.dispose([rgba, grey]);
    model.dispose();
    loaded.dispose();
  });
});

describe('checkpoints', () => {
  it('an ACGAN loads as a GAN and generates the same digits', async () => {
    const gan = createGAN({ preset: 'acgan', generatorChannels: [8, 4], discriminatorChannels: [4, 8], latentDim: 8, seed: 7 });
    const store = memoryCheckpointStore();
    await saveModel(gan, store.writer);
    const { model } = await loadCheckpoint<GAN>(store.reader, { family: 'gan' });
    expect(model).toBeInstanceOf(GAN);
    expect(await values(model.generate(4, { seed: 2, label: 3 }))).toEqual(await values(gan.generate(4, { seed: 2, label: 3 })));
    gan.dispose();
    model.dispose();
  });
});

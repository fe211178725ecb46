import * as tf from '@tensorflow/tfjs';
import { initBackend, Rng } from '@genloom/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { alphasCumprod, betaSchedule } from './noise-schedule.js';
import { denoise } from './pipeline.js';
import { DDIMScheduler, DDPMScheduler, type NoiseScheduler, type SchedulerArgs } from './schedulers.js';

beforeAll(async () => {
  await initBackend('wasm');
});

const maxAbsDiff = async (a: tf.Tensor, b: tf.Tensor) => {
  const d = tf.max(tf.abs(tf.sub(a, b)));
  const v = (await d.data())[0]!;
  d.dispose();
  return v;
};

/** A clean image in [−1, 1] and the "network" that knows it: it returns the true noise (or velocity) of any x_t. */
function oracle(scheduler: NoiseScheduler, x0: tf.Tensor4D) {
  return (xt: tf.Tensor4D, t: number) =>
    tf.tidy(() => {
      const abar = scheduler.alphaBar(t);
      const eps = tf.div(tf.sub(xt, tf.mul(x0, Math.sqrt(abar))), Math.sqrt(1 - abar)) as tf.Tensor4D;
      return scheduler.prediction === 'epsilon' ? eps : (tf.sub(tf.mul(eps, Math.sqrt(abar)), tf.mul(x0, Math.sqrt(1 - abar))) as tf.Tensor4D);
    });
}

describe('noise schedules', () => {
  it('linear β runs from 1e-4 to 0.02 at T = 1000 and scales with 1000/T', () => {
    const b = betaSchedule({ timesteps: 1000, schedule: 'linear' });
    expect(b[0]).toBeCloseTo(1e-4, 12);
    expect(b[999]).toBeCloseTo(0.02, 12);
    expect(b[500]! - b[499]!).toBeCloseTo((0.02 - 1e-4) / 999, 12);
    const short = betaSchedule({ timesteps: 100, schedule: 'linear' });
    expect(short[0]).toBeCloseTo(1e-3, 12);
    expect(short[99]).toBeCloseTo(0.2, 12);
  });

  it('cosine ᾱ_t follows cos²((t/T + s)/(1 + s)·π/2) / f(0)', () => {
    const T = 1000;
    const abar = alphasCumprod(betaSchedule({ timesteps: T, schedule: 'cosine' }));
    const f = (t: number) => Math.cos(((t / T + 0.008) / 1.008) * (Math.PI / 2)) ** 2;
    for (const t of [0, 10, 250, 500, 900]) expect(abar[t]).toBeCloseTo(f(t + 1) / f(0), 9);
    expect(abar[999]).toBeLessThan(1e-4);
    expect(() => betaSchedule({ timesteps: 1, schedule: 'cosine' })).toThrow(/timesteps/);
  });
});

describe('schedulers', () => {
  const args: SchedulerArgs = { timesteps: 1000, betaSchedule: 'linear' };

  it('setTimesteps spaces steps trailing, leading or evenly, and knows each step’s predecessor', () => {
    const s = new DDIMScheduler(args);
    s.setTimesteps(4);
    expect(s.timesteps).toEqual([999, 749, 499, 249]);
    expect(s.previousTimestep(749)).toBe(499);
    expect(s.previousTimestep(249)).toBe(-1);
    const lead = new DDIMScheduler({ ...args, spacing: 'leading' });
    lead.setTimesteps(4);
    expect(lead.timesteps).toEqual([750, 500, 250, 0]);
    const lin = new DDIMScheduler({ ...args, spacing: 'linspace' });
    lin.setTimesteps(4);
    expect(lin.timesteps).toEqual([999, 666, 333, 0]);
    expect(() => s.setTimesteps(1001)).toThrow(/n must be an integer in \[1, 1000\]/);
    expect(() => s.previousTimestep(5)).toThrow(/not in the schedule/);
  });

  it('addNoise matches the closed form of q(x_t | x_0), per example', async () => {
    const s = new DDPMScheduler(args);
    const x0 = tf.randomUniform([3, 4, 4, 2], -1, 1, 'float32', 1) as tf.Tensor4D;
    const noise = tf.randomNormal([3, 4, 4, 2], 0, 1, 'float32', 2) as tf.Tensor4D;
    const ts = [0, 417, 999];
    const xt = s.addNoise(x0, noise, ts);
    const [a, e, y] = [await x0.data(), await noise.data(), await xt.data()];
    // Closed form in float64 from the β's: ᾱ_t = ∏(1 − β_s).
    const betas = betaSchedule({ timesteps: 1000, schedule: 'linear' });
    const per = 32;
    for (let i = 0; i < 3; i++) {
      let abar = 1;
      for (let k = 0; k <= ts[i]!; k++) abar *= 1 - betas[k]!;
      for (let j = i * per; j < (i + 1) * per; j++) expect(y[j]).toBeCloseTo(Math.sqrt(abar) * a[j]! + Math.sqrt(1 - abar) * e[j]!, 5);
    }
    // The empirical variance of x_t from a constant x0 is 1 − ᾱ_t.
    const big = tf.randomNormal([1, 64, 64, 4], 0, 1, 'float32', 3) as tf.Tensor4D;
    const c = tf.fill([1, 64, 64, 4], 0.5) as tf.Tensor4D;
    const z = s.addNoise(c, big, 500);
    const { mean, variance } = tf.moments(z);
    expect((await mean.data())[0]).toBeCloseTo(Math.sqrt(s.alphaBar(500)) * 0.5, 1);
    expect((await variance.data())[0]).toBeCloseTo(1 - s.alphaBar(500), 1);
    tf.dispose([x0, noise, xt, big, c, z, mean, variance]);
  });

  for (const prediction of ['epsilon', 'v'] as const) {
    for (const schedule of ['linear', 'cosine'] as const) {
      it(`with the true noise, DDPM and DDIM predict x₀ and end at x₀ exactly (${prediction}, ${schedule})`, async () => {
        const x0 = tf.randomUniform([2, 8, 8, 1], -1, 1, 'float32', 5) as tf.Tensor4D;
        for (const s of [new DDPMScheduler({ timesteps: 200, betaSchedule: schedule, prediction }), new DDIMScheduler({ timesteps: 200, betaSchedule: schedule, prediction })]) {
          // One step: the x₀ estimate from x_t and the true noise is x₀.
          const noise = tf.randomNormal(x0.shape, 0, 1, 'float32', 6) as tf.Tensor4D;
          for (const t of [0, 50, 150]) {
            const xt = s.addNoise(x0, noise, t);
            const out = oracle(s, x0)(xt, t);
            const { x0: est, eps } = s.predictOriginal(out, t, xt);
            expect(await maxAbsDiff(est, x0)).toBeLessThan(1e-4);
            expect(await maxAbsDiff(eps, noise)).toBeLessThan(1e-3);
            tf.dispose([xt, out, est, eps]);
          }
          // The whole reverse process, from pure noise, with the noise-knowing network.
          const steps = s instanceof DDPMScheduler ? 200 : 20;
          const result = await denoise({ denoiser: oracle(s, x0), scheduler: s, steps, shape: [2, 8, 8, 1], seed: 3 });
          expect(await maxAbsDiff(result, x0)).toBeLessThan(1e-4);
          tf.dispose([noise, result]);
        }
        x0.dispose();
      });
    }
  }

  it('a DDIM step with η = 0 lands on q(x_prev | x₀) with the same noise (deterministic trajectory)', async () => {
    const s = new DDIMScheduler({ ...args, betaSchedule: 'cosine' });
    s.setTimesteps(10);
    const x0 = tf.randomUniform([1, 4, 4, 1], -1, 1, 'float32', 7) as tf.Tensor4D;
    const noise = tf.randomNormal(x0.shape, 0, 1, 'float32', 8) as tf.Tensor4D;
    const t = s.timesteps[3]!;
    const prev = s.previousTimestep(t);
    const xt = s.addNoise(x0, noise, t);
    const { prevSample, predOriginalSample } = s.step(noise, t, xt, { eta: 0 });
    const expected = s.addNoise(x0, noise, prev);
    expect(await maxAbsDiff(prevSample, expected)).toBeLessThan(1e-5);
    tf.dispose([x0, noise, xt, prevSample, predOriginalSample, expected]);
  });

  it('DDIM with η = 0 is deterministic for a seed; DDPM and DDIM with η > 0 draw noise from the rng', async () => {
    const s = new DDIMScheduler({ ...args, betaSchedule: 'cosine' });
    const den = (x: tf.Tensor4D) => tf.mul(x, 0.3) as tf.Tensor4D;
    const run = async (seed: number, eta: number) => {
      const x = await denoise({ denoiser: den, scheduler: s, steps: 10, shape: [1, 4, 4, 1], seed, eta });
      const v = Array.from(await x.data());
      x.dispose();
      return v;
    };
    expect(await run(1, 0)).toEqual(await run(1, 0));
    expect(await run(2, 0)).not.toEqual(await run(1, 0));
    expect(await run(1, 1)).toEqual(await run(1, 1));
    expect(await run(1, 1)).not.toEqual(await run(1, 0));
    const ddpm = new DDPMScheduler(args);
    ddpm.setTimesteps(10);
    const x = tf.zeros([1, 2, 2, 1]) as tf.Tensor4D;
    expect(() => ddpm.step(x, ddpm.timesteps[0]!, x)).toThrow(/needs opts.rng/);
    const a = ddpm.step(x, ddpm.timesteps[0]!, x, { rng: new Rng(1) });
    const b = ddpm.step(x, ddpm.timesteps[0]!, x, { rng: new Rng(1) });
    expect(Array.from(await a.prevSample.data())).toEqual(Array.from(await b.prevSample.data()));
    tf.dispose([x, a.prevSample, a.predOriginalSample, b.prevSample, b.predOriginalSample]);
  });

  it('inpainting keeps the known pixels exactly and the loop leaks no tensors', async () => {
    const s = new DDIMScheduler({ ...args, betaSchedule: 'cosine' });
    const known = tf.randomUniform([1, 4, 4, 1], -1, 1, 'float32', 9) as tf.Tensor4D;
    const mask = tf.tensor4d([1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0], [1, 4, 4, 1]);
    const before = tf.memory().numTensors;
    const x = await denoise({ denoiser: (xt) => tf.mul(xt, 0.5) as tf.Tensor4D, scheduler: s, steps: 8, shape: [1, 4, 4, 1], seed: 1, inpaint: { known, mask, resample: 2 } });
    expect(tf.memory().numTensors).toBe(before + 1);
    const [xv, kv, mv] = [await x.data(), await known.data(), await mask.data()];
    for (let i = 0; i < 16; i++) if (mv[i] === 0) expect(xv[i]).toBeCloseTo(kv[i]!, 6);
    expect(Array.from(xv).some((v, i) => mv[i] === 1 && Math.abs(v - kv[i]!) > 1e-3)).toBe(true);
    tf.dispose([known, mask, x]);
  });
});

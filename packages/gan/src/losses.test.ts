import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@genloom/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { discriminatorLoss, generatorLoss, gradientPenalty, leakyRelu, packExamples } from './index.js';

beforeAll(async () => {
  await initBackend('wasm');
});

const value = async (t: tf.Tensor) => {
  const v = (await t.data())[0]!;
  t.dispose();
  return v;
};

describe('adversarial losses, by hand', () => {
  it('non-saturating: 2·ln 2 at zero logits; one-sided smoothing moves only the real term', async () => {
    const zeros = tf.zeros([4]) as tf.Tensor1D;
    expect(await value(discriminatorLoss('nonSaturating', zeros, zeros))).toBeCloseTo(2 * Math.log(2), 5);
    const real = tf.tensor1d([3, 3]);
    const fake = tf.tensor1d([-2, -2]);
    const sp = (x: number) => Math.log1p(Math.exp(x));
    // target 0.9 on logit 3: 0.9·softplus(−3) + 0.1·softplus(3); fake target 0 on −2: softplus(−2)
    expect(await value(discriminatorLoss('nonSaturating', real, fake, 0.1))).toBeCloseTo(0.9 * sp(-3) + 0.1 * sp(3) + sp(-2), 5);
    expect(await value(generatorLoss('nonSaturating', fake))).toBeCloseTo(sp(2), 5);
    tf.dispose([zeros, real, fake]);
  });

  it('hinge and wasserstein', async () => {
    const real = tf.tensor1d([0.5, 2]);
    const fake = tf.tensor1d([-3, 0]);
    // hinge: mean(relu(1 − [0.5, 2])) + mean(relu(1 + [−3, 0])) = 0.25 + 0.5
    expect(await value(discriminatorLoss('hinge', real, fake))).toBeCloseTo(0.75, 6);
    // wasserstein: mean(fake) − mean(real) = −1.5 − 1.25
    expect(await value(discriminatorLoss('wasserstein', real, fake))).toBeCloseTo(-2.75, 6);
    expect(await value(generatorLoss('hinge', fake))).toBeCloseTo(1.5, 6);
    tf.dispose([real, fake]);
  });

  it('leakyRelu (abs form) equals tf.leakyRelu', async () => {
    const x = tf.tensor1d([-2, -0.5, 0, 0.5, 3]);
    expect(Array.from(await leakyRelu(x).data())).toEqual(Array.from(await tf.leakyRelu(x, 0.2).data()).map((v) => expect.closeTo(v, 6)));
    x.dispose();
  });

  it('packs consecutive examples channel-wise (PacGAN)', async () => {
    const x = tf.tensor4d([1, 2, 3, 4], [4, 1, 1, 1]);
    const packed = packExamples(x, 2);
    expect(packed.shape).toEqual([2, 1, 1, 2]);
    expect(Array.from(await packed.data())).toEqual([1, 2, 3, 4]);
    expect(() => packExamples(tf.zeros([3, 2]), 2)).toThrow(/not divisible by pack=2/);
    tf.dispose([x, packed]);
  });
});

describe('gradient penalty (a gradient of a gradient on wasm)', () => {
  it('is (‖w‖ − 1)² for a linear critic, and its gradient in w is 2(‖w‖ − 1)·w/‖w‖', async () => {
    const w = tf.variable(tf.tensor1d([1.2, -1.6])); // ‖w‖ = 2
    const critic = (x: tf.Tensor) => tf.sum(tf.mul(x, w), 1) as tf.Tensor1D; // D(x) = w·x
    const real = tf.tensor2d([[1, 0], [0, 1], [2, 2]]);
    const fake = tf.tensor2d([[0, 0], [1, 1], [-1, 3]]);
    const { value: gp, grads } = tf.variableGrads(() => gradientPenalty(critic, real, fake, 7), [w]);
    expect(await value(gp)).toBeCloseTo(1, 5);
    const g = Array.from(await grads[w.name]!.data());
    expect(g[0]).toBeCloseTo((2 * (2 - 1) * 1.2) / 2, 4);
    expect(g[1]).toBeCloseTo((2 * (2 - 1) * -1.6) / 2, 4);
    tf.dispose([w, real, fake, ...Object.values(grads)]);
  });

  it('goes through a conv + leaky-ReLU critic: its parameter gradient matches finite differences', async () => {
    const { Conv2d, Dense, Rng } = await import('@genloom/core');
    const rng = new Rng(1);
    const conv = new Conv2d({ inChannels: 1, outChannels: 4, kernelSize: 3, stride: 2, rng });
    const fc = new Dense({ inputDim: 4 * 4 * 4, units: 1, rng });
    const critic = (x: tf.Tensor) => fc.forward(leakyRelu(conv.forward(x as tf.Tensor4D)).reshape([x.shape[0]!, -1])).reshape([-1]) as tf.Tensor1D;
    const real = tf.randomNormal([3, 8, 8, 1], 0, 1, 'float32', 3);
    const fake = tf.randomNormal([3, 8, 8, 1], 0, 1, 'float32', 4);
    const { value: gp, grads } = tf.variableGrads(() => gradientPenalty(critic, real, fake, 5), [conv.filter, fc.kernel]);
    const gpValue = await value(gp);
    expect(Number.isFinite(gpValue)).toBe(true);
    // finite-difference check of d gp / d fc.kernel[0]
    const k0 = (await fc.kernel.data())[0]!;
    const h = 1e-2;
    const at = async (delta: number) => {
      const buf = await fc.kernel.data();
      const copy = Float32Array.from(buf);
      copy[0] = k0 + delta;
      fc.kernel.assign(tf.tensor2d(copy, fc.kernel.shape as [number, number]));
      const v = await value(tf.tidy(() => gradientPenalty(critic, real, fake, 5)));
      copy[0] = k0;
      fc.kernel.assign(tf.tensor2d(copy, fc.kernel.shape as [number, number]));
      return v;
    };
    const numeric = ((await at(h)) - (await at(-h))) / (2 * h);
    const analytic = (await grads[fc.kernel.name]!.data())[0]!;
    expect(analytic).toBeCloseTo(numeric, 2);
    tf.dispose([real, fake, ...Object.values(grads)]);
    conv.dispose();
    fc.dispose();
  });
});

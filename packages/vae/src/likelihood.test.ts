import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@genloom/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { bernoulliNll, gaussianKl, gaussianLogDensity, gaussianNll, reparameterize, standardNormalLogDensity } from './likelihood.js';

beforeAll(async () => {
  await initBackend('wasm');
});

const read = async (t: tf.Tensor) => {
  const v = Array.from(await t.data());
  t.dispose();
  return v;
};

describe('the KL term', () => {
  it('matches its closed form computed by hand', async () => {
    // μ = [1, −2], σ² = [1, 4]: ½[(1 + 1 − 1 − 0) + (4 + 4 − 1 − ln 4)] = ½(8 − ln 4)
    const kl = gaussianKl(tf.tensor2d([[1, -2]]), tf.tensor2d([[0, Math.log(4)]]));
    expect((await read(kl))[0]).toBeCloseTo(0.5 * (8 - Math.log(4)), 5);
    // The posterior equal to the prior has KL 0.
    expect((await read(gaussianKl(tf.zeros([3, 5]), tf.zeros([3, 5]))))).toEqual([0, 0, 0]);
  });

  it('agrees with a Monte Carlo estimate of E_q[log q(z) − log p(z)]', async () => {
    const mean = tf.tensor2d([[0.5, -1, 2]]);
    const logVar = tf.tensor2d([[-1, 0.5, 0]]);
    const closed = (await read(gaussianKl(mean, logVar)))[0]!;
    const n = 200_000;
    const mc = tf.tidy(() => {
      const z = reparameterize(mean, logVar, tf.randomNormal([n, 3], 0, 1, 'float32', 7) as tf.Tensor2D); // [n, 3]
      return tf.mean(tf.sub(gaussianLogDensity(z, mean, logVar), standardNormalLogDensity(z)));
    });
    expect(Math.abs((await read(mc))[0]! - closed)).toBeLessThan(0.03); // MC std ≈ 0.006 here
  });

  it('has the analytic gradient: ∂KL/∂μ = μ, ∂KL/∂logσ² = ½(σ² − 1)', async () => {
    const mean = tf.tensor2d([[0.3, -1.2]]);
    const logVar = tf.tensor2d([[0.7, -0.4]]);
    const [gm, gv] = tf.grads((m: tf.Tensor, v: tf.Tensor) => tf.sum(gaussianKl(m as tf.Tensor2D, v as tf.Tensor2D)))([mean, logVar]);
    const m = await read(gm!);
    const v = await read(gv!);
    expect(m[0]).toBeCloseTo(0.3, 5);
    expect(m[1]).toBeCloseTo(-1.2, 5);
    expect(v[0]).toBeCloseTo(0.5 * (Math.exp(0.7) - 1), 5);
    expect(v[1]).toBeCloseTo(0.5 * (Math.exp(-0.4) - 1), 5);
  });
});

describe('the reparameterisation trick', () => {
  it('gives unbiased gradients of E_q[f(z)] with respect to μ and log σ²', async () => {
    // f(z) = Σ z² has E_q[f] = Σ (μ² + σ²): ∂/∂μ = 2μ and ∂/∂logσ² = σ².
    const n = 100_000;
    const mu = tf.tensor2d([[0.8, -0.5]]);
    const lv = tf.tensor2d([[0.2, -1.0]]);
    const eps = tf.randomNormal([n, 2], 0, 1, 'float32', 11) as tf.Tensor2D;
    const [gm, gv] = tf.grads((m: tf.Tensor, v: tf.Tensor) => {
      const z = reparameterize(m as tf.Tensor2D, v as tf.Tensor2D, eps); // [1, 2] broadcast against [n, 2]
      return tf.div(tf.sum(tf.square(z)), n);
    })([mu, lv]);
    const m = await read(gm!);
    const v = await read(gv!);
    expect(m[0]).toBeCloseTo(1.6, 1);
    expect(m[1]).toBeCloseTo(-1.0, 1);
    expect(Math.abs(v[0]! - Math.exp(0.2))).toBeLessThan(0.03);
    expect(Math.abs(v[1]! - Math.exp(-1.0))).toBeLessThan(0.02);
    eps.dispose();
  });
});

describe('reconstruction likelihoods', () => {
  it('Bernoulli NLL equals BCE computed by hand, with the gradient σ(l) − x', async () => {
    const logits = tf.tensor2d([[0, 2, -3], [10, -10, 0.5]]);
    const x = tf.tensor2d([[1, 0, 0.25], [1, 0, 0.6]]);
    const bce = (l: number, t: number) => {
      const p = 1 / (1 + Math.exp(-l));
      return -(t * Math.log(p) + (1 - t) * Math.log(1 - p));
    };
    const want = [bce(0, 1) + bce(2, 0) + bce(-3, 0.25), bce(10, 1) + bce(-10, 0) + bce(0.5, 0.6)];
    const got = await read(bernoulliNll(logits, x));
    expect(got[0]).toBeCloseTo(want[0]!, 4);
    expect(got[1]).toBeCloseTo(want[1]!, 4);
    // Hand-written gradient vs. autodiff of the textbook formula.
    const dy = tf.tensor1d([1, 2]);
    const fused = tf.grad((l: tf.Tensor) => tf.sum(tf.mul(bernoulliNll(l as tf.Tensor2D, x), dy)))(logits);
    const naive = tf.grad((l: tf.Tensor) => {
      const p = tf.sigmoid(l);
      const perEx = tf.neg(tf.sum(tf.add(tf.mul(x, tf.log(p)), tf.mul(tf.sub(1, x), tf.log(tf.sub(1, p)))), 1));
      return tf.sum(tf.mul(perEx, dy));
    })(logits);
    const a = await read(fused);
    const b = await read(naive);
    a.forEach((v, i) => expect(v).toBeCloseTo(b[i]!, 4));
  });

  it('Bernoulli NLL stays finite for extreme logits', async () => {
    const got = await read(bernoulliNll(tf.tensor2d([[200, -200]]), tf.tensor2d([[0, 1]])));
    expect(got[0]).toBeCloseTo(400, 3);
  });

  it('Gaussian NLL equals −log N(x; μ, σ²) by hand', async () => {
    const logStd = tf.tensor1d([Math.log(0.5), 0]);
    const got = await read(gaussianNll(tf.tensor2d([[1, 0]]), logStd, tf.tensor2d([[2, -1]])));
    const nll = (x: number, m: number, s: number) => 0.5 * ((x - m) / s) ** 2 + Math.log(s) + 0.5 * Math.log(2 * Math.PI);
    expect(got[0]).toBeCloseTo(nll(2, 1, 0.5) + nll(-1, 0, 1), 4);
  });
});

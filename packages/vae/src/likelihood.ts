/**
 * The terms of the evidence lower bound, per example and in nats:
 *
 *   ELBO(x) = E_q(z|x)[log p(x|z)] − KL(q(z|x) ‖ p(z)),   q = N(μ, diag σ²), p = N(0, I).
 *
 * Each function maps [B, D] (or [B, latentDim]) tensors to a [B] vector, summing over features.
 */
import * as tf from '@tensorflow/tfjs';

const LOG_2PI = Math.log(2 * Math.PI);

/**
 * Sum over features of the binary cross-entropy between targets `x` in [0, 1] and `sigmoid(logits)`,
 * i.e. −log p(x|z) under a Bernoulli decoder, computed from logits as
 * `softplus(l) − x·l` (stable for any l). Its gradient is written out by hand — `σ(l) − x` for the
 * logits — so training runs three element-wise kernels backwards instead of the
 * half-dozen that differentiating softplus, mul and sub would take (the targets get no gradient).
 *
 * @example
 * ```ts
 * const nll = bernoulliNll(logits, x); // [B] nats: BCE summed over the 784 pixels
 * ```
 */
export function bernoulliNll(logits: tf.Tensor2D, x: tf.Tensor2D): tf.Tensor1D {
  if (!tf.util.arraysEqual(logits.shape, x.shape)) {
    throw new Error(`bernoulliNll: logits shape [${logits.shape}] and targets shape [${x.shape}] must match`);
  }
  // Custom gradient over the logits only: the targets are data.
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [l, save] = args as [tf.Tensor2D, tf.GradSaveFunc];
    save([l, x]); // keeps the targets alive for the backward pass
    const value = tf.sum(tf.sub(tf.softplus(l), tf.mul(x, l)), 1); // [B]
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(tf.sub(tf.sigmoid(saved[0]!), saved[1]!), dy.reshape([-1, 1])); // [B, D]
    return { value, gradFunc };
  });
  return op(logits) as tf.Tensor1D;
}

/**
 * −log N(x; mean, exp(logStd)²) summed over features: the negative log-likelihood of a Gaussian
 * decoder. `logStd` is a [D] vector (learned or fixed) shared by all examples.
 *
 * @example
 * ```ts
 * const nll = gaussianNll(mean, tf.fill([2], Math.log(0.1)), x); // [B]
 * ```
 */
export function gaussianNll(mean: tf.Tensor2D, logStd: tf.Tensor1D, x: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => {
    const z = tf.mul(tf.sub(x, mean), tf.exp(tf.neg(logStd))); // [B, D] standardised residuals
    const perFeature = tf.add(tf.mul(0.5, tf.square(z)), tf.add(logStd, 0.5 * LOG_2PI)); // [B, D]
    return tf.sum(perFeature, 1) as tf.Tensor1D;
  });
}

/**
 * KL(N(mean, exp(logVar)) ‖ N(0, I)) in closed form, summed over latent dimensions:
 * `½ Σ (μ² + σ² − 1 − log σ²)`.
 *
 * @example
 * ```ts
 * gaussianKl(tf.zeros([1, 2]), tf.zeros([1, 2])); // [0]: the posterior equals the prior
 * ```
 */
export function gaussianKl(mean: tf.Tensor2D, logVar: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => tf.mul(0.5, tf.sum(tf.sub(tf.add(tf.square(mean), tf.exp(logVar)), tf.add(1, logVar)), 1)) as tf.Tensor1D);
}

/**
 * log N(z; mean, exp(logVar)) summed over dimensions (the encoder's density of a sample).
 *
 * @example
 * ```ts
 * const logQ = gaussianLogDensity(z, mean, logVar); // [B]
 * ```
 */
export function gaussianLogDensity(z: tf.Tensor2D, mean: tf.Tensor2D, logVar: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => {
    const sq = tf.div(tf.square(tf.sub(z, mean)), tf.exp(logVar)); // [B, L]
    return tf.mul(-0.5, tf.sum(tf.add(tf.add(sq, logVar), LOG_2PI), 1)) as tf.Tensor1D;
  });
}

/**
 * log N(z; 0, I) summed over dimensions (the prior's density of a sample).
 *
 * @example
 * ```ts
 * standardNormalLogDensity(tf.zeros([1, 2])); // [−log 2π]
 * ```
 */
export function standardNormalLogDensity(z: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => tf.mul(-0.5, tf.sum(tf.add(tf.square(z), LOG_2PI), 1)) as tf.Tensor1D);
}

/**
 * The reparameterisation trick: z = μ + σ·ε with ε ~ N(0, I), so gradients flow to μ and log σ²
 * through a sample (Kingma & Welling, 2014).
 *
 * @example
 * ```ts
 * const z = reparameterize(mean, logVar, tf.randomNormal(mean.shape, 0, 1, 'float32', seed));
 * ```
 */
export function reparameterize(mean: tf.Tensor2D, logVar: tf.Tensor2D, eps: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.add(mean, tf.mul(tf.exp(tf.mul(0.5, logVar)), eps)) as tf.Tensor2D);
}

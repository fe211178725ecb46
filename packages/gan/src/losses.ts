/**
 * The adversarial objectives over discriminator logits, the gradient penalty, and the auxiliary
 * classification loss of ACGAN. Every function returns a scalar to minimise.
 */
import * as tf from '@tensorflow/tfjs';
import type { GANLoss } from './config.js';
import { oneHotFloat } from './networks.js';

/**
 * The discriminator's loss on logits of real and generated examples.
 * - nonSaturating: binary cross-entropy, real target `1 − smoothing`, fake target 0;
 * - hinge: mean relu(1 − d_real) + mean relu(1 + d_fake) (Lim & Ye; Miyato et al.);
 * - wasserstein: mean d_fake − mean d_real (the critic of WGAN).
 *
 * @example
 * ```ts
 * discriminatorLoss('nonSaturating', tf.tensor1d([0, 0]), tf.tensor1d([0, 0])); // 2·ln 2 ≈ 1.386
 * ```
 */
export function discriminatorLoss(kind: GANLoss, realLogits: tf.Tensor1D, fakeLogits: tf.Tensor1D, smoothing = 0): tf.Scalar {
  return tf.tidy(() => {
    switch (kind) {
      case 'nonSaturating': {
        // BCE with target t on logit d: t·softplus(−d) + (1 − t)·softplus(d)
        const t = 1 - smoothing;
        const realTerm = tf.add(tf.mul(t, tf.softplus(tf.neg(realLogits))), tf.mul(1 - t, tf.softplus(realLogits)));
        return tf.add(tf.mean(realTerm), tf.mean(tf.softplus(fakeLogits))) as tf.Scalar;
      }
      case 'hinge':
        return tf.add(tf.mean(tf.relu(tf.sub(1, realLogits))), tf.mean(tf.relu(tf.add(1, fakeLogits)))) as tf.Scalar;
      case 'wasserstein':
        return tf.sub(tf.mean(fakeLogits), tf.mean(realLogits)) as tf.Scalar;
      default:
        throw new Error(`Unknown GAN loss "${String(kind)}"; expected nonSaturating, hinge or wasserstein`);
    }
  });
}

/**
 * The generator's loss on the logits of its samples: `softplus(−d)` (non-saturating, Goodfellow et
 * al.'s −log D trick) or `−d` (hinge and wasserstein).
 *
 * @example
 * ```ts
 * generatorLoss('wasserstein', fakeLogits);
 * ```
 */
export function generatorLoss(kind: GANLoss, fakeLogits: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => (kind === 'nonSaturating' ? tf.mean(tf.softplus(tf.neg(fakeLogits))) : tf.neg(tf.mean(fakeLogits))) as tf.Scalar);
}

/**
 * WGAN-GP's gradient penalty (Gulrajani et al. 2017): on random interpolates x̂ = εx + (1−ε)x̃ it
 * penalises (‖∇ₓ̂ D(x̂)‖₂ − 1)². It differentiates the critic inside the loss, so the caller's
 * `ctx.minimize` takes a gradient of a gradient: the critic must be built from twice-differentiable
 * ops (see {@link leakyRelu}). `critic` maps examples to logits.
 *
 * @example
 * ```ts
 * const gp = gradientPenalty((x) => d.forward(x, true).logits, real, fake, seed);
 * ```
 */
export function gradientPenalty(critic: (x: tf.Tensor) => tf.Tensor1D, real: tf.Tensor, fake: tf.Tensor, seed: number): tf.Scalar {
  return tf.tidy(() => {
    const b = real.shape[0]!;
    const epsShape = [b, ...real.shape.slice(1).map(() => 1)];
    const eps = tf.randomUniform(epsShape, 0, 1, 'float32', seed); // [B, 1, …]
    const mixed = tf.add(tf.mul(eps, real), tf.mul(tf.sub(1, eps), fake)); // [B, …]
    const grad = tf.grad((x: tf.Tensor) => tf.sum(critic(x)))(mixed); // [B, …]
    const axes = Array.from({ length: grad.rank - 1 }, (_, i) => i + 1);
    const norm = tf.sqrt(tf.add(tf.sum(tf.square(grad), axes), 1e-12)); // [B]
    return tf.mean(tf.square(tf.sub(norm, 1))) as tf.Scalar;
  });
}

/**
 * Softmax cross-entropy of class logits against integer labels: ACGAN's auxiliary loss.
 *
 * @example
 * ```ts
 * auxiliaryClassLoss(classLogits, labels, 10);
 * ```
 */
export function auxiliaryClassLoss(classLogits: tf.Tensor2D, labels: tf.Tensor1D, numClasses: number): tf.Scalar {
  return tf.tidy(() => tf.losses.softmaxCrossEntropy(oneHotFloat(labels, numClasses), classLogits) as tf.Scalar);
}

/**
 * What the discriminator's logits say in the units the monitor reads: the mean probability of
 * "real" (σ(d)) for the cross-entropy and hinge losses, the mean critic value for wasserstein.
 *
 * @example
 * ```ts
 * discriminatorScore('nonSaturating', logits); // ≈ 0.5 at the coin-toss point
 * ```
 */
export function discriminatorScore(kind: GANLoss, logits: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => (kind === 'wasserstein' ? tf.mean(logits) : tf.mean(tf.sigmoid(logits))) as tf.Scalar);
}

import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../rng.js';

/** Activation names accepted by configs. */
export type ActivationName = 'relu' | 'leakyRelu' | 'gelu' | 'silu' | 'tanh' | 'sigmoid' | 'elu' | 'linear';

/**
 * GELU with the tanh approximation (GPT-2's `NewGELU`).
 *
 * @example
 * ```ts
 * gelu(tf.tensor([-1, 0, 1])); // ≈ [-0.159, 0, 0.841]
 * ```
 */
export function gelu(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const c = Math.sqrt(2 / Math.PI);
    const inner = tf.mul(c, tf.add(x, tf.mul(0.044715, tf.pow(x, 3))));
    return tf.mul(tf.mul(0.5, x), tf.add(1, tf.tanh(inner)));
  });
}

/** SiLU / swish, x·σ(x). @example `silu(tf.tensor([0, 1]))` */
export function silu(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.mul(x, tf.sigmoid(x)));
}

/**
 * Applies a named activation.
 *
 * @example
 * ```ts
 * activation('leakyRelu', x); // slope 0.2, as in DCGAN's discriminator
 * ```
 */
export function activation(name: ActivationName, x: tf.Tensor): tf.Tensor {
  switch (name) {
    case 'relu':
      return tf.relu(x);
    case 'leakyRelu':
      return tf.leakyRelu(x, 0.2);
    case 'gelu':
      return gelu(x);
    case 'silu':
      return silu(x);
    case 'tanh':
      return tf.tanh(x);
    case 'sigmoid':
      return tf.sigmoid(x);
    case 'elu':
      return tf.elu(x);
    case 'linear':
      return x;
    default:
      throw new Error(`Unknown activation "${String(name)}"; expected relu, leakyRelu, gelu, silu, tanh, sigmoid, elu or linear`);
  }
}

/**
 * Inverted dropout driven by the run's {@link Rng}: identity when `rate` is 0 or not training.
 *
 * @example
 * ```ts
 * const h2 = dropout(h, 0.1, ctx.rng);
 * ```
 */
export function dropout(x: tf.Tensor, rate: number, rng: Rng | null): tf.Tensor {
  if (!(rate >= 0 && rate < 1)) throw new Error(`dropout rate must be in [0, 1), got ${rate}`);
  if (rate === 0 || rng === null) return x;
  return tf.dropout(x, rate, undefined, rng.tfSeed());
}

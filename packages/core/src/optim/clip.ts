import * as tf from '@tensorflow/tfjs';

/**
 * Scales gradients so their global L2 norm is at most `maxNorm` (PyTorch's `clip_grad_norm_`).
 * Returns new tensors and the norm before clipping, as a scalar tensor (read it asynchronously).
 *
 * @example
 * ```ts
 * const { grads: clipped, norm } = clipByGlobalNorm(grads, 1.0);
 * ```
 */
export function clipByGlobalNorm(grads: tf.Tensor[], maxNorm: number): { grads: tf.Tensor[]; norm: tf.Scalar } {
  if (!(maxNorm > 0)) throw new Error(`clipByGlobalNorm needs maxNorm > 0, got ${maxNorm}`);
  return tf.tidy(() => {
    const norm = globalNorm(grads);
    const scale = tf.minimum(1, tf.div(maxNorm, tf.add(norm, 1e-6)));
    return { grads: grads.map((g) => tf.mul(g, scale)), norm };
  });
}

/** The global L2 norm of a list of tensors, as a scalar tensor. @example `globalNorm([g1, g2])` */
export function globalNorm(tensors: tf.Tensor[]): tf.Scalar {
  return tf.tidy(() => tf.sqrt(tf.addN(tensors.map((g) => tf.sum(tf.square(g))))) as tf.Scalar);
}

import * as tf from '@tensorflow/tfjs';

/**
 * Spherical interpolation between latent rows `a` and `b` (`[1, Z]`) at fractions `t` (`[S, 1]`): the
 * path keeps the norm that Gaussian noise of that dimension concentrates on, so every frame looks
 * like a typical sample — White, 2016. Falls back to a straight line when a and b are parallel.
 *
 * @example
 * ```ts
 * const path = slerp(z0, z1, tf.linspace(0, 1, 8).reshape([8, 1])); // [8, Z]
 * ```
 */
export function slerp(a: tf.Tensor2D, b: tf.Tensor2D, t: tf.Tensor): tf.Tensor2D {
  return tf.tidy(() => {
    const na = tf.norm(a);
    const nb = tf.norm(b);
    const cos = tf.clipByValue(tf.div(tf.sum(tf.mul(a, b)), tf.mul(na, nb)), -1, 1);
    const omega = tf.acos(cos);
    const sin = tf.sin(omega);
    const linear = tf.add(a, tf.mul(t, tf.sub(b, a)));
    const safeSin = tf.maximum(sin, 1e-6);
    const wa = tf.div(tf.sin(tf.mul(tf.sub(1, t), omega)), safeSin); // [S, 1]
    const wb = tf.div(tf.sin(tf.mul(t, omega)), safeSin);
    const spherical = tf.add(tf.mul(wa, a), tf.mul(wb, b));
    const useSpherical = tf.cast(tf.greater(sin, 1e-6), 'float32'); // scalar 0/1
    return tf.add(tf.mul(useSpherical, spherical), tf.mul(tf.sub(1, useSpherical), linear)) as tf.Tensor2D; // [S, Z]
  });
}

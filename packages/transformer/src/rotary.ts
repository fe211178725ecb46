import * as tf from '@tensorflow/tfjs';

/**
 * Rotary position embeddings (Su et al., RoFormer): each pair of channels (i, i + D/2) of a query or
 * key is rotated by an angle proportional to its position, so `q·k` depends on the positions only
 * through their difference. Applied to time-major heads `[T, G, D]`, positions `offset…offset+T−1`.
 *
 * @example
 * ```ts
 * const q2 = applyRotary(q, 0); // [T, B·H, D], same shape
 * ```
 */
export function applyRotary(x: tf.Tensor3D, offset: number, base = 10000): tf.Tensor3D {
  const [t, , d] = x.shape;
  const half = d / 2;
  const cos = new Float32Array(t * d);
  const sin = new Float32Array(t * d);
  for (let p = 0; p < t; p++) {
    for (let i = 0; i < half; i++) {
      const angle = (offset + p) / base ** ((2 * i) / d);
      cos[p * d + i] = cos[p * d + i + half] = Math.cos(angle);
      sin[p * d + i] = sin[p * d + i + half] = Math.sin(angle);
    }
  }
  const x1 = x.slice([0, 0, 0], [-1, -1, half]);
  const x2 = x.slice([0, 0, half], [-1, -1, half]);
  const rotated = tf.concat([tf.neg(x2), x1], 2); // rotate_half: (x1, x2) → (−x2, x1)
  return tf.add(tf.mul(x, tf.tensor3d(cos, [t, 1, d])), tf.mul(rotated, tf.tensor3d(sin, [t, 1, d]))) as tf.Tensor3D; // [T, G, D]
}

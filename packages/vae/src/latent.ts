/**
 * Moving through a latent space: interpolation between two codes (linear, or spherical, which keeps
 * intermediate points at the typical norm of Gaussian samples) and arithmetic on codes
 * ("smiling woman − neutral woman + neutral man").
 */
import * as tf from '@tensorflow/tfjs';

/** How {@link interpolateLatents} moves from one code to another. */
export type InterpolationMethod = 'linear' | 'spherical';

function asVector(v: tf.Tensor | ArrayLike<number>, what: string): tf.Tensor1D {
  if (v instanceof tf.Tensor) {
    if (v.rank === 1) return v.clone() as tf.Tensor1D;
    if (v.rank === 2 && v.shape[0] === 1) return v.reshape([-1]) as tf.Tensor1D;
    throw new Error(`${what} must be one latent vector ([L] or [1, L]), got shape [${v.shape}]`);
  }
  return tf.tensor1d(Array.from(v), 'float32');
}

/**
 * `steps` points from `a` to `b` (both included) as a [steps, L] tensor. `spherical` follows the
 * great circle between the two directions while interpolating the norms linearly (slerp), so the
 * midpoint of two typical Gaussian codes stays typical instead of shrinking towards the origin.
 *
 * @example
 * ```ts
 * const path = interpolateLatents([0, 1], [1, 0], 5, 'spherical'); // [5, 2], norms stay 1
 * ```
 */
export function interpolateLatents(a: tf.Tensor | ArrayLike<number>, b: tf.Tensor | ArrayLike<number>, steps: number, method: InterpolationMethod = 'linear'): tf.Tensor2D {
  if (!Number.isInteger(steps) || steps < 2) throw new Error(`interpolation steps must be an integer >= 2, got ${steps}`);
  if (method !== 'linear' && method !== 'spherical') {
    throw new Error(`interpolation method must be "linear" or "spherical", got ${JSON.stringify(method)}`);
  }
  return tf.tidy(() => {
    const va = asVector(a, 'interpolateLatents: a');
    const vb = asVector(b, 'interpolateLatents: b');
    if (va.shape[0] !== vb.shape[0]) throw new Error(`interpolateLatents: a has ${va.shape[0]} dimensions but b has ${vb.shape[0]}`);
    const t = tf.linspace(0, 1, steps).reshape([steps, 1]); // [S, 1]
    const lerp = (p: tf.Tensor, q: tf.Tensor) => tf.add(tf.mul(tf.sub(1, t), p), tf.mul(t, q)); // [S, L]
    if (method === 'linear') return lerp(va, vb) as tf.Tensor2D;
    const na = tf.norm(va);
    const nb = tf.norm(vb);
    const ua = tf.div(va, tf.maximum(na, 1e-12)); // unit directions
    const ub = tf.div(vb, tf.maximum(nb, 1e-12));
    const cos = tf.clipByValue(tf.sum(tf.mul(ua, ub)), -1, 1);
    const omega = tf.acos(cos); // angle between the directions
    const sinOmega = tf.sin(omega);
    // Nearly parallel directions: slerp degenerates to lerp of the directions (chosen without reading the tensor).
    const slerpDir = tf.div(tf.add(tf.mul(tf.sin(tf.mul(tf.sub(1, t), omega)), ua), tf.mul(tf.sin(tf.mul(t, omega)), ub)), tf.maximum(sinOmega, 1e-6)); // [S, L]
    const dir = tf.where(tf.less(sinOmega, 1e-6), lerp(ua, ub), slerpDir); // [S, L]
    const norm = lerp(na, nb); // [S, 1]
    return tf.mul(dir, norm) as tf.Tensor2D;
  });
}

/**
 * Latent arithmetic: `a − b + c` on codes (or batches of codes of one shape) — the direction from
 * b to a, applied at c.
 *
 * @example
 * ```ts
 * const smilingMan = latentArithmetic(smilingWoman, neutralWoman, neutralMan);
 * ```
 */
export function latentArithmetic(a: tf.Tensor, b: tf.Tensor, c: tf.Tensor): tf.Tensor {
  if (!tf.util.arraysEqual(a.shape, b.shape) || !tf.util.arraysEqual(a.shape, c.shape)) {
    throw new Error(`latentArithmetic: a [${a.shape}], b [${b.shape}] and c [${c.shape}] must have one shape`);
  }
  return tf.tidy(() => tf.add(tf.sub(a, b), c));
}

/**
 * The mean of a batch of codes [N, L] as a [L] vector: the centre of a concept ("the average 7").
 *
 * @example
 * ```ts
 * const sevens = meanLatent(vae.encode(xSevens).mean);
 * ```
 */
export function meanLatent(codes: tf.Tensor2D): tf.Tensor1D {
  if (codes.rank !== 2 || codes.shape[0] === 0) throw new Error(`meanLatent needs a non-empty [N, L] batch of codes, got shape [${codes.shape}]`);
  return tf.tidy(() => tf.mean(codes, 0) as tf.Tensor1D);
}

/**
 * The direction from codes without an attribute to codes with it: `mean(with) − mean(without)`.
 * Add a multiple of it to any code to add the attribute.
 *
 * @example
 * ```ts
 * const thick = attributeVector(vae.encode(boldDigits).mean, vae.encode(thinDigits).mean);
 * const bolder = tf.add(z, tf.mul(1.5, thick));
 * ```
 */
export function attributeVector(withAttribute: tf.Tensor2D, withoutAttribute: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => tf.sub(meanLatent(withAttribute), meanLatent(withoutAttribute)) as tf.Tensor1D);
}

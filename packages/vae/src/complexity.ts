/**
 * Input complexity for anomaly scores. Likelihood-based detectors favour simple inputs: a model of
 * eights explains a thin "1" better than many eights, because a mostly black image is cheap to
 * describe whatever the model. Serrà et al. ("Input complexity and out-of-distribution detection
 * with likelihood-based generative models", ICLR 2020) measure that cheapness with a generic
 * compressor and subtract it. Here the per-example compressed length (8-bit pixels, DEFLATE at level
 * 9) is regressed out of the score with a slope fitted on normal data, because a VAE's score for
 * continuous pixels is not in the compressor's units.
 */
import { deflateSync } from 'fflate';
import * as tf from '@tensorflow/tfjs';

/**
 * The DEFLATE-compressed length in bits of each example of `x` [N, …], its values in [0, 1]
 * quantised to bytes: a generic measure of how complex each example is.
 *
 * @example
 * ```ts
 * const bits = await complexityBits(tf.zeros([2, 28, 28, 1])); // blank images compress to a few bytes
 * ```
 */
export async function complexityBits(x: tf.Tensor): Promise<Float64Array> {
  const n = x.shape[0];
  if (x.rank < 2 || !n) throw new Error(`complexityBits: x must be [N, …] with N ≥ 1, got shape [${x.shape}]`);
  const values = (await x.data()) as Float32Array;
  const per = values.length / n;
  const bytes = new Uint8Array(per);
  const bits = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < per; j++) {
      const v = values[i * per + j]!;
      if (!(v >= 0 && v <= 1)) throw new Error(`complexityBits: values must lie in [0, 1] (images), got ${v} at example ${i}`);
      bytes[j] = Math.round(255 * v);
    }
    bits[i] = 8 * deflateSync(bytes, { level: 9 }).length;
  }
  return bits;
}

/**
 * Least-squares slope of `scores` on `bits` (score units per bit): how much of the score of normal
 * examples their complexity explains.
 *
 * @example
 * ```ts
 * complexitySlope([3, 5, 7], [10, 20, 30]); // 0.2
 * ```
 */
export function complexitySlope(scores: ArrayLike<number>, bits: ArrayLike<number>): number {
  const n = scores.length;
  if (n !== bits.length) throw new Error(`complexitySlope: ${n} scores but ${bits.length} complexities; they must match`);
  if (n < 2) throw new Error(`complexitySlope: needs at least 2 examples, got ${n}`);
  let ms = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ms += scores[i]!;
    mb += bits[i]!;
  }
  ms /= n;
  mb /= n;
  let cov = 0;
  let varB = 0;
  for (let i = 0; i < n; i++) {
    cov += (scores[i]! - ms) * (bits[i]! - mb);
    varB += (bits[i]! - mb) ** 2;
  }
  if (varB === 0) throw new Error('complexitySlope: every example has the same complexity, so no slope can be fitted');
  return cov / varB;
}

/**
 * Scores less what complexity explains: `scores[i] − slope · bits[i]`.
 *
 * @example
 * ```ts
 * removeComplexity(Float32Array.from([3, 5]), [10, 20], 0.2); // Float32Array [1, 1]
 * ```
 */
export function removeComplexity(scores: Float32Array, bits: ArrayLike<number>, slope: number): Float32Array {
  if (scores.length !== bits.length) throw new Error(`removeComplexity: ${scores.length} scores but ${bits.length} complexities; they must match`);
  return scores.map((s, i) => s - slope * bits[i]!);
}

import type * as tf from '@tensorflow/tfjs';
import { featureMoments, traceSqrtProduct, type FeatureMoments } from './linalg.js';

/** Features as a [N, D] tensor, or moments computed once and reused (reference statistics). */
export type FeaturesOrMoments = tf.Tensor2D | FeatureMoments;

function isMoments(x: FeaturesOrMoments): x is FeatureMoments {
  return (x as FeatureMoments).cov instanceof Float64Array;
}

/**
 * Reads a [N, D] feature tensor and returns its mean and covariance in float64, so the reference
 * statistics of a data set can be computed once and kept.
 *
 * @example
 * ```ts
 * const ref = await momentsOf(await classifier.features(testImages)); // keep `ref` for many FIDs
 * ```
 */
export async function momentsOf(features: tf.Tensor2D): Promise<FeatureMoments> {
  if (features.rank !== 2) throw new Error(`features must be a [N, D] tensor, got shape [${features.shape}]`);
  const [n, d] = features.shape;
  return featureMoments(await features.data(), n, d);
}

/**
 * The Fréchet distance between two Gaussians N(μ₁, C₁) and N(μ₂, C₂):
 * ‖μ₁ − μ₂‖² + tr C₁ + tr C₂ − 2 tr √(C₁C₂), all in float64.
 *
 * @example
 * ```ts
 * frechetDistance(await momentsOf(realFeatures), await momentsOf(fakeFeatures));
 * ```
 */
export function frechetDistance(a: FeatureMoments, b: FeatureMoments): number {
  if (a.d !== b.d) throw new Error(`frechetDistance: feature widths differ (${a.d} vs ${b.d}); use the same feature extractor for both sets`);
  const d = a.d;
  let meanTerm = 0;
  for (let i = 0; i < d; i++) meanTerm += (a.mean[i]! - b.mean[i]!) ** 2;
  let traces = 0;
  for (let i = 0; i < d; i++) traces += a.cov[i * d + i]! + b.cov[i * d + i]!;
  const value = meanTerm + traces - 2 * traceSqrtProduct(a.cov, b.cov, d);
  // The distance is ≥ 0; rounding can leave −1e-12 for identical sets.
  return Math.max(value, 0);
}

/**
 * Fréchet Inception Distance between real and generated features (here: the penultimate layer of
 * the package's classifier, the MNIST-FID convention). Lower is better; a set against itself is 0.
 *
 * @example
 * ```ts
 * const score = await fid(await clf.features(real), await clf.features(fake));
 * ```
 */
export async function fid(real: FeaturesOrMoments, fake: FeaturesOrMoments): Promise<number> {
  const a = isMoments(real) ? real : await momentsOf(real);
  const b = isMoments(fake) ? fake : await momentsOf(fake);
  return frechetDistance(a, b);
}

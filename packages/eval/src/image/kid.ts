import * as tf from '@tensorflow/tfjs';
import { Rng } from '@genloom/core';

/** Options of {@link kid}. */
export interface KidOptions {
  /** Number of random subsets the MMD is averaged over (default 100). */
  subsets?: number;
  /** Size of each subset (default 1000, capped at the smaller set). */
  subsetSize?: number;
  /** Polynomial kernel k(x, y) = (γ·xᵀy + c)^degree; default degree 3. */
  degree?: number;
  /** Default 1 / feature width. */
  gamma?: number;
  /** Default 1. */
  coef0?: number;
  /** Seed of the subset draws (default 0). */
  seed?: number;
}

/** Kernel Inception Distance: the unbiased MMD² estimate, averaged over subsets. */
export interface KidResult {
  mean: number;
  /** Standard deviation over subsets (population, as torch-fidelity reports it). */
  std: number;
  subsets: number;
  subsetSize: number;
}

/** (aγ·bᵀ + c)^degree for a left factor already scaled by γ. */
function kernel(aScaled: tf.Tensor2D, bT: tf.Tensor2D, coef0: number, degree: number): tf.Tensor2D {
  const base = tf.add(tf.matMul(aScaled, bT), coef0); // [m, m]
  return (degree === 3 ? tf.mul(tf.mul(base, base), base) : tf.pow(base, degree)) as tf.Tensor2D;
}

/**
 * Kernel Inception Distance (Bińkowski et al., 2018): the unbiased estimate of the squared maximum
 * mean discrepancy between real and generated features under the cubic polynomial kernel,
 * averaged over random subsets. Unlike FID it has no bias from the sample size: two samples of one
 * distribution score ≈ 0 (and can score slightly below 0).
 *
 * The kernel matrices are computed on the tfjs backend (matmuls); only their row sums are read and
 * summed in float64.
 *
 * @example
 * ```ts
 * const { mean, std } = await kid(realFeatures, fakeFeatures, { subsets: 100, subsetSize: 1000 });
 * ```
 */
export async function kid(real: tf.Tensor2D, fake: tf.Tensor2D, opts: KidOptions = {}): Promise<KidResult> {
  if (real.rank !== 2 || fake.rank !== 2) throw new Error(`kid needs [N, D] feature tensors, got [${real.shape}] and [${fake.shape}]`);
  const d = real.shape[1];
  if (fake.shape[1] !== d) throw new Error(`kid: feature widths differ (${d} vs ${fake.shape[1]})`);
  const subsets = opts.subsets ?? 100;
  const m = Math.min(opts.subsetSize ?? 1000, real.shape[0], fake.shape[0]);
  if (!Number.isInteger(subsets) || subsets < 1) throw new Error(`kid: subsets must be a positive integer, got ${subsets}`);
  if (!(m >= 2)) throw new Error(`kid: each set needs at least 2 samples, got ${real.shape[0]} real and ${fake.shape[0]} generated`);
  const gamma = opts.gamma ?? 1 / d;
  const coef0 = opts.coef0 ?? 1;
  const degree = opts.degree ?? 3;
  const rng = new Rng(opts.seed ?? 0);
  // Subsets are assembled on the CPU from one read of each set: gathers are slow on wasm.
  const [realData, fakeData] = await Promise.all([real.data(), fake.data()]);
  const subset = (data: ArrayLike<number>, n: number) => {
    const idx = rng.permutation(n);
    const out = new Float32Array(m * d);
    for (let i = 0; i < m; i++) {
      const o = idx[i]! * d;
      for (let j = 0; j < d; j++) out[i * d + j] = data[o + j]!;
    }
    return out;
  };
  const parts: tf.Tensor2D[] = [];
  try {
    for (let s = 0; s < subsets; s++) {
      const xs = subset(realData, real.shape[0]);
      const ys = subset(fakeData, fake.shape[0]);
      parts.push(
        tf.tidy(() => {
          const x = tf.tensor2d(xs, [m, d]); // [m, D]
          const y = tf.tensor2d(ys, [m, d]); // [m, D]
          // γ is folded into the left factor ([m, D], cheap) instead of the [m, m] product.
          const xg = tf.mul(x, gamma) as tf.Tensor2D;
          const yg = tf.mul(y, gamma) as tf.Tensor2D;
          // Explicit transposes: transposed matmuls are slow on wasm.
          const xT = tf.transpose(x) as tf.Tensor2D; // [D, m]
          const yT = tf.transpose(y) as tf.Tensor2D;
          const diag = (z: tf.Tensor2D, zg: tf.Tensor2D) => tf.pow(tf.add(tf.sum(tf.mul(z, zg), 1), coef0), degree); // [m]
          return tf.stack([
            tf.sum(kernel(xg, xT, coef0, degree), 1),
            diag(x, xg),
            tf.sum(kernel(yg, yT, coef0, degree), 1),
            diag(y, yg),
            tf.sum(kernel(xg, yT, coef0, degree), 1),
          ]) as tf.Tensor2D; // [5, m]
        }),
      );
    }
    const all = tf.concat(parts);
    const values = await all.data();
    all.dispose();
    const estimates: number[] = [];
    const sum = (row: number, s: number) => {
      let acc = 0;
      const o = (s * 5 + row) * m;
      for (let i = 0; i < m; i++) acc += values[o + i]!;
      return acc;
    };
    for (let s = 0; s < subsets; s++) {
      const kxx = (sum(0, s) - sum(1, s)) / (m * (m - 1));
      const kyy = (sum(2, s) - sum(3, s)) / (m * (m - 1));
      const kxy = sum(4, s) / (m * m);
      estimates.push(kxx + kyy - 2 * kxy);
    }
    const mean = estimates.reduce((a, b) => a + b, 0) / subsets;
    const std = Math.sqrt(estimates.reduce((a, b) => a + (b - mean) ** 2, 0) / subsets);
    return { mean, std, subsets, subsetSize: m };
  } finally {
    tf.dispose(parts);
  }
}

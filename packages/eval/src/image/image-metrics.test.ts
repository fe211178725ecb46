import * as tf from '@tensorflow/tfjs';
import { initBackend, Rng } from '@genloom/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { classCoverage, conditionalAccuracy, inceptionScore } from './classifier-scores.js';
import { fid, frechetDistance, momentsOf } from './fid.js';
import { kid } from './kid.js';
import { featureMoments, psdSqrt, symmetricEigen, traceSqrtProduct } from './linalg.js';
import { precisionRecall } from './precision-recall.js';
import { classifierTwoSampleTest } from './two-sample.js';

beforeAll(async () => {
  await initBackend('wasm');
});

/** n samples of N(mean, A·Aᵀ): x = mean + A·z. */
function gaussian(n: number, mean: number[], a: number[][], seed: number): Float32Array {
  const rng = new Rng(seed);
  const d = mean.length;
  const out = new Float32Array(n * d);
  const z = new Float64Array(a[0]!.length);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < z.length; k++) z[k] = rng.normal();
    for (let j = 0; j < d; j++) {
      let v = mean[j]!;
      for (let k = 0; k < z.length; k++) v += a[j]![k]! * z[k]!;
      out[i * d + j] = v;
    }
  }
  return out;
}

const moments = (mean: number[], cov: number[]) => ({ n: 0, d: mean.length, mean: Float64Array.from(mean), cov: Float64Array.from(cov) });

describe('float64 linear algebra', () => {
  it('Jacobi eigen-decomposition reconstructs a random symmetric matrix', () => {
    const d = 12;
    const rng = new Rng(3);
    const a = new Float64Array(d * d);
    for (let i = 0; i < d; i++) for (let j = i; j < d; j++) a[i * d + j] = a[j * d + i] = rng.normal();
    const { values, vectors } = symmetricEigen(a, d);
    let maxErr = 0;
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) {
        let s = 0;
        for (let k = 0; k < d; k++) s += vectors[i * d + k]! * values[k]! * vectors[j * d + k]!;
        maxErr = Math.max(maxErr, Math.abs(s - a[i * d + j]!));
      }
    }
    expect(maxErr).toBeLessThan(1e-12);
    expect(() => symmetricEigen([1, 2, 3, 4], 2)).toThrow(/not symmetric/);
  });

  it('the PSD square root squares back, and tr √(C₁C₂) matches the 2×2 closed form', () => {
    const s = psdSqrt([4, 2, 2, 3], 2);
    const sq = [s[0]! * s[0]! + s[1]! * s[2]!, s[0]! * s[1]! + s[1]! * s[3]!, s[2]! * s[0]! + s[3]! * s[2]!, s[2]! * s[1]! + s[3]! * s[3]!];
    sq.forEach((v, i) => expect(v).toBeCloseTo([4, 2, 2, 3][i]!, 12));
    // For 2×2, tr √M = √(tr M + 2√det M) with M = C₁C₂ (det M = det C₁ · det C₂).
    const c1 = [2, 0.5, 0.5, 1];
    const c2 = [1, -0.3, -0.3, 3];
    const trM = c1[0]! * c2[0]! + c1[1]! * c2[2]! + c1[2]! * c2[1]! + c1[3]! * c2[3]!;
    const detM = (c1[0]! * c1[3]! - c1[1]! * c1[2]!) * (c2[0]! * c2[3]! - c2[1]! * c2[2]!);
    expect(traceSqrtProduct(c1, c2, 2)).toBeCloseTo(Math.sqrt(trM + 2 * Math.sqrt(detM)), 12);
    // A singular C₁ (rank 1): det = 0, tr √(C₁C₂) = √tr(C₁C₂) = √3.
    expect(traceSqrtProduct([1, 1, 1, 1], [2, 0, 0, 1], 2)).toBeCloseTo(Math.sqrt(3), 12);
  });
});

describe('FID', () => {
  it('matches the closed form for two known Gaussians, diagonal and not', () => {
    // Commuting diagonal covariances: ‖Δμ‖² + Σ (σ₁ − σ₂)².
    expect(frechetDistance(moments([0, 0], [4, 0, 0, 1]), moments([1, 2], [1, 0, 0, 9]))).toBeCloseTo(5 + 1 + 4, 12);
    const c1 = [2, 0.5, 0.5, 1];
    const c2 = [1, -0.3, -0.3, 3];
    const trM = 2 * 1 + 0.5 * -0.3 + 0.5 * -0.3 + 1 * 3;
    const detM = (2 - 0.25) * (3 - 0.09);
    const closed = 1 + 2 + 1 + 3 + 1 - 2 * Math.sqrt(trM + 2 * Math.sqrt(detM));
    expect(frechetDistance(moments([0, 1], c1), moments([1, 1], c2))).toBeCloseTo(closed, 12);
  });

  it('of a set with itself is 0, also with a singular covariance (fewer samples than dimensions)', async () => {
    const wide = tf.tensor2d(gaussian(20, new Array(32).fill(0), Array.from({ length: 32 }, (_, j) => Array.from({ length: 32 }, (_, k) => (j === k ? 1 : 0.1))), 5), [20, 32]);
    expect(await fid(wide, wide)).toBeLessThan(1e-8);
    wide.dispose();
  });

  it('estimated from samples approaches the closed form', async () => {
    const n = 20000;
    const a1 = [[1, 0, 0], [0.5, 1, 0], [0, 0.3, 0.5]];
    const a2 = [[0.8, 0.2, 0], [0, 1.5, 0], [0.4, 0, 1]];
    const x = tf.tensor2d(gaussian(n, [0, 0, 0], a1, 1), [n, 3]);
    const y = tf.tensor2d(gaussian(n, [1, 0, -1], a2, 2), [n, 3]);
    const cov = (a: number[][]) => a.flatMap((r) => a.map((s) => r.reduce((t, v, k) => t + v * s[k]!, 0)));
    const exact = frechetDistance(moments([0, 0, 0], cov(a1)), moments([1, 0, -1], cov(a2)));
    expect(Math.abs((await fid(x, y)) - exact)).toBeLessThan(0.05 * exact);
    const m = await momentsOf(x);
    expect(await fid(m, x)).toBeLessThan(1e-9);
    tf.dispose([x, y]);
  });

  it('computes moments in float64 as numpy would', () => {
    const m = featureMoments(new Float32Array([1, 2, 3, 4, 5, 9]), 3, 2);
    expect(Array.from(m.mean)).toEqual([3, 5]);
    expect(Array.from(m.cov)).toEqual([4, 7, 7, 13]);
  });
});

/** Unbiased MMD² with the cubic kernel, computed naively in float64 as an independent reference. */
function naiveMmd(x: Float32Array, y: Float32Array, n: number, d: number): number {
  const k = (a: Float32Array, i: number, b: Float32Array, j: number) => {
    let dot = 0;
    for (let t = 0; t < d; t++) dot += a[i * d + t]! * b[j * d + t]!;
    return (dot / d + 1) ** 3;
  };
  let xx = 0;
  let yy = 0;
  let xy = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (i !== j) {
        xx += k(x, i, x, j);
        yy += k(y, i, y, j);
      }
      xy += k(x, i, y, j);
    }
  }
  return xx / (n * (n - 1)) + yy / (n * (n - 1)) - (2 * xy) / (n * n);
}

describe('KID', () => {
  it('equals the naive unbiased MMD² when one subset holds every sample', async () => {
    const n = 150;
    const d = 6;
    const xs = gaussian(n, new Array(d).fill(0), Array.from({ length: d }, (_, j) => Array.from({ length: d }, (_, k) => (j === k ? 1 : 0))), 7);
    const ys = gaussian(n, new Array(d).fill(0.3), Array.from({ length: d }, (_, j) => Array.from({ length: d }, (_, k) => (j === k ? 1.2 : 0))), 8);
    const x = tf.tensor2d(xs, [n, d]);
    const y = tf.tensor2d(ys, [n, d]);
    const before = tf.memory().numTensors;
    const r = await kid(x, y, { subsets: 1, subsetSize: n });
    expect(tf.memory().numTensors).toBe(before);
    expect(r.mean).toBeCloseTo(naiveMmd(xs, ys, n, d), 4);
    expect(r.std).toBe(0);
    tf.dispose([x, y]);
  });

  it('is ≈ 0 for two samples of one distribution and clearly positive for different ones', async () => {
    const d = 16;
    const eye = Array.from({ length: d }, (_, j) => Array.from({ length: d }, (_, k) => (j === k ? 1 : 0)));
    const a = tf.tensor2d(gaussian(2000, new Array(d).fill(0), eye, 11), [2000, d]);
    const b = tf.tensor2d(gaussian(2000, new Array(d).fill(0), eye, 12), [2000, d]);
    const c = tf.tensor2d(gaussian(2000, new Array(d).fill(0.5), eye, 13), [2000, d]);
    const same = await kid(a, b, { subsets: 20, subsetSize: 500, seed: 1 });
    const diff = await kid(a, c, { subsets: 20, subsetSize: 500, seed: 1 });
    expect(Math.abs(same.mean)).toBeLessThan(3 * same.std / Math.sqrt(20) + 1e-4);
    expect(diff.mean).toBeGreaterThan(20 * Math.abs(same.mean) + 10 * diff.std / Math.sqrt(20));
    tf.dispose([a, b, c]);
  });
});

/** Brute-force improved precision/recall in float64: the independent reference. */
function naivePrecisionRecall(r: Float32Array, g: Float32Array, n: number, m: number, d: number, k: number) {
  const dist = (a: Float32Array, i: number, b: Float32Array, j: number) => {
    let s = 0;
    for (let t = 0; t < d; t++) s += (a[i * d + t]! - b[j * d + t]!) ** 2;
    return s;
  };
  const radii = (a: Float32Array, count: number) =>
    Array.from({ length: count }, (_, i) => Array.from({ length: count }, (_, j) => dist(a, i, a, j)).sort((p, q) => p - q)[k]!);
  const rr = radii(r, n);
  const rg = radii(g, m);
  let prec = 0;
  for (let j = 0; j < m; j++) if (rr.some((rad, i) => dist(g, j, r, i) <= rad)) prec++;
  let rec = 0;
  for (let i = 0; i < n; i++) if (rg.some((rad, j) => dist(r, i, g, j) <= rad)) rec++;
  return { precision: prec / m, recall: rec / n };
}

describe('improved precision and recall', () => {
  it('matches a brute-force computation, across block boundaries', async () => {
    const d = 5;
    const eye = Array.from({ length: d }, (_, j) => Array.from({ length: d }, (_, k) => (j === k ? 1 : 0)));
    const rs = gaussian(180, new Array(d).fill(0), eye, 21);
    const gs = gaussian(130, new Array(d).fill(0.6), eye.map((row) => row.map((v) => v * 0.5)), 22);
    const r = tf.tensor2d(rs, [180, d]);
    const g = tf.tensor2d(gs, [130, d]);
    const want = naivePrecisionRecall(rs, gs, 180, 130, d, 3);
    const before = tf.memory().numTensors;
    const got = await precisionRecall(r, g, { blockSize: 64 });
    expect(tf.memory().numTensors).toBe(before);
    expect(got.precision).toBeCloseTo(want.precision, 10);
    expect(got.recall).toBeCloseTo(want.recall, 10);
    // A collapsed generator (narrow) is precise but has low recall.
    expect(got.precision).toBeGreaterThan(got.recall);
    const self = await precisionRecall(r, r);
    expect([self.precision, self.recall]).toEqual([1, 1]);
    tf.dispose([r, g]);
  });
});

describe('classifier scores', () => {
  it('Inception Score is the number of classes for confident balanced predictions and 1 for a single class', async () => {
    const balanced = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 'int32'), 10).cast('float32') as tf.Tensor2D;
    expect((await inceptionScore(balanced, { splits: 1 })).mean).toBeCloseTo(10, 10);
    const collapsed = tf.oneHot(tf.tensor1d([3, 3, 3, 3], 'int32'), 10).cast('float32') as tf.Tensor2D;
    expect((await inceptionScore(collapsed, { splits: 2 })).mean).toBeCloseTo(1, 10);
    // Two samples, two classes: p = [0.9, 0.1] and [0.1, 0.9]; marginal uniform;
    // KL = 0.9 ln 1.8 + 0.1 ln 0.2 for each → IS = exp of that.
    const soft = tf.tensor2d([[0.9, 0.1], [0.1, 0.9]]);
    expect((await inceptionScore(soft, { splits: 1 })).mean).toBeCloseTo(Math.exp(0.9 * Math.log(1.8) + 0.1 * Math.log(0.2)), 6);
    tf.dispose([balanced, collapsed, soft]);
  });

  it('counts covered modes, missing classes and conditional accuracy', async () => {
    const probs = tf.oneHot(tf.tensor1d([0, 0, 1, 1, 1, 2, 0, 1], 'int32'), 4).cast('float32') as tf.Tensor2D;
    const cov = await classCoverage(probs, { minCount: 1 });
    expect(cov.counts).toEqual([3, 4, 1, 0]);
    expect(cov.modes).toBe(3);
    expect(cov.coverage).toBe(0.75);
    expect(cov.missing).toEqual([3]);
    expect(await conditionalAccuracy(probs, [0, 1, 1, 1, 1, 2, 3, 3])).toBe(5 / 8);
    await expect(conditionalAccuracy(probs, [0])).rejects.toThrow(/8 predictions but 1 labels/);
    probs.dispose();
  });
});

describe('classifier two-sample test', () => {
  it('is near chance for one distribution and near 1 for clearly different ones, without leaks', async () => {
    const d = 8;
    const eye = Array.from({ length: d }, (_, j) => Array.from({ length: d }, (_, k) => (j === k ? 1 : 0)));
    const a = tf.tensor2d(gaussian(1000, new Array(d).fill(0), eye, 31), [1000, d]);
    const b = tf.tensor2d(gaussian(1000, new Array(d).fill(0), eye, 32), [1000, d]);
    const c = tf.tensor2d(gaussian(1000, new Array(d).fill(0.8), eye, 33), [1000, d]);
    const before = tf.memory().numTensors;
    const same = await classifierTwoSampleTest(a, b, { seed: 1, steps: 200 });
    const diff = await classifierTwoSampleTest(a, c, { seed: 1, steps: 200 });
    expect(tf.memory().numTensors).toBe(before);
    expect(Math.abs(same.accuracy - 0.5)).toBeLessThan(0.07);
    expect(same.pValue).toBeGreaterThan(0.01);
    expect(diff.accuracy).toBeGreaterThan(0.85);
    expect(diff.pValue).toBeLessThan(1e-6);
    tf.dispose([a, b, c]);
  });
});

/**
 * Small dense linear algebra in float64 for the Fréchet distance: feature moments, a Jacobi
 * eigensolver for symmetric matrices, and the trace of the square root of a product of two
 * covariances. Matrices are row-major `Float64Array`s of size d×d; d is a feature width (64–512),
 * so O(d³) in plain JavaScript takes milliseconds.
 */

/** Mean and covariance of a set of feature vectors. */
export interface FeatureMoments {
  /** Number of vectors the moments were computed from. */
  n: number;
  /** Feature width. */
  d: number;
  /** [d] mean vector. */
  mean: Float64Array;
  /** [d, d] row-major covariance, normalised by n − 1 (numpy's `np.cov` default). */
  cov: Float64Array;
}

/**
 * Mean and unbiased covariance of `n` row vectors of width `d`, accumulated in float64.
 *
 * @example
 * ```ts
 * const m = featureMoments(new Float32Array([0, 0, 2, 2]), 2, 2);
 * m.mean; // [1, 1]
 * m.cov;  // [2, 2, 2, 2]
 * ```
 */
export function featureMoments(rows: ArrayLike<number>, n: number, d: number): FeatureMoments {
  if (!Number.isInteger(n) || !Number.isInteger(d) || n < 2 || d < 1) {
    throw new Error(`featureMoments needs at least 2 rows and 1 column, got n=${n}, d=${d}`);
  }
  if (rows.length !== n * d) throw new Error(`featureMoments: ${rows.length} values do not make ${n} rows of width ${d}`);
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    const o = i * d;
    for (let j = 0; j < d; j++) mean[j]! += rows[o + j]!;
  }
  for (let j = 0; j < d; j++) mean[j]! /= n;
  // Accumulate the upper triangle of Σ (x − μ)(x − μ)ᵀ one centred row at a time.
  const cov = new Float64Array(d * d);
  const centred = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    const o = i * d;
    for (let j = 0; j < d; j++) {
      const v = rows[o + j]!;
      if (!Number.isFinite(v)) throw new Error(`featureMoments: row ${i}, column ${j} is ${v}; features must be finite`);
      centred[j] = v - mean[j]!;
    }
    for (let a = 0; a < d; a++) {
      const ca = centred[a]!;
      if (ca === 0) continue;
      const base = a * d;
      for (let b = a; b < d; b++) cov[base + b]! += ca * centred[b]!;
    }
  }
  for (let a = 0; a < d; a++) {
    for (let b = a; b < d; b++) {
      const v = cov[a * d + b]! / (n - 1);
      cov[a * d + b] = v;
      cov[b * d + a] = v;
    }
  }
  return { n, d, mean, cov };
}

/** Eigen-decomposition of a symmetric matrix: A = V·diag(values)·Vᵀ, eigenvectors in V's columns. */
export interface SymmetricEigen {
  values: Float64Array;
  /** [d, d] row-major; column k is the eigenvector of values[k]. */
  vectors: Float64Array;
}

/**
 * Eigenvalues and eigenvectors of a symmetric matrix by cyclic Jacobi rotations in float64. Jacobi
 * is slow for large d but accurate to machine precision even for tiny eigenvalues, and it handles
 * singular and indefinite matrices without special cases.
 *
 * @example
 * ```ts
 * const { values } = symmetricEigen(new Float64Array([2, 1, 1, 2]), 2);
 * // values ≈ [1, 3] (in no particular order)
 * ```
 */
export function symmetricEigen(matrix: ArrayLike<number>, d: number, opts: { maxSweeps?: number } = {}): SymmetricEigen {
  if (matrix.length !== d * d) throw new Error(`symmetricEigen: expected ${d}×${d} = ${d * d} values, got ${matrix.length}`);
  const a = Float64Array.from(matrix);
  for (let i = 0; i < d; i++) {
    for (let j = i + 1; j < d; j++) {
      const x = a[i * d + j]!;
      const y = a[j * d + i]!;
      if (Math.abs(x - y) > 1e-9 * (Math.abs(x) + Math.abs(y) + 1e-300)) {
        throw new Error(`symmetricEigen: the matrix is not symmetric (entry [${i}, ${j}] = ${x}, [${j}, ${i}] = ${y})`);
      }
      a[i * d + j] = a[j * d + i] = 0.5 * (x + y);
    }
  }
  const v = new Float64Array(d * d);
  for (let i = 0; i < d; i++) v[i * d + i] = 1;
  const maxSweeps = opts.maxSweeps ?? 100;
  let scale = 0;
  for (let i = 0; i < d * d; i++) scale += a[i]! * a[i]!;
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let off = 0;
    for (let p = 0; p < d; p++) for (let q = p + 1; q < d; q++) off += a[p * d + q]! * a[p * d + q]!;
    if (off <= 1e-30 * scale || off === 0) break;
    for (let p = 0; p < d; p++) {
      for (let q = p + 1; q < d; q++) {
        const apq = a[p * d + q]!;
        if (apq === 0) continue;
        const app = a[p * d + p]!;
        const aqq = a[q * d + q]!;
        // The rotation angle that zeroes a[p][q]: t = tan θ, the smaller root for stability.
        const theta = (aqq - app) / (2 * apq);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        // A ← Jᵀ A J: columns p and q, then rows p and q.
        for (let k = 0; k < d; k++) {
          const akp = a[k * d + p]!;
          const akq = a[k * d + q]!;
          a[k * d + p] = c * akp - s * akq;
          a[k * d + q] = s * akp + c * akq;
        }
        for (let k = 0; k < d; k++) {
          const apk = a[p * d + k]!;
          const aqk = a[q * d + k]!;
          a[p * d + k] = c * apk - s * aqk;
          a[q * d + k] = s * apk + c * aqk;
        }
        a[p * d + q] = a[q * d + p] = 0;
        for (let k = 0; k < d; k++) {
          const vkp = v[k * d + p]!;
          const vkq = v[k * d + q]!;
          v[k * d + p] = c * vkp - s * vkq;
          v[k * d + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const values = new Float64Array(d);
  for (let i = 0; i < d; i++) values[i] = a[i * d + i]!;
  return { values, vectors: v };
}

/** C = A·B for d×d row-major matrices. */
export function matMul64(a: Float64Array, b: Float64Array, d: number): Float64Array {
  const c = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let k = 0; k < d; k++) {
      const aik = a[i * d + k]!;
      if (aik === 0) continue;
      const bo = k * d;
      const co = i * d;
      for (let j = 0; j < d; j++) c[co + j]! += aik * b[bo + j]!;
    }
  }
  return c;
}

/**
 * The principal square root of a symmetric positive semi-definite matrix, V·diag(√λ)·Vᵀ, with
 * eigenvalues that rounding pushed below zero clamped to 0.
 *
 * @example
 * ```ts
 * psdSqrt(new Float64Array([4, 0, 0, 9]), 2); // [2, 0, 0, 3]
 * ```
 */
export function psdSqrt(matrix: ArrayLike<number>, d: number): Float64Array {
  const { values, vectors } = symmetricEigen(matrix, d);
  const out = new Float64Array(d * d);
  for (let k = 0; k < d; k++) {
    const r = Math.sqrt(Math.max(values[k]!, 0));
    if (r === 0) continue;
    for (let i = 0; i < d; i++) {
      const vik = vectors[i * d + k]! * r;
      if (vik === 0) continue;
      for (let j = 0; j < d; j++) out[i * d + j]! += vik * vectors[j * d + k]!;
    }
  }
  return out;
}

/**
 * tr √(C₁·C₂) for two covariance matrices. C₁C₂ is not symmetric, but it is similar to the
 * symmetric PSD matrix √C₁·C₂·√C₁, which has the same eigenvalues; so the trace is the sum of the
 * square roots of that matrix's eigenvalues. This stays real and stable when either matrix is
 * singular (fewer samples than dimensions, dead features), where an iterative square root of C₁C₂
 * returns complex parts.
 *
 * @example
 * ```ts
 * traceSqrtProduct(new Float64Array([4, 0, 0, 1]), new Float64Array([1, 0, 0, 4]), 2); // 4
 * ```
 */
export function traceSqrtProduct(c1: ArrayLike<number>, c2: ArrayLike<number>, d: number): number {
  const s = psdSqrt(c1, d);
  const m = matMul64(matMul64(s, Float64Array.from(c2), d), s, d);
  // Symmetrise away rounding before the eigensolver's symmetry check.
  for (let i = 0; i < d; i++) {
    for (let j = i + 1; j < d; j++) {
      const avg = 0.5 * (m[i * d + j]! + m[j * d + i]!);
      m[i * d + j] = m[j * d + i] = avg;
    }
  }
  const { values } = symmetricEigen(m, d);
  let trace = 0;
  for (let k = 0; k < d; k++) trace += Math.sqrt(Math.max(values[k]!, 0));
  return trace;
}

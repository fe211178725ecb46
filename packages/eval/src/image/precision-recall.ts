import * as tf from '@tensorflow/tfjs';

/** Options of {@link precisionRecall}. */
export interface PrecisionRecallOptions {
  /** Neighbourhood size of the k-NN radii (default 3, as in the paper). */
  k?: number;
  /** Rows of the distance matrix computed at once (default 1000): memory ≈ rows × N × 4 bytes × a few. */
  blockSize?: number;
}

/** Improved precision and recall, both in [0, 1]. */
export interface PrecisionRecallResult {
  /** Share of generated samples inside the real manifold: fidelity. */
  precision: number;
  /** Share of real samples inside the generated manifold: diversity / coverage. */
  recall: number;
  k: number;
}

/**
 * Squared distance from each row of `x` to its k-th nearest other row: the radius of its k-NN ball.
 * ‖a − b‖² = ‖a‖² + ‖b‖² − 2a·b; the row's own ‖a‖² does not change which columns are nearest, so
 * the top-k runs on 2a·b − ‖b‖² (one matmul with a pre-doubled right side, one broadcast subtract).
 */
function knnRadii(x: tf.Tensor2D, x2T: tf.Tensor2D, norms: tf.Tensor1D, k: number, blockSize: number): tf.Tensor1D {
  const n = x.shape[0];
  if (n <= k) throw new Error(`precisionRecall needs more than k=${k} samples in each set, got ${n}`);
  const blocks: tf.Tensor1D[] = [];
  for (let start = 0; start < n; start += blockSize) {
    const size = Math.min(blockSize, n - start);
    blocks.push(
      tf.tidy(() => {
        const a = tf.slice(x, [start, 0], [size, -1]) as tf.Tensor2D; // [b, D]
        const score = tf.sub(tf.matMul(a, x2T), norms); // [b, N] = ‖a‖² − distance²
        // The k+1 largest scores include the point itself (distance 0); the last is the k-th neighbour.
        const { values } = tf.topk(score, k + 1); // [b, k+1]
        const kth = tf.squeeze(tf.slice(values, [0, k], [-1, 1]), [1]); // [b]
        return tf.relu(tf.sub(tf.slice(norms, [start], [size]), kth)) as tf.Tensor1D; // [b]
      }),
    );
  }
  const radii = tf.concat(blocks) as tf.Tensor1D;
  tf.dispose(blocks);
  return radii;
}

/**
 * One pass over the generated × real distance matrix, in blocks of generated rows, answering both
 * questions: is each generated sample inside some real ball (precision), and is each real sample
 * inside some generated ball (recall). A point q is inside the ball (c, r²) when
 * ‖q‖² + ‖c‖² − 2q·c ≤ r², i.e. 2q·c − ‖c‖² + r² ≥ ‖q‖²; so "inside some ball" is a max over
 * centres compared once per point (a broadcast comparison of the whole block is slow on wasm).
 */
async function manifoldCounts(
  real: tf.Tensor2D,
  fake: tf.Tensor2D,
  realRadii: tf.Tensor1D,
  fakeRadii: tf.Tensor1D,
  blockSize: number,
): Promise<{ fakeInside: number; realInside: number }> {
  const [realNorms, real2T, realOffset, fakeNorms] = tf.tidy(() => {
    const norms = tf.sum(tf.square(real), 1) as tf.Tensor1D; // [Nr]
    return [norms, tf.mul(tf.transpose(real), 2) as tf.Tensor2D, tf.sub(realRadii, norms) as tf.Tensor1D, tf.sum(tf.square(fake), 1) as tf.Tensor1D];
  });
  // Best (largest) 2q·c − ‖q‖² + r_q² over the generated q seen so far, per real c.
  let realBest = tf.fill([real.shape[0]], -Infinity) as tf.Tensor1D;
  const fakeCounts: tf.Scalar[] = [];
  try {
    for (let start = 0; start < fake.shape[0]; start += blockSize) {
      const size = Math.min(blockSize, fake.shape[0] - start);
      const [count, best] = tf.tidy(() => {
        const q = tf.slice(fake, [start, 0], [size, -1]) as tf.Tensor2D; // [b, D]
        const qNorms = tf.slice(fakeNorms, [start], [size]); // [b]
        const cross2 = tf.matMul(q, real2T); // [b, Nr] = 2 q·c
        // Generated q inside some real ball: max_c (2q·c − ‖c‖² + r_c²) ≥ ‖q‖².
        const inReal = tf.greaterEqual(tf.max(tf.add(cross2, realOffset), 1), qNorms); // [b]
        // Real c inside some generated ball: max_q (2q·c − ‖q‖² + r_q²) ≥ ‖c‖².
        const qOffset = tf.sub(tf.slice(fakeRadii, [start], [size]), qNorms).reshape([size, 1]); // [b, 1]
        const colBest = tf.max(tf.add(cross2, qOffset), 0); // [Nr]
        return [tf.sum(tf.cast(inReal, 'float32')) as tf.Scalar, tf.maximum(realBest, colBest) as tf.Tensor1D];
      });
      fakeCounts.push(count);
      realBest.dispose();
      realBest = best;
    }
    const totals = tf.tidy(() => tf.stack([tf.addN(fakeCounts), tf.sum(tf.cast(tf.greaterEqual(realBest, realNorms), 'float32'))]));
    const [fakeInside, realInside] = await totals.data();
    totals.dispose();
    return { fakeInside: fakeInside!, realInside: realInside! };
  } finally {
    tf.dispose([realNorms, real2T, realOffset, fakeNorms, realBest, ...fakeCounts]);
  }
}

/**
 * Improved precision and recall (Kynkäänniemi et al., 2019). Each set's manifold is the union of
 * balls around its samples, each ball reaching to the sample's k-th nearest neighbour (k = 3).
 * Precision is the share of generated samples inside the real manifold (are samples realistic?);
 * recall is the share of real samples inside the generated manifold (is the data covered?).
 *
 * Pairwise distances are matmuls on the tfjs backend, in row blocks, so 10k×10k stays in memory.
 *
 * @example
 * ```ts
 * const { precision, recall } = await precisionRecall(realFeatures, fakeFeatures); // k = 3
 * ```
 */
export async function precisionRecall(real: tf.Tensor2D, fake: tf.Tensor2D, opts: PrecisionRecallOptions = {}): Promise<PrecisionRecallResult> {
  if (real.rank !== 2 || fake.rank !== 2) throw new Error(`precisionRecall needs [N, D] feature tensors, got [${real.shape}] and [${fake.shape}]`);
  if (real.shape[1] !== fake.shape[1]) throw new Error(`precisionRecall: feature widths differ (${real.shape[1]} vs ${fake.shape[1]})`);
  const k = opts.k ?? 3;
  const blockSize = opts.blockSize ?? 1000;
  if (!Number.isInteger(k) || k < 1) throw new Error(`precisionRecall: k must be a positive integer, got ${k}`);
  const keep: tf.Tensor[] = [];
  try {
    for (const x of [real, fake]) {
      const [x2T, norms] = tf.tidy(() => [tf.mul(tf.transpose(x), 2) as tf.Tensor2D, tf.sum(tf.square(x), 1) as tf.Tensor1D]);
      keep.push(x2T, norms);
      keep.push(knnRadii(x, x2T, norms, k, blockSize));
    }
    const { fakeInside, realInside } = await manifoldCounts(real, fake, keep[2] as tf.Tensor1D, keep[5] as tf.Tensor1D, blockSize);
    return { precision: fakeInside / fake.shape[0], recall: realInside / real.shape[0], k };
  } finally {
    tf.dispose(keep);
  }
}

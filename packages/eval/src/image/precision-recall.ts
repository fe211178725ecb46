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

/** Squared Euclidean distances between rows of `a` [b, D] and the columns of `bT` [D, N]. */
function squaredDistances(a: tf.Tensor2D, bT: tf.Tensor2D, bNorms: tf.Tensor1D): tf.Tensor2D {
  return tf.tidy(() => {
    const aNorms = tf.sum(tf.square(a), 1, true); // [b, 1]
    const cross = tf.matMul(a, bT); // [b, N]
    return tf.relu(tf.sub(tf.add(aNorms, bNorms), tf.mul(cross, 2))) as tf.Tensor2D;
  });
}

/** Squared distance from each row to its k-th nearest other row: the radius of its k-NN ball. */
function knnRadii(x: tf.Tensor2D, xT: tf.Tensor2D, norms: tf.Tensor1D, k: number, blockSize: number): tf.Tensor1D {
  const n = x.shape[0];
  if (n <= k) throw new Error(`precisionRecall needs more than k=${k} samples in each set, got ${n}`);
  const blocks: tf.Tensor1D[] = [];
  for (let start = 0; start < n; start += blockSize) {
    const size = Math.min(blockSize, n - start);
    blocks.push(
      tf.tidy(() => {
        const d = squaredDistances(tf.slice(x, [start, 0], [size, -1]), xT, norms); // [b, N]
        // The k+1 smallest distances include the point itself (distance 0); the last is the radius.
        const { values } = tf.topk(tf.neg(d), k + 1); // [b, k+1]
        return tf.neg(tf.squeeze(tf.slice(values, [0, k], [-1, 1]), [1])) as tf.Tensor1D; // [b]
      }),
    );
  }
  const radii = tf.concat(blocks) as tf.Tensor1D;
  tf.dispose(blocks);
  return radii;
}

/** How many rows of `queries` lie inside at least one ball (centre column of refT, squared radius). */
async function countInside(queries: tf.Tensor2D, refT: tf.Tensor2D, refNorms: tf.Tensor1D, refRadii: tf.Tensor1D, blockSize: number): Promise<number> {
  const counts: tf.Scalar[] = [];
  const n = queries.shape[0];
  for (let start = 0; start < n; start += blockSize) {
    const size = Math.min(blockSize, n - start);
    counts.push(
      tf.tidy(() => {
        const d = squaredDistances(tf.slice(queries, [start, 0], [size, -1]), refT, refNorms); // [b, N]
        const inside = tf.any(tf.lessEqual(d, refRadii), 1); // [b]
        return tf.sum(tf.cast(inside, 'float32'));
      }),
    );
  }
  const total = tf.addN(counts);
  const value = (await total.data())[0]!;
  tf.dispose([...counts, total]);
  return value;
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
    const realT = tf.transpose(real) as tf.Tensor2D; // [D, Nr]
    const fakeT = tf.transpose(fake) as tf.Tensor2D; // [D, Nf]
    const realNorms = tf.sum(tf.square(real), 1) as tf.Tensor1D; // [Nr]
    const fakeNorms = tf.sum(tf.square(fake), 1) as tf.Tensor1D; // [Nf]
    keep.push(realT, fakeT, realNorms, fakeNorms);
    const realRadii = knnRadii(real, realT, realNorms, k, blockSize);
    keep.push(realRadii);
    const fakeRadii = knnRadii(fake, fakeT, fakeNorms, k, blockSize);
    keep.push(fakeRadii);
    const precision = (await countInside(fake, realT, realNorms, realRadii, blockSize)) / fake.shape[0];
    const recall = (await countInside(real, fakeT, fakeNorms, fakeRadii, blockSize)) / real.shape[0];
    return { precision, recall, k };
  } finally {
    tf.dispose(keep);
  }
}

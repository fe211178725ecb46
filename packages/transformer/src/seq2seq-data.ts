/**
 * Batches of source/target pairs for the encoder–decoder: padded on the right, with 0/1 masks, the
 * decoder's input shifted right behind bos and its targets closed by eos. Examples of similar length
 * share a batch (sorted within pools of shuffled examples), so little compute goes to padding.
 */
import { Rng, deriveSeed, type DataSource } from '@genloom/core';
import * as tf from '@tensorflow/tfjs';

/** One training batch of the encoder–decoder; all `[B, ·]`, padded on the right. */
export type Seq2SeqBatch = {
  /** Source ids `[B, S]` (int32). */
  src: tf.Tensor2D;
  /** 1 for real source tokens, 0 for padding `[B, S]` (float32). */
  srcMask: tf.Tensor2D;
  /** Decoder input: bos, then the target tokens `[B, T]` (int32). */
  tgtIn: tf.Tensor2D;
  /** What each decoder position must predict: the target tokens, then eos `[B, T]` (int32). */
  tgtOut: tf.Tensor2D;
  /** 1 where `tgtOut` is a real token (eos included), 0 for padding `[B, T]` (float32). */
  tgtMask: tf.Tensor2D;
};

/** A source/target pair as token ids: the source as the encoder reads it (eos included if used), the target without bos/eos. */
export interface EncodedPair {
  source: ArrayLike<number>;
  target: ArrayLike<number>;
}

/** Options of {@link pairBatches}. */
export interface PairBatchOptions {
  batchSize: number;
  /** Target special ids: bos starts the decoder input, eos ends the targets, pad fills. */
  bos: number;
  eos: number;
  pad: number;
  /** Seed of the order; default 0. */
  seed?: number;
  /** Draw a new order every epoch (default true); false keeps the pairs' order and does not sort. */
  shuffle?: boolean;
  /** Batches per pool sorted by length (default 50); 1 gives plain shuffled batches. */
  poolBatches?: number;
  /** Checked against every pair: longest source (tokens) and target (tokens + 1 for bos/eos). */
  maxSourceLength?: number;
  maxTargetLength?: number;
}

/**
 * A deterministic {@link DataSource} of padded pair batches: batch (epoch, index) depends only on the
 * seed, so a resumed run sees the batches the uninterrupted run would have seen.
 *
 * @example
 * ```ts
 * const data = pairBatches(model.encodePairs(train.pairs), { batchSize: 64, ...model.targetSpecialIds(), seed: 1 });
 * const { src, tgtIn } = data.batch(0, 0); // [64, S], [64, T]
 * ```
 */
export function pairBatches(pairs: readonly EncodedPair[], options: PairBatchOptions): DataSource<Seq2SeqBatch> {
  const { batchSize, bos, eos, pad, seed = 0, shuffle = true, poolBatches = 50 } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`pairBatches: batchSize must be a positive integer, got ${batchSize}`);
  if (pairs.length === 0) throw new Error('pairBatches: there are no pairs to batch');
  pairs.forEach((p, i) => {
    if (p.source.length === 0) throw new Error(`pairBatches: pair ${i} has an empty source`);
    if (options.maxSourceLength !== undefined && p.source.length > options.maxSourceLength) {
      throw new Error(`pairBatches: pair ${i} has a source of ${p.source.length} tokens; maxSourceLength is ${options.maxSourceLength}`);
    }
    if (options.maxTargetLength !== undefined && p.target.length + 1 > options.maxTargetLength) {
      throw new Error(`pairBatches: pair ${i} has a target of ${p.target.length} tokens (+1 for bos/eos); maxTargetLength is ${options.maxTargetLength}`);
    }
  });
  const n = pairs.length;
  const batchesPerEpoch = Math.ceil(n / batchSize);
  let cached: { epoch: number; batches: Int32Array[] } | undefined;

  const plan = (epoch: number): Int32Array[] => {
    if (cached?.epoch === epoch) return cached.batches;
    let batches: Int32Array[] = [];
    if (!shuffle) {
      for (let i = 0; i < n; i += batchSize) batches.push(Int32Array.from({ length: Math.min(batchSize, n - i) }, (_, j) => i + j));
    } else {
      const rng = new Rng(deriveSeed(seed, epoch));
      const order = rng.permutation(n);
      const pool = batchSize * Math.max(1, poolBatches);
      const length = (i: number) => pairs[i]!.source.length * 1024 + pairs[i]!.target.length;
      for (let start = 0; start < n; start += pool) {
        const chunk = Array.from(order.subarray(start, Math.min(start + pool, n))).sort((a, b) => length(a) - length(b));
        for (let i = 0; i < chunk.length; i += batchSize) batches.push(Int32Array.from(chunk.slice(i, i + batchSize)));
      }
      batches = rng.shuffle(batches);
    }
    cached = { epoch, batches };
    return batches;
  };

  return {
    batchesPerEpoch,
    batchSize,
    batch(epoch: number, index: number): Seq2SeqBatch {
      if (!Number.isInteger(index) || index < 0 || index >= batchesPerEpoch) throw new Error(`pairBatches: batch index ${index} is outside [0, ${batchesPerEpoch})`);
      return padPairs(Array.from(plan(epoch)[index]!, (i) => pairs[i]!), { bos, eos, pad });
    },
  };
}

/**
 * Pads a list of pairs into one {@link Seq2SeqBatch}.
 *
 * @example
 * ```ts
 * const batch = padPairs([{ source: [3, 4, 9], target: [5] }], { bos: 70, eos: 71, pad: 69 });
 * // tgtIn [[70, 5]], tgtOut [[5, 71]], tgtMask [[1, 1]]
 * ```
 */
export function padPairs(pairs: readonly EncodedPair[], ids: { bos: number; eos: number; pad: number }): Seq2SeqBatch {
  const b = pairs.length;
  const s = Math.max(...pairs.map((p) => p.source.length));
  const t = Math.max(...pairs.map((p) => p.target.length)) + 1;
  const src = new Int32Array(b * s).fill(ids.pad);
  const srcMask = new Float32Array(b * s);
  const tgtIn = new Int32Array(b * t).fill(ids.pad);
  const tgtOut = new Int32Array(b * t).fill(ids.pad);
  const tgtMask = new Float32Array(b * t);
  pairs.forEach((p, i) => {
    for (let j = 0; j < p.source.length; j++) {
      src[i * s + j] = p.source[j]!;
      srcMask[i * s + j] = 1;
    }
    tgtIn[i * t] = ids.bos;
    for (let j = 0; j < p.target.length; j++) {
      tgtIn[i * t + j + 1] = p.target[j]!;
      tgtOut[i * t + j] = p.target[j]!;
    }
    tgtOut[i * t + p.target.length] = ids.eos;
    tgtMask.fill(1, i * t, i * t + p.target.length + 1);
  });
  return {
    src: tf.tensor2d(src, [b, s], 'int32'),
    srcMask: tf.tensor2d(srcMask, [b, s]),
    tgtIn: tf.tensor2d(tgtIn, [b, t], 'int32'),
    tgtOut: tf.tensor2d(tgtOut, [b, t], 'int32'),
    tgtMask: tf.tensor2d(tgtMask, [b, t]),
  };
}

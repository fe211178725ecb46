/**
 * {@link DataSource}s over a token stream for language models: `x` is a window of tokens and `y`
 * the same window shifted by one (the next token at every position). Both int32 [B, T].
 */
import type { DataSource } from '@genloom/core';
import { Rng, deriveSeed } from '@genloom/core';
import * as tf from '@tensorflow/tfjs';

import { checkBatchAddress } from './batch-order.js';

/** A batch of token windows: `x` [B, T] int32 inputs, `y` [B, T] int32 next-token targets. */
export type TokenBatch = { x: tf.Tensor2D; y: tf.Tensor2D };

/** Options of {@link textWindows}. */
export interface TextWindowOptions {
  /** Tokens per window (T, the context length). */
  blockSize: number;
  /** Windows per batch (B). */
  batchSize: number;
  /** Seed of the window positions; default 0. */
  seed?: number;
  /** How many batches make an "epoch"; default: enough to cover the tokens about once. */
  batchesPerEpoch?: number;
}

function toTokens(tokens: Int32Array | readonly number[], blockSize: number, batchSize: number, caller: string): Int32Array {
  if (!(tokens instanceof Int32Array)) {
    if (!Array.isArray(tokens) || !tokens.every((t) => Number.isInteger(t))) {
      throw new Error(`${caller}: tokens must be an Int32Array (or an array of integer ids)`);
    }
    tokens = Int32Array.from(tokens);
  }
  if (!Number.isInteger(blockSize) || blockSize < 1) throw new Error(`${caller}: blockSize must be a positive integer, got ${blockSize}`);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`${caller}: batchSize must be a positive integer, got ${batchSize}`);
  if (tokens.length < blockSize + 1) {
    throw new Error(
      `${caller}: ${tokens.length} tokens are too few for windows of blockSize ${blockSize} (need at least ${blockSize + 1}); ` +
        `use a longer text or a smaller blockSize`,
    );
  }
  return tokens;
}

/**
 * Random windows of a token stream, as nanoGPT's `get_batch` draws them: every row of every
 * batch starts at a uniformly random position. The positions of batch (epoch, index) come from
 * (seed, epoch, index) alone.
 *
 * @example
 * ```ts
 * const data = textWindows(tokenizer.encode(train), { blockSize: 64, batchSize: 32, seed: 1 });
 * const { x, y } = data.batch(0, 0); // [32, 64] each; y[b][t] === x[b][t + 1]
 * ```
 */
export function textWindows(ids: Int32Array | readonly number[], options: TextWindowOptions): DataSource<TokenBatch> {
  const { blockSize: T, batchSize: B, seed = 0 } = options;
  const tokens = toTokens(ids, T, B, 'textWindows');
  const batchesPerEpoch = options.batchesPerEpoch ?? Math.max(1, Math.floor(tokens.length / (T * B)));
  if (!Number.isInteger(batchesPerEpoch) || batchesPerEpoch < 1) {
    throw new Error(`textWindows: batchesPerEpoch must be a positive integer, got ${options.batchesPerEpoch}`);
  }
  const starts = tokens.length - T; // a window starting at s needs tokens s .. s + T (y reaches one further)
  return {
    batchesPerEpoch,
    batchSize: B,
    batch(epoch, index) {
      checkBatchAddress(epoch, index, batchesPerEpoch);
      const rng = new Rng(deriveSeed(seed, epoch, index));
      const x = new Int32Array(B * T);
      const y = new Int32Array(B * T);
      for (let b = 0; b < B; b++) {
        const s = rng.int(starts);
        x.set(tokens.subarray(s, s + T), b * T);
        y.set(tokens.subarray(s + 1, s + T + 1), b * T);
      }
      return { x: tf.tensor2d(x, [B, T], 'int32'), y: tf.tensor2d(y, [B, T], 'int32') };
    },
  };
}

/** Options of {@link sequentialTextBatches}. */
export interface SequentialTextOptions {
  /** Tokens per step of truncated backpropagation through time (T). */
  blockSize: number;
  /** Parallel streams (B): row b of every batch continues row b of the batch before. */
  batchSize: number;
  /** With `shiftEachEpoch`, the seed of each epoch's starting offset; default 0. */
  seed?: number;
  /** Start each epoch at an offset in [0, T) drawn from (seed, epoch), so the cuts between windows move. */
  shiftEachEpoch?: boolean;
}

/**
 * Contiguous batches for truncated BPTT: the tokens are cut into `batchSize` equal streams, and
 * batch i holds tokens [i·T, (i+1)·T) of every stream, so a recurrent model can carry its hidden
 * state from batch i to batch i+1 of the same epoch. Reset the state when `index` is 0.
 *
 * @example
 * ```ts
 * const data = sequentialTextBatches(tokens, { blockSize: 64, batchSize: 32 });
 * // row b of data.batch(e, i + 1).x continues row b of data.batch(e, i).x
 * ```
 */
export function sequentialTextBatches(
  ids: Int32Array | readonly number[],
  options: SequentialTextOptions,
): DataSource<TokenBatch> {
  const { blockSize: T, batchSize: B, seed = 0, shiftEachEpoch = false } = options;
  const tokens = toTokens(ids, T, B, 'sequentialTextBatches');
  // Reserve T - 1 tokens for the epoch offset when shifting, and 1 for the last target.
  const usable = tokens.length - 1 - (shiftEachEpoch ? T - 1 : 0);
  const streamLength = Math.floor(usable / B);
  const batchesPerEpoch = Math.floor(streamLength / T);
  if (batchesPerEpoch < 1) {
    throw new Error(
      `sequentialTextBatches: ${tokens.length} tokens make ${B} streams of ${streamLength}, shorter than blockSize ${T}; ` +
        `use a longer text, fewer streams (batchSize) or a smaller blockSize`,
    );
  }
  return {
    batchesPerEpoch,
    batchSize: B,
    batch(epoch, index) {
      checkBatchAddress(epoch, index, batchesPerEpoch);
      const offset = shiftEachEpoch ? new Rng(deriveSeed(seed, epoch)).int(T) : 0;
      const x = new Int32Array(B * T);
      const y = new Int32Array(B * T);
      for (let b = 0; b < B; b++) {
        const s = offset + b * streamLength + index * T;
        x.set(tokens.subarray(s, s + T), b * T);
        y.set(tokens.subarray(s + 1, s + T + 1), b * T);
      }
      return { x: tf.tensor2d(x, [B, T], 'int32'), y: tf.tensor2d(y, [B, T], 'int32') };
    },
  };
}

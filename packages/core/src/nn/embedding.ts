import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../rng.js';
import { Module } from './module.js';

/** Arguments of {@link Embedding}. */
export interface EmbeddingArgs {
  numEmbeddings: number;
  dim: number;
  rng: Rng;
  /** Standard deviation of the normal initialiser (default 0.02, GPT-2's). */
  std?: number;
}

/**
 * A lookup table of `numEmbeddings` vectors of size `dim`: token and position embeddings, class
 * labels. Its gradient is a segment sum, which core registers on wasm.
 *
 * @example
 * ```ts
 * const wte = new Embedding({ numEmbeddings: 65, dim: 128, rng });
 * const h = wte.forward(ids); // int32 [B, T] → [B, T, 128]
 * ```
 */
export class Embedding extends Module {
  readonly table: tf.Variable;
  readonly numEmbeddings: number;
  readonly dim: number;

  constructor(args: EmbeddingArgs) {
    super();
    if (!Number.isInteger(args.numEmbeddings) || args.numEmbeddings <= 0) {
      throw new Error(`Embedding needs a positive integer numEmbeddings, got ${args.numEmbeddings}`);
    }
    this.numEmbeddings = args.numEmbeddings;
    this.dim = args.dim;
    this.table = this.addParam('table', () => tf.randomNormal([args.numEmbeddings, args.dim], 0, args.std ?? 0.02, 'float32', args.rng.tfSeed()));
  }

  /** Looks up int32 ids of any shape; returns `[...ids.shape, dim]`. @example `wte.forward(tf.tensor2d([[1, 2]], undefined, 'int32'))` */
  forward(ids: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      if (ids.dtype !== 'int32') throw new Error(`Embedding ids must be int32, got ${ids.dtype}`);
      const flat = ids.reshape([-1]);
      const rows = tf.gather(this.table, flat); // [N, dim]
      return rows.reshape([...ids.shape, this.dim]);
    });
  }
}

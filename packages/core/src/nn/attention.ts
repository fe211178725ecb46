import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../rng.js';
import { dropout } from './activations.js';
import { Dense } from './dense.js';
import type { InitName } from './init.js';
import { Module } from './module.js';

/** Arguments of {@link MultiHeadAttention}. */
export interface MultiHeadAttentionArgs {
  dModel: number;
  numHeads: number;
  rng: Rng;
  /** Cross-attention: queries from `x`, keys and values from `context` (encoder–decoder). */
  cross?: boolean;
  bias?: boolean;
  init?: InitName;
  std?: number;
  /** Standard deviation of the output projection's init (GPT-2 scales it by 1/sqrt(2·layers)). */
  outStd?: number;
}

/** Keys and values of earlier positions, `[B, H, S, D]` each, for incremental decoding. */
export interface KVCache {
  k: tf.Tensor4D;
  v: tf.Tensor4D;
}

/** Options of one {@link MultiHeadAttention.forward} call. */
export interface AttentionCallOptions {
  /** Keys/values source for cross-attention, `[B, S, C]`. */
  context?: tf.Tensor3D;
  /** Mask future positions (decoder self-attention). */
  causal?: boolean;
  /** `[B, S]` with 1 for real tokens and 0 for padding among the keys. */
  keyPaddingMask?: tf.Tensor2D;
  /** Dropout on attention weights and on the output, with the run's rng (training only). */
  dropoutRate?: number;
  rng?: Rng | null;
  /** Keys/values of earlier positions; the new ones are appended and returned in `cache`. */
  past?: KVCache;
  /** Transform applied to queries and keys after the head split (rotary positions). */
  positionTransform?: (q: tf.Tensor4D, k: tf.Tensor4D, offset: number) => [tf.Tensor4D, tf.Tensor4D];
  /** Also return the attention weights `[B, H, T, S]`. */
  returnWeights?: boolean;
}

/** Result of {@link MultiHeadAttention.forward}. */
export interface AttentionOutput {
  output: tf.Tensor3D;
  weights?: tf.Tensor4D;
  cache?: KVCache;
}

/**
 * Multi-head scaled dot-product attention (Vaswani et al. 2017): self-attention with an optional
 * causal mask and KV cache (GPT), or cross-attention over a context (encoder–decoder). Queries, keys
 * and values of self-attention come from one fused projection (nanoGPT's `c_attn`).
 *
 * @example
 * ```ts
 * const attn = new MultiHeadAttention({ dModel: 128, numHeads: 4, rng });
 * const { output } = attn.forward(h, { causal: true }); // [B, T, 128]
 * ```
 */
export class MultiHeadAttention extends Module {
  readonly dModel: number;
  readonly numHeads: number;
  readonly headDim: number;
  readonly cross: boolean;
  private readonly qkv: Dense | null;
  private readonly q: Dense | null;
  private readonly kv: Dense | null;
  private readonly proj: Dense;

  constructor(args: MultiHeadAttentionArgs) {
    super();
    if (args.dModel % args.numHeads !== 0) {
      throw new Error(`MultiHeadAttention: dModel (${args.dModel}) must be divisible by numHeads (${args.numHeads})`);
    }
    this.dModel = args.dModel;
    this.numHeads = args.numHeads;
    this.headDim = args.dModel / args.numHeads;
    this.cross = args.cross ?? false;
    const common = { rng: args.rng, bias: args.bias, init: args.init, std: args.std };
    const d = args.dModel;
    if (this.cross) {
      this.qkv = null;
      this.q = this.addChild('q', new Dense({ inputDim: d, units: d, ...common }));
      this.kv = this.addChild('kv', new Dense({ inputDim: d, units: 2 * d, ...common }));
    } else {
      this.q = null;
      this.kv = null;
      this.qkv = this.addChild('qkv', new Dense({ inputDim: d, units: 3 * d, ...common }));
    }
    this.proj = this.addChild('proj', new Dense({ inputDim: d, units: d, ...common, std: args.outStd ?? args.std }));
  }

  private splitHeads(x: tf.Tensor, b: number, t: number): tf.Tensor4D {
    // [B, T, C] → [B, H, T, D]
    return x.reshape([b, t, this.numHeads, this.headDim]).transpose([0, 2, 1, 3]) as tf.Tensor4D;
  }

  /** @example `attn.forward(h, { causal: true, returnWeights: true }).weights // [B, H, T, T]` */
  forward(x: tf.Tensor3D, opts: AttentionCallOptions = {}): AttentionOutput {
    const result: AttentionOutput = tf.tidy(() => {
      const [b, t, c] = x.shape;
      if (c !== this.dModel) throw new Error(`MultiHeadAttention expected [B, T, ${this.dModel}], got [${x.shape}]`);
      let q: tf.Tensor4D;
      let k: tf.Tensor4D;
      let v: tf.Tensor4D;
      if (this.cross) {
        if (!opts.context) throw new Error('Cross-attention needs a context tensor [B, S, C]');
        const s = opts.context.shape[1];
        q = this.splitHeads(this.q!.forward(x), b, t);
        const [kk, vv] = tf.split(this.kv!.forward(opts.context), 2, -1);
        k = this.splitHeads(kk!, b, s);
        v = this.splitHeads(vv!, b, s);
      } else {
        const [qq, kk, vv] = tf.split(this.qkv!.forward(x), 3, -1); // 3 × [B, T, C]
        q = this.splitHeads(qq!, b, t);
        k = this.splitHeads(kk!, b, t);
        v = this.splitHeads(vv!, b, t);
      }
      const offset = opts.past ? opts.past.k.shape[2] : 0;
      if (opts.positionTransform) [q, k] = opts.positionTransform(q, k, offset);
      if (opts.past) {
        k = tf.concat([opts.past.k, k], 2) as tf.Tensor4D;
        v = tf.concat([opts.past.v, v], 2) as tf.Tensor4D;
      }
      const s = k.shape[2];
      let scores = tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(this.headDim)) as tf.Tensor4D; // [B, H, T, S]
      if (opts.causal) {
        // query i (absolute position offset+i) may see keys 0..offset+i
        const allowed = tf.linalg.bandPart(tf.ones([t + offset, s]), -1, 0).slice([offset, 0], [t, s]); // [T, S]
        scores = tf.add(scores, tf.mul(tf.sub(1, allowed), -1e9));
      }
      if (opts.keyPaddingMask) {
        const keep = tf.cast(opts.keyPaddingMask, 'float32').reshape([b, 1, 1, s]);
        scores = tf.add(scores, tf.mul(tf.sub(1, keep), -1e9));
      }
      const weights = tf.softmax(scores, -1) as tf.Tensor4D;
      const attended = tf.matMul(dropout(weights, opts.dropoutRate ?? 0, opts.rng ?? null), v); // [B, H, T, D]
      const merged = attended.transpose([0, 2, 1, 3]).reshape([b, t, c]); // [B, T, C]
      const output = dropout(this.proj.forward(merged), opts.dropoutRate ?? 0, opts.rng ?? null) as tf.Tensor3D;
      const out: AttentionOutput = { output };
      if (opts.returnWeights) out.weights = weights;
      if (opts.past !== undefined || !this.cross) out.cache = { k, v };
      return out as unknown as tf.TensorContainerObject;
    }) as unknown as AttentionOutput;
    return result;
  }
}

import { Dense, Module, dropout, type Rng } from '@genloom/core';
import * as tf from '@tensorflow/tfjs';
import { attend, attentionWeights, linear } from './ops.js';
import { applyRotary } from './rotary.js';

/** Keys and values of earlier positions of one layer, time-major `[S, B·H, D]` each (incremental decoding). */
export interface LayerCache {
  k: tf.Tensor3D;
  v: tf.Tensor3D;
}

/** What one attention call needs besides its input. */
export interface AttentionCall {
  /** Dropout rate and stream (training); rate 0 or rng null turns it off. */
  dropout: number;
  rng: Rng | null;
  /** Additive mask broadcastable to the scores `[T, B·H, S]`: 0 where a query may look, −1e9 where not. */
  mask: tf.Tensor | null;
  /** Rotary positions: the absolute position of the first query. */
  rotaryOffset?: number;
  /** Earlier keys/values to attend over too (self-attention only). */
  past?: LayerCache;
  /** Also return the attention weights `[T, B·H, S]` (no gradient). */
  returnWeights?: boolean;
}

/** Output of {@link SelfAttention.forward} / {@link CrossAttention.forward}. */
export interface AttentionResult {
  output: tf.Tensor3D;
  /** This layer's keys/values including the new positions (for the next decoding step). */
  cache: LayerCache;
  weights?: tf.Tensor3D;
}

/**
 * Fused projections `[T·B, k·C]` (time-major rows) → k tensors of heads `[T, B·H, D]`. Time-major
 * rows make this a slice and a reshape: no transpose.
 */
function splitHeads(x: tf.Tensor, parts: number, t: number, b: number, h: number, d: number): tf.Tensor3D[] {
  const pieces = parts === 1 ? [x] : tf.split(x.reshape([t * b, parts * h * d]), parts, 1); // k × [T·B, C]
  return pieces.map((p) => p.reshape([t, b * h, d]) as tf.Tensor3D);
}

/** `[T, B·H, D]` → `[T, B, C]`: a reshape. */
function mergeHeads(x: tf.Tensor, t: number, b: number, c: number): tf.Tensor3D {
  return x.reshape([t, b, c]) as tf.Tensor3D;
}

/** The inverted-dropout keep mask of attention weights `[T, G, S]`, or null when not training. */
function dropKeep(shape: [number, number, number], rate: number, rng: Rng | null): tf.Tensor | null {
  if (!(rate > 0) || !rng) return null;
  const u = tf.randomUniform(shape, 0, 1, 'float32', rng.tfSeed());
  return tf.div(tf.cast(tf.greaterEqual(u, rate), 'float32'), 1 - rate);
}

/**
 * Multi-head self-attention with one fused q/k/v projection (nanoGPT's `CausalSelfAttention`),
 * optional rotary positions and a KV cache. The mask decides causality (GPT) or padding (encoder).
 *
 * @example
 * ```ts
 * const attn = new SelfAttention({ nEmbd: 128, nHead: 4, bias: false, rotary: false, rng, outStd: 0.01 });
 * const { output } = attn.forward(x, { dropout: 0, rng: null, mask: causalMask(t, 0) }); // [T, B, 128] time-major
 * ```
 */
export class SelfAttention extends Module {
  readonly nHead: number;
  readonly headDim: number;
  readonly rotary: boolean;
  readonly qkv: Dense;
  readonly proj: Dense;

  constructor(args: { nEmbd: number; nHead: number; bias: boolean; rotary: boolean; rng: Rng; outStd: number }) {
    super();
    const c = args.nEmbd;
    this.nHead = args.nHead;
    this.headDim = c / args.nHead;
    this.rotary = args.rotary;
    this.qkv = this.addChild('qkv', new Dense({ inputDim: c, units: 3 * c, rng: args.rng, bias: args.bias, init: 'normal', std: 0.02 }));
    this.proj = this.addChild('proj', new Dense({ inputDim: c, units: c, rng: args.rng, bias: args.bias, init: 'normal', std: args.outStd }));
  }

  /** Time-major input `[T, B, C]` → `[T, B, C]`. @example `attn.forward(x, { dropout: 0, rng: null, mask })` */
  forward(x: tf.Tensor3D, call: AttentionCall): AttentionResult {
    const [t, b, c] = x.shape;
    const h = this.nHead;
    const d = this.headDim;
    let [q, k, v] = splitHeads(linear(x, this.qkv.kernel, this.qkv.bias), 3, t, b, h, d) as [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D]; // [T, B·H, D]
    if (this.rotary) {
      const offset = call.rotaryOffset ?? 0;
      q = applyRotary(q, offset);
      k = applyRotary(k, offset);
    }
    if (call.past) {
      k = tf.concat([call.past.k, k], 0); // [S, B·H, D]
      v = tf.concat([call.past.v, v], 0);
    }
    const keep = dropKeep([t, b * h, k.shape[0]], call.dropout, call.rng);
    const y = attend(q, k, v, call.mask, keep); // [T, B·H, D]
    const output = dropout(linear(mergeHeads(y, t, b, c), this.proj.kernel, this.proj.bias), call.dropout, call.rng) as tf.Tensor3D; // [T, B, C]
    const result: AttentionResult = { output, cache: { k, v } };
    if (call.returnWeights) result.weights = attentionWeights(q, k, call.mask);
    return result;
  }
}

/**
 * Multi-head cross-attention: queries from the decoder, keys and values from the encoder's output
 * (one fused k/v projection). Keys of padding positions are masked out.
 *
 * @example
 * ```ts
 * const cross = new CrossAttention({ nEmbd: 128, nHead: 4, bias: true, rng, outStd: 0.01 });
 * const { output } = cross.forward(h, cross.memoryKV(memory), { dropout: 0, rng: null, mask: padMask }); // [T, B, 128]
 * ```
 */
export class CrossAttention extends Module {
  readonly nHead: number;
  readonly headDim: number;
  readonly q: Dense;
  readonly kv: Dense;
  readonly proj: Dense;

  constructor(args: { nEmbd: number; nHead: number; bias: boolean; rng: Rng; outStd: number }) {
    super();
    const c = args.nEmbd;
    this.nHead = args.nHead;
    this.headDim = c / args.nHead;
    this.q = this.addChild('q', new Dense({ inputDim: c, units: c, rng: args.rng, bias: args.bias, init: 'normal', std: 0.02 }));
    this.kv = this.addChild('kv', new Dense({ inputDim: c, units: 2 * c, rng: args.rng, bias: args.bias, init: 'normal', std: 0.02 }));
    this.proj = this.addChild('proj', new Dense({ inputDim: c, units: c, rng: args.rng, bias: args.bias, init: 'normal', std: args.outStd }));
  }

  /** Keys and values of the time-major encoder output `[S, B, C]`, computed once per sequence. */
  memoryKV(memory: tf.Tensor3D): LayerCache {
    const [s, b] = memory.shape;
    const [k, v] = splitHeads(linear(memory, this.kv.kernel, this.kv.bias), 2, s, b, this.nHead, this.headDim) as [tf.Tensor3D, tf.Tensor3D];
    return { k, v };
  }

  /** Time-major `[T, B, C]` queries over the memory's keys/values. @example `cross.forward(h, cross.memoryKV(memory), { dropout: 0, rng: null, mask })` */
  forward(x: tf.Tensor3D, memory: LayerCache, call: AttentionCall): AttentionResult {
    const [t, b, c] = x.shape;
    const h = this.nHead;
    const [q] = splitHeads(linear(x, this.q.kernel, this.q.bias), 1, t, b, h, this.headDim) as [tf.Tensor3D];
    const keep = dropKeep([t, b * h, memory.k.shape[0]], call.dropout, call.rng);
    const y = attend(q, memory.k, memory.v, call.mask, keep); // [T, B·H, D]
    const output = dropout(linear(mergeHeads(y, t, b, c), this.proj.kernel, this.proj.bias), call.dropout, call.rng) as tf.Tensor3D;
    const result: AttentionResult = { output, cache: memory };
    if (call.returnWeights) result.weights = attentionWeights(q, memory.k, call.mask);
    return result;
  }
}

/**
 * The additive causal mask `[T, 1, S]` for `t` queries at absolute positions `offset…offset+t−1`
 * over `s = offset + t` keys: 0 where key ≤ query, −1e9 after it. `null` when nothing needs masking
 * (one query).
 *
 * @example
 * ```ts
 * causalMask(3, 0); // [[[0, -1e9, -1e9]], [[0, 0, -1e9]], [[0, 0, 0]]]
 * ```
 */
export function causalMask(t: number, offset: number): tf.Tensor3D | null {
  if (t === 1) return null;
  const s = offset + t;
  const m = new Float32Array(t * s);
  for (let i = 0; i < t; i++) for (let j = offset + i + 1; j < s; j++) m[i * s + j] = -1e9;
  return tf.tensor3d(m, [t, 1, s]);
}

/**
 * An additive key-padding mask `[1, B·H, S]` from a `[B, S]` 0/1 mask (1 = real token), for
 * attention over padded sequences (broadcasts over the queries of time-major scores `[T, B·H, S]`).
 *
 * @example
 * ```ts
 * const mask = paddingMask(srcKeep, 4); // [B, S] → [1, B·4, S]
 * ```
 */
export function paddingMask(keep: tf.Tensor2D, nHead: number): tf.Tensor3D {
  return tf.tidy(() => {
    const [b, s] = keep.shape;
    const add = tf.mul(tf.sub(1, tf.cast(keep, 'float32')), -1e9); // [B, S]
    return tf.tile(add.reshape([b, 1, s]), [1, nHead, 1]).reshape([1, b * nHead, s]) as tf.Tensor3D;
  });
}

/**
 * The encoder–decoder network (Vaswani et al., pre-norm as in GPT-2): the encoder is a stack of
 * GPT blocks whose self-attention sees the whole source but no padding; each decoder block adds a
 * cross-attention over the encoder's output between its causal self-attention and its MLP. The
 * decoder's input embedding is tied to its output head.
 *
 * Activations are time-major, `[T, B, C]`, like the GPT's (see model.ts): every attention matmul is
 * then a fast depthwise convolution on wasm.
 */
import { Dense, Embedding, LayerNorm, Module, Rng, dropout } from '@genloom/core';
import * as tf from '@tensorflow/tfjs';
import { CrossAttention, SelfAttention, causalMask, paddingMask, type LayerCache } from './attention.js';
import { Block, MLP, norm } from './model.js';
import { embeddingLookup, matMul } from './ops.js';
import type { Seq2SeqConfig } from './seq2seq-config.js';

/** The encoder's output, ready for every decoding step. */
export interface EncoderMemory {
  /** Final encoder states, time-major `[S, B, C]`. */
  states: tf.Tensor3D;
  /** Cross-attention keys/values of `states`, one per decoder layer, `[S, B·H, D]` each. */
  kv: LayerCache[];
  /** Additive key-padding mask `[1, B·H, S]` (0 for real source tokens, −1e9 for padding). */
  mask: tf.Tensor3D;
}

/** Output of {@link Seq2SeqNet.decode}. */
export interface DecodeResult {
  /** Final decoder states after the last layer norm, time-major `[T, B, C]`. */
  hidden: tf.Tensor3D;
  /** Self-attention keys/values including the new positions, one per decoder layer. */
  cache: LayerCache[];
}

/**
 * One pre-norm decoder block: `x + self(ln1(x))` (causal), `x + cross(ln2(x), memory)`,
 * `x + mlp(ln3(x))`.
 *
 * @example
 * ```ts
 * const block = new DecoderBlock(config, rng);
 * const { x: y } = block.forward(x, { dropout: 0, rng: null, mask: causalMask(t, 0), offset: 0, memory, memoryMask });
 * ```
 */
export class DecoderBlock extends Module {
  readonly ln1: LayerNorm;
  readonly attn: SelfAttention;
  readonly ln2: LayerNorm;
  readonly cross: CrossAttention;
  readonly ln3: LayerNorm;
  readonly mlp: MLP;

  constructor(c: Seq2SeqConfig, rng: Rng) {
    super();
    // Three residual branches per block: scale their output init by 1/√(3·layers), GPT-2's rule.
    const outStd = 0.02 / Math.sqrt(3 * c.nDecoderLayer);
    this.ln1 = this.addChild('ln1', new LayerNorm({ dim: c.nEmbd, bias: c.bias }));
    this.attn = this.addChild('attn', new SelfAttention({ nEmbd: c.nEmbd, nHead: c.nHead, bias: c.bias, rotary: false, rng, outStd }));
    this.ln2 = this.addChild('ln2', new LayerNorm({ dim: c.nEmbd, bias: c.bias }));
    this.cross = this.addChild('cross', new CrossAttention({ nEmbd: c.nEmbd, nHead: c.nHead, bias: c.bias, rng, outStd }));
    this.ln3 = this.addChild('ln3', new LayerNorm({ dim: c.nEmbd, bias: c.bias }));
    this.mlp = this.addChild('mlp', new MLP({ nEmbd: c.nEmbd, bias: c.bias, rng, outStd }));
  }

  /** Time-major `[T, B, C]` → `[T, B, C]`, plus this layer's self-attention keys/values. */
  forward(
    x: tf.Tensor3D,
    call: { dropout: number; rng: Rng | null; mask: tf.Tensor | null; past?: LayerCache; memory: LayerCache; memoryMask: tf.Tensor },
  ): { x: tf.Tensor3D; cache: LayerCache } {
    const { dropout: rate, rng } = call;
    const a = this.attn.forward(norm(this.ln1, x), { dropout: rate, rng, mask: call.mask, ...(call.past ? { past: call.past } : {}) });
    const x1 = tf.add(x, a.output) as tf.Tensor3D; // [T, B, C]
    const m = this.cross.forward(norm(this.ln2, x1), call.memory, { dropout: rate, rng, mask: call.memoryMask });
    const x2 = tf.add(x1, m.output) as tf.Tensor3D;
    const x3 = tf.add(x2, this.mlp.forward(norm(this.ln3, x2), rate, rng)) as tf.Tensor3D;
    return { x: x3, cache: a.cache };
  }
}

/**
 * The encoder–decoder transformer: source embedding + learned positions → encoder blocks → norm;
 * target embedding + learned positions → decoder blocks (causal self-attention, cross-attention) →
 * norm → head tied to the target embedding.
 *
 * @example
 * ```ts
 * const net = new Seq2SeqNet(resolveSeq2SeqConfig({}, 'tiny'), new Rng(1));
 * const memory = net.encode(src, srcMask);                 // src [B, S] int32, srcMask [B, S] 0/1
 * const logits = net.logits(net.decode(tgtIn, memory).hidden); // [T·B, targetVocabSize], time-major rows
 * ```
 */
export class Seq2SeqNet extends Module {
  readonly config: Seq2SeqConfig;
  readonly srcEmb: Embedding;
  readonly srcPos: Embedding;
  readonly encoder: Block[];
  readonly encNorm: LayerNorm;
  readonly tgtEmb: Embedding;
  readonly tgtPos: Embedding;
  readonly decoder: DecoderBlock[];
  readonly decNorm: LayerNorm;
  readonly head: Dense | null;

  constructor(config: Seq2SeqConfig, rng: Rng) {
    super();
    const c = config;
    this.config = c;
    this.srcEmb = this.addChild('srcEmb', new Embedding({ numEmbeddings: c.sourceVocabSize, dim: c.nEmbd, rng, std: 0.02 }));
    this.srcPos = this.addChild('srcPos', new Embedding({ numEmbeddings: c.maxSourceLength, dim: c.nEmbd, rng, std: 0.02 }));
    const encoderShape = { nEmbd: c.nEmbd, nHead: c.nHead, bias: c.bias, nLayer: c.nEncoderLayer, positions: 'learned' as const };
    this.encoder = Array.from({ length: c.nEncoderLayer }, (_, i) => this.addChild(`enc${i}`, new Block(encoderShape, rng)));
    this.encNorm = this.addChild('encNorm', new LayerNorm({ dim: c.nEmbd, bias: c.bias }));
    this.tgtEmb = this.addChild('tgtEmb', new Embedding({ numEmbeddings: c.targetVocabSize, dim: c.nEmbd, rng, std: 0.02 }));
    this.tgtPos = this.addChild('tgtPos', new Embedding({ numEmbeddings: c.maxTargetLength, dim: c.nEmbd, rng, std: 0.02 }));
    this.decoder = Array.from({ length: c.nDecoderLayer }, (_, i) => this.addChild(`dec${i}`, new DecoderBlock(c, rng)));
    this.decNorm = this.addChild('decNorm', new LayerNorm({ dim: c.nEmbd, bias: c.bias }));
    this.head = c.tieWeights ? null : this.addChild('head', new Dense({ inputDim: c.nEmbd, units: c.targetVocabSize, rng, bias: false, init: 'normal', std: 0.02 }));
  }

  /** Token + position embeddings of int32 ids `[B, T]` starting at `offset`, time-major `[T, B, C]`. */
  private embed(table: Embedding, positions: Embedding, ids: tf.Tensor2D, offset: number, rng: Rng | null): tf.Tensor3D {
    const [, t] = ids.shape;
    const c = this.config.nEmbd;
    const tok = embeddingLookup(table.table, tf.transpose(ids)); // [T, B, C]
    const pos = positions.table.slice([offset, 0], [t, c]).reshape([t, 1, c]); // [T, 1, C]
    return dropout(tf.add(tok, pos), this.config.dropout, rng) as tf.Tensor3D;
  }

  /**
   * Encodes int32 sources `[B, S]` with a 0/1 mask `[B, S]` (1 = real token; padding on the right or
   * anywhere): final states, each decoder layer's cross-attention keys/values and the padding mask.
   * Call inside `tf.tidy`.
   */
  encode(src: tf.Tensor2D, srcMask: tf.Tensor2D, rng: Rng | null = null): EncoderMemory {
    const [, s] = src.shape;
    const c = this.config;
    if (s > c.maxSourceLength) throw new Error(`Seq2Seq: a source of ${s} tokens exceeds maxSourceLength ${c.maxSourceLength}`);
    const mask = paddingMask(srcMask, c.nHead); // [1, B·H, S]
    let x = this.embed(this.srcEmb, this.srcPos, src, 0, rng); // [S, B, C]
    for (const block of this.encoder) x = block.forward(x, { dropout: c.dropout, rng, mask, offset: 0 }).x;
    const states = norm(this.encNorm, x); // [S, B, C]
    return { states, kv: this.decoder.map((block) => block.cross.memoryKV(states)), mask };
  }

  /**
   * Decoder states `[T, B, C]` of int32 target ids `[B, T]` that follow `past` (if any), attending
   * over `memory`. Call inside `tf.tidy`.
   */
  decode(ids: tf.Tensor2D, memory: Pick<EncoderMemory, 'kv' | 'mask'>, past?: LayerCache[], rng: Rng | null = null): DecodeResult {
    const [, t] = ids.shape;
    const c = this.config;
    const offset = past?.[0]?.k.shape[0] ?? 0;
    if (offset + t > c.maxTargetLength) throw new Error(`Seq2Seq: target positions ${offset}…${offset + t - 1} exceed maxTargetLength ${c.maxTargetLength}`);
    let x = this.embed(this.tgtEmb, this.tgtPos, ids, offset, rng); // [T, B, C]
    // Targets are padded on the right, so the causal mask alone keeps real tokens off the padding.
    const mask = causalMask(t, offset);
    const cache: LayerCache[] = [];
    this.decoder.forEach((block, i) => {
      const out = block.forward(x, { dropout: c.dropout, rng, mask, ...(past?.[i] ? { past: past[i] } : {}), memory: memory.kv[i]!, memoryMask: memory.mask });
      x = out.x;
      cache.push(out.cache);
    });
    return { hidden: norm(this.decNorm, x), cache };
  }

  /** Target logits `[N, V]` of decoder states `[..., C]` (rows in the states' order), through the tied head. */
  logits(hidden: tf.Tensor): tf.Tensor2D {
    const flat = hidden.reshape([-1, this.config.nEmbd]) as tf.Tensor2D; // [N, C]
    const w = this.head ? this.head.kernel : tf.transpose(this.tgtEmb.table); // [C, V]
    return matMul(flat, w as tf.Tensor2D); // [N, V]
  }
}

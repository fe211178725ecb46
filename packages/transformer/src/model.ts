/**
 * The GPT network, nanoGPT's design: token (+ learned position) embeddings, pre-norm blocks of
 * causal self-attention and an MLP, a final layer norm, and a head tied to the token embedding.
 *
 * Activations are time-major, `[T, B, C]`: then the attention heads of the fused q/k/v projection
 * are a reshape away (`[T, B·H, D]`) and every attention matmul runs as a fast depthwise
 * convolution on wasm (see ops.ts). Row-wise layers (norms, MLP) do not care about the order.
 */
import { Dense, Embedding, LayerNorm, Module, Rng, dropout } from '@genloom/core';
import * as tf from '@tensorflow/tfjs';
import { SelfAttention, causalMask, type LayerCache } from './attention.js';
import type { GPTConfig } from './config.js';
import { embeddingLookup, gelu, layerNorm, linear, matMul } from './ops.js';

/** Per-call options of the network's forward pass. */
export interface ForwardOptions {
  /** Dropout stream (training); null evaluates deterministically. */
  rng?: Rng | null;
  /** Keys/values of earlier positions, one per layer (incremental decoding). */
  past?: LayerCache[];
  /** Collect each layer's attention weights `[T, B·H, S]`. */
  returnWeights?: boolean;
}

/** Output of {@link GPTNet.forward}. */
export interface ForwardResult {
  /** Final hidden states after the last layer norm, time-major `[T, B, C]`. */
  hidden: tf.Tensor3D;
  /** Keys/values including the new positions, one per layer. */
  cache: LayerCache[];
  /** Attention weights per layer, when asked for. */
  weights?: tf.Tensor3D[];
}

/** The transformer's feed-forward part: Linear(C, 4C) → GELU → Linear(4C, C) → dropout. */
export class MLP extends Module {
  readonly fc: Dense;
  readonly proj: Dense;

  constructor(args: { nEmbd: number; bias: boolean; rng: Rng; outStd: number }) {
    super();
    const c = args.nEmbd;
    this.fc = this.addChild('fc', new Dense({ inputDim: c, units: 4 * c, rng: args.rng, bias: args.bias, init: 'normal', std: 0.02 }));
    this.proj = this.addChild('proj', new Dense({ inputDim: 4 * c, units: c, rng: args.rng, bias: args.bias, init: 'normal', std: args.outStd }));
  }

  /** @example `mlp.forward(x, 0, null) // [T, B, C]` */
  forward(x: tf.Tensor3D, rate: number, rng: Rng | null): tf.Tensor3D {
    const h = gelu(linear(x, this.fc.kernel, this.fc.bias)); // [T, B, 4C]
    return dropout(linear(h, this.proj.kernel, this.proj.bias), rate, rng) as tf.Tensor3D; // [T, B, C]
  }
}

/** Applies a {@link LayerNorm}'s parameters with the fused-gradient kernel. */
export function norm(ln: LayerNorm, x: tf.Tensor): tf.Tensor3D {
  return layerNorm(x, ln.gamma, ln.beta, ln.eps) as tf.Tensor3D;
}

/** One pre-norm transformer block: `x + attn(ln1(x))`, then `x + mlp(ln2(x))`. */
export class Block extends Module {
  readonly ln1: LayerNorm;
  readonly attn: SelfAttention;
  readonly ln2: LayerNorm;
  readonly mlp: MLP;

  /** `c` needs only the block's shape: a GPT config, or a seq2seq encoder's (with `positions: 'learned'`). */
  constructor(c: Pick<GPTConfig, 'nEmbd' | 'nHead' | 'bias' | 'nLayer' | 'positions'>, rng: Rng) {
    super();
    // GPT-2 scales the residual projections' init by 1/sqrt(2·layers) (two per block).
    const outStd = 0.02 / Math.sqrt(2 * c.nLayer);
    this.ln1 = this.addChild('ln1', new LayerNorm({ dim: c.nEmbd, bias: c.bias }));
    this.attn = this.addChild('attn', new SelfAttention({ nEmbd: c.nEmbd, nHead: c.nHead, bias: c.bias, rotary: c.positions === 'rotary', rng, outStd }));
    this.ln2 = this.addChild('ln2', new LayerNorm({ dim: c.nEmbd, bias: c.bias }));
    this.mlp = this.addChild('mlp', new MLP({ nEmbd: c.nEmbd, bias: c.bias, rng, outStd }));
  }

  /** @example `block.forward(x, { dropout: 0, rng: null, mask })` */
  forward(x: tf.Tensor3D, call: { dropout: number; rng: Rng | null; mask: tf.Tensor | null; offset: number; past?: LayerCache; returnWeights?: boolean }) {
    const a = this.attn.forward(norm(this.ln1, x), { ...call, rotaryOffset: call.offset });
    const x1 = tf.add(x, a.output) as tf.Tensor3D; // [T, B, C]
    const x2 = tf.add(x1, this.mlp.forward(norm(this.ln2, x1), call.dropout, call.rng)) as tf.Tensor3D;
    return { x: x2, cache: a.cache, weights: a.weights };
  }
}

/**
 * The decoder-only transformer: embeddings, `nLayer` blocks, final norm, tied head.
 *
 * @example
 * ```ts
 * const net = new GPTNet(resolveGPTConfig({}, 'tiny'), new Rng(1));
 * const logits = net.logits(net.forward(ids).hidden); // [T·B, vocabSize], time-major rows
 * ```
 */
export class GPTNet extends Module {
  readonly config: GPTConfig;
  readonly wte: Embedding;
  readonly wpe: Embedding | null;
  readonly blocks: Block[];
  readonly lnF: LayerNorm;
  readonly head: Dense | null;

  constructor(config: GPTConfig, rng: Rng) {
    super();
    this.config = config;
    this.wte = this.addChild('wte', new Embedding({ numEmbeddings: config.vocabSize, dim: config.nEmbd, rng, std: 0.02 }));
    this.wpe = config.positions === 'learned' ? this.addChild('wpe', new Embedding({ numEmbeddings: config.blockSize, dim: config.nEmbd, rng, std: 0.02 })) : null;
    this.blocks = Array.from({ length: config.nLayer }, (_, i) => this.addChild(`h${i}`, new Block(config, rng)));
    this.lnF = this.addChild('lnF', new LayerNorm({ dim: config.nEmbd, bias: config.bias }));
    this.head = config.tieWeights ? null : this.addChild('head', new Dense({ inputDim: config.nEmbd, units: config.vocabSize, rng, bias: false, init: 'normal', std: 0.02 }));
  }

  /** Hidden states `[T, B, C]` of int32 `ids` `[B, T]` that follow `past` (if any). Call inside `tf.tidy`. */
  forward(ids: tf.Tensor2D, opts: ForwardOptions = {}): ForwardResult {
    const [, t] = ids.shape;
    const offset = opts.past?.[0]?.k.shape[0] ?? 0;
    const c = this.config;
    if (offset + t > c.blockSize && c.positions === 'learned') {
      throw new Error(`GPT: positions ${offset}…${offset + t - 1} exceed blockSize ${c.blockSize}; crop the context to the last ${c.blockSize} tokens`);
    }
    const rng = opts.rng ?? null;
    let x = embeddingLookup(this.wte.table, tf.transpose(ids)) as tf.Tensor3D; // [T, B, C]
    if (this.wpe) x = tf.add(x, this.wpe.table.slice([offset, 0], [t, c.nEmbd]).reshape([t, 1, c.nEmbd])) as tf.Tensor3D; // + [T, 1, C]
    x = dropout(x, c.dropout, rng) as tf.Tensor3D;
    const mask = causalMask(t, offset);
    const cache: LayerCache[] = [];
    const weights: tf.Tensor3D[] = [];
    this.blocks.forEach((block, i) => {
      const out = block.forward(x, { dropout: c.dropout, rng, mask, offset, past: opts.past?.[i], returnWeights: opts.returnWeights });
      x = out.x;
      cache.push(out.cache);
      if (out.weights) weights.push(out.weights);
    });
    const result: ForwardResult = { hidden: norm(this.lnF, x), cache };
    if (opts.returnWeights) result.weights = weights;
    return result;
  }

  /** Next-token logits `[N, V]` of hidden states `[..., C]` (rows in the hidden states' order), through the tied head. */
  logits(hidden: tf.Tensor): tf.Tensor2D {
    const flat = hidden.reshape([-1, this.config.nEmbd]) as tf.Tensor2D; // [N, C]
    const w = this.head ? this.head.kernel : tf.transpose(this.wte.table); // [C, V]
    return matMul(flat, w as tf.Tensor2D); // [N, V]
  }
}

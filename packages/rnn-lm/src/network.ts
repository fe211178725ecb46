import { Dense, Embedding, Module, dropout, type Rng } from '@genloom/core';
import * as tf from '@tensorflow/tfjs';
import type { RNNLMConfig } from './config.js';
import { createRecurrentLayer, type LayerState, type RecurrentLayer } from './layers.js';

/**
 * The network of a recurrent language model: token embedding → stacked recurrent layers → a
 * linear head over the vocabulary (optionally sharing the embedding table). Everything is
 * time-major inside ([T, B, …]), so a timestep is a contiguous block.
 */
export class RNNLMNetwork extends Module {
  readonly embedding: Embedding;
  readonly layers: RecurrentLayer[];
  /** H → E before a tied head when the widths differ. */
  readonly projection: Dense | null;
  /** The untied head H → V. */
  readonly head: Dense | null;
  /** The tied head's bias [V]. */
  readonly headBias: tf.Variable | null;

  constructor(
    readonly config: RNNLMConfig,
    rng: Rng,
  ) {
    super();
    const { vocabSize: V, embedDim: E, hiddenSize: H, numLayers } = config;
    this.embedding = this.addChild('embedding', new Embedding({ numEmbeddings: V, dim: E, rng, std: 0.1 }));
    this.layers = [];
    for (let l = 0; l < numLayers; l++) {
      this.layers.push(this.addChild(`layer${l}`, createRecurrentLayer(config.cell, { inputDim: l === 0 ? E : H, hiddenSize: H, rng })));
    }
    if (config.tieWeights) {
      this.projection = H === E ? null : this.addChild('projection', new Dense({ inputDim: H, units: E, rng, bias: false }));
      this.head = null;
      this.headBias = this.addParam('headBias', () => tf.zeros([V]));
    } else {
      this.projection = null;
      this.head = this.addChild('head', new Dense({ inputDim: H, units: V, rng }));
      this.headBias = null;
    }
  }

  /** Zero state of every layer for `batch` streams. @example `net.zeroState(12)` */
  zeroState(batch: number): LayerState[] {
    return this.layers.map((l) => l.zeroState(batch));
  }

  /**
   * Logits of the next token after each input token, and the state after the last one.
   * `rng` turns dropout on (training); pass null to evaluate.
   *
   * @example
   * ```ts
   * const { logits, state } = net.forward(idsTimeMajor, net.zeroState(B), null); // [T, B] → [T·B, V]
   * ```
   */
  forward(ids: tf.Tensor2D, state: LayerState[], rng: Rng | null): { logits: tf.Tensor2D; state: LayerState[] } {
    const [T, B] = ids.shape;
    const p = this.config.dropout;
    let x = dropout(this.embedding.forward(ids), p, rng) as tf.Tensor3D; // [T, B, E]
    const next: LayerState[] = [];
    this.layers.forEach((layer, l) => {
      const xp = tf.reshape(layer.project(tf.reshape(x, [T * B, x.shape[2]])), [T, B, layer.gates * layer.hiddenSize]) as tf.Tensor3D; // [T, B, G·H]
      const out = layer.sequence(xp, state[l]!);
      next.push(out.state);
      x = dropout(out.hs, p, rng) as tf.Tensor3D; // [T, B, H]
    });
    return { logits: this.logits(tf.reshape(x, [T * B, this.config.hiddenSize])), state: next };
  }

  /**
   * One step for B streams: ids [B] → logits [B, V] and the new state (no dropout).
   *
   * @example
   * ```ts
   * const { logits, state: after } = net.step(tf.tensor1d([id], 'int32'), state);
   * ```
   */
  step(ids: tf.Tensor1D, state: LayerState[]): { logits: tf.Tensor2D; state: LayerState[] } {
    let x = this.embedding.forward(ids) as tf.Tensor2D; // [B, E]
    const next = this.layers.map((layer, l) => {
      const s = layer.step(layer.project(x), state[l]!);
      x = s.h; // [B, H]
      return s;
    });
    return { logits: this.logits(x), state: next };
  }

  /** [N, H] → [N, V]. */
  private logits(h: tf.Tensor2D): tf.Tensor2D {
    if (this.head) return this.head.forward(h) as tf.Tensor2D;
    const e = this.projection ? (this.projection.forward(h) as tf.Tensor2D) : h; // [N, E]
    // The tied head reads the table [V, E] transposed; an explicit transpose keeps the matmul plain.
    return tf.add(tf.matMul(e, tf.transpose(this.embedding.table)), this.headBias!) as tf.Tensor2D; // [N, V]
  }
}

/**
 * Mean (or per-token, with `perToken`) cross-entropy in nats of logits [N, V] against int32 targets [N].
 *
 * @example
 * ```ts
 * const loss = crossEntropy(logits, targets); // scalar, nats per token
 * ```
 */
export function crossEntropy(logits: tf.Tensor2D, targets: tf.Tensor1D, perToken = false): tf.Tensor {
  // tf.oneHot is int32; cast explicitly (a float32 oneHot returned int bit patterns on wasm).
  const onehot = tf.cast(tf.oneHot(targets, logits.shape[1]), 'float32');
  return tf.losses.softmaxCrossEntropy(onehot, logits, undefined, 0, perToken ? tf.Reduction.NONE : tf.Reduction.MEAN);
}

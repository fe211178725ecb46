import {
  Rng,
  TokenSampler,
  TokenTextStream,
  tokenizerFromJSON,
  type DataSource,
  type GenerativeModel,
  type ModelCapabilities,
  type NamedVariable,
  type StepContext,
  type Tokenizer,
  type TrainOptions,
} from '@genloom/core';
import * as tf from '@tensorflow/tfjs';
import type { LayerCache } from './attention.js';
import type { GPTConfig } from './config.js';
import { GPTNet } from './model.js';
import { crossEntropy, tokenNll } from './ops.js';

/** A batch of next-token windows: `x` and `y` int32 `[B, T]`, `y` shifted by one. */
export type GPTBatch = { x: tf.Tensor2D; y: tf.Tensor2D };

/** Options of {@link GPT.generate} and its streaming and id forms. */
export interface GenerateOptions {
  /** Tokens to generate (default 100). */
  maxTokens?: number;
  /** 0 is greedy; default 1. */
  temperature?: number;
  topK?: number;
  topP?: number;
  repetitionPenalty?: number;
  /** Seed of the sampling draws (default 0): a seed fixes the text. */
  seed?: number;
  /**
   * Reuse the keys and values of earlier positions (default true). When the context fills the
   * block, the cache restarts from the last half block of tokens; the uncached path instead
   * re-reads the last `blockSize` tokens every step (nanoGPT's crop).
   */
  cache?: boolean;
  /** Stop at the tokenizer's eos token (default true). */
  stopAtEos?: boolean;
}

/**
 * A decoder-only GPT language model (nanoGPT's design) implementing genloom's model contract:
 * `trainStep` for the Trainer, seeded generation with a KV cache (also streamed), `logProb`,
 * `perplexity` and attention maps. Create it with {@link createGPT}.
 *
 * @example
 * ```ts
 * const gpt = createGPT(resolveGPTConfig({ vocabSize: tok.vocabSize }, 'nanogpt-cpu'), { tokenizer: tok, seed: 1337 });
 * await train(gpt, textWindows(tok.encode(text), { blockSize: 64, batchSize: 12 }), gptTrainOptions(gpt.config));
 * console.log(await gpt.generate('ROMEO:', { maxTokens: 200, temperature: 0.8, seed: 1 }));
 * ```
 */
export class GPT implements GenerativeModel<GPTBatch, GPTConfig> {
  readonly family = 'transformer';
  readonly net: GPTNet;
  /** Turns text into ids and back; needed by the text forms of generate/logProb/attention. */
  tokenizer: Tokenizer | null;

  constructor(
    readonly config: GPTConfig,
    seed = 0,
    tokenizer: Tokenizer | null = null,
  ) {
    this.net = new GPTNet(config, new Rng(seed));
    this.tokenizer = null;
    if (tokenizer) this.setTokenizer(tokenizer);
  }

  /** Attaches a tokenizer whose vocabulary fits the model. @example `gpt.setTokenizer(CharTokenizer.fromCorpus(text))` */
  setTokenizer(tokenizer: Tokenizer): void {
    if (tokenizer.vocabSize > this.config.vocabSize) {
      throw new Error(`GPT: the tokenizer has ${tokenizer.vocabSize} ids but the model's vocabSize is ${this.config.vocabSize}`);
    }
    this.tokenizer = tokenizer;
  }

  /** Mean next-token cross-entropy (nats) of a batch; differentiable. Call inside a tidy. */
  loss(x: tf.Tensor2D, y: tf.Tensor2D, rng: Rng | null): tf.Scalar {
    const { hidden } = this.net.forward(x, { rng }); // [T, B, C]
    return crossEntropy(this.net.logits(hidden), tf.transpose(y).reshape([-1]) as tf.Tensor1D); // rows in (t, b) order
  }

  /** @example `const { loss } = gpt.trainStep(batch, ctx)` */
  trainStep(batch: GPTBatch, ctx: StepContext): Record<string, tf.Scalar> {
    const rng = this.config.dropout > 0 ? ctx.rng : null;
    const loss = ctx.minimize(() => this.loss(batch.x, batch.y, rng), this.namedParameters());
    return { loss };
  }

  /** @example `const { loss } = gpt.evalStep(batch)` */
  evalStep(batch: GPTBatch): Record<string, tf.Scalar> {
    return { loss: tf.tidy(() => this.loss(batch.x, batch.y, null)) };
  }

  /**
   * Next-token logits `[B, T, V]` of int32 ids `[B, T]` (T ≤ blockSize), without dropout.
   *
   * @example
   * ```ts
   * const logits = gpt.logits(tf.tensor2d([[1, 2, 3]], undefined, 'int32')); // [1, 3, V]
   * ```
   */
  logits(ids: tf.Tensor2D): tf.Tensor3D {
    return tf.tidy(() => {
      const [b, t] = ids.shape;
      const logits = this.net.logits(this.net.forward(ids).hidden).reshape([t, b, this.config.vocabSize]); // [T, B, V]
      return tf.transpose(logits, [1, 0, 2]) as tf.Tensor3D; // [B, T, V]
    });
  }

  private encode(prompt: string | ArrayLike<number>): number[] {
    if (typeof prompt !== 'string') return Array.from(prompt);
    if (!this.tokenizer) throw new Error('GPT: a text prompt needs a tokenizer (createGPT(config, { tokenizer }) or gpt.setTokenizer)');
    return Array.from(this.tokenizer.encode(prompt));
  }

  /**
   * Generated token ids, one at a time, after `prompt` (ids or text).
   *
   * @example
   * ```ts
   * for await (const id of gpt.streamIds([0], { maxTokens: 20, seed: 3 })) ids.push(id);
   * ```
   */
  async *streamIds(prompt: string | ArrayLike<number>, options: GenerateOptions = {}): AsyncGenerator<number> {
    const history = this.encode(prompt);
    const { maxTokens = 100, seed = 0, cache = true, stopAtEos = true } = options;
    if (!Number.isInteger(maxTokens) || maxTokens < 0) throw new Error(`generate: maxTokens must be an integer >= 0, got ${maxTokens}`);
    if (history.length === 0) {
      const bos = this.tokenizer?.specialIds.bos;
      if (bos === undefined) throw new Error('generate: the prompt is empty; give at least one token (e.g. "\\n")');
      history.push(bos);
    }
    for (const id of history) {
      if (!Number.isInteger(id) || id < 0 || id >= this.config.vocabSize) throw new Error(`generate: prompt token ${id} is outside the vocabulary [0, ${this.config.vocabSize})`);
    }
    const sampler = new TokenSampler(
      {
        ...(options.temperature !== undefined ? { temperature: options.temperature } : {}),
        ...(options.topK !== undefined ? { topK: Math.min(options.topK, this.config.vocabSize) } : {}),
        ...(options.topP !== undefined ? { topP: options.topP } : {}),
        ...(options.repetitionPenalty !== undefined ? { repetitionPenalty: options.repetitionPenalty } : {}),
      },
      new Rng(seed),
    );
    sampler.reset(history);
    const eos = stopAtEos ? this.tokenizer?.specialIds.eos : undefined;
    const block = this.config.blockSize;
    let past: LayerCache[] | null = null;
    let pending = history.slice(-block); // tokens not yet in the cache
    try {
      for (let step = 0; step < maxTokens; step++) {
        let logits: tf.Tensor;
        if (cache) {
          const cached = past?.[0]?.k.shape[0] ?? 0;
          if (past && cached + pending.length > block) {
            // The block is full: restart the cache from the last half block of tokens.
            tf.dispose(past.flatMap((c) => [c.k, c.v]));
            past = null;
            pending = history.slice(-Math.max(1, Math.ceil(block / 2)));
          }
          const prev: LayerCache[] | null = past;
          const out = tf.tidy(() => {
            const ids = tf.tensor2d(pending, [1, pending.length], 'int32');
            const r = this.net.forward(ids, prev ? { past: prev } : {});
            const last = r.hidden.slice([pending.length - 1, 0, 0], [1, 1, this.config.nEmbd]); // [1, 1, C]
            return [this.net.logits(last), ...r.cache.flatMap((c) => [c.k, c.v])];
          });
          if (prev) tf.dispose(prev.flatMap((c) => [c.k, c.v]));
          logits = out[0]!;
          past = this.net.blocks.map((_, i) => ({ k: out[1 + 2 * i] as tf.Tensor3D, v: out[2 + 2 * i] as tf.Tensor3D }));
        } else {
          const context = history.slice(-block);
          logits = tf.tidy(() => {
            const ids = tf.tensor2d(context, [1, context.length], 'int32');
            const { hidden } = this.net.forward(ids);
            return this.net.logits(hidden.slice([context.length - 1, 0, 0], [1, 1, this.config.nEmbd]));
          });
        }
        const values = await logits.data();
        logits.dispose();
        const id = sampler.next(values);
        history.push(id);
        pending = [id];
        yield id;
        if (eos !== undefined && id === eos) break;
      }
    } finally {
      if (past) tf.dispose(past.flatMap((c) => [c.k, c.v]));
    }
  }

  /**
   * Generated token ids after `prompt`.
   *
   * @example
   * ```ts
   * const ids = await gpt.generateIds([0], { maxTokens: 50, temperature: 0.8, seed: 1 });
   * ```
   */
  async generateIds(prompt: string | ArrayLike<number>, options: GenerateOptions = {}): Promise<Int32Array> {
    const out: number[] = [];
    for await (const id of this.streamIds(prompt, options)) out.push(id);
    return Int32Array.from(out);
  }

  /**
   * Text generated after `prompt` (the continuation only), streamed piece by piece.
   *
   * @example
   * ```ts
   * for await (const piece of gpt.stream('ROMEO:', { maxTokens: 200, seed: 1 })) process.stdout.write(piece);
   * ```
   */
  async *stream(prompt: string | ArrayLike<number>, options: GenerateOptions = {}): AsyncGenerator<string> {
    if (!this.tokenizer) throw new Error('GPT.stream needs a tokenizer; use streamIds for ids');
    const text = new TokenTextStream(this.tokenizer, { skipSpecial: true });
    for await (const id of this.streamIds(prompt, options)) {
      const piece = text.push(id);
      if (piece) yield piece;
    }
    const rest = text.flush();
    if (rest) yield rest;
  }

  /**
   * The text generated after `prompt` (the continuation only).
   *
   * @example
   * ```ts
   * const text = await gpt.generate('ROMEO:', { maxTokens: 300, temperature: 0.8, topK: 40, seed: 7 });
   * ```
   */
  async generate(prompt: string | ArrayLike<number>, options: GenerateOptions = {}): Promise<string> {
    let out = '';
    for await (const piece of this.stream(prompt, options)) out += piece;
    return out;
  }

  /**
   * Per-token negative log-likelihoods (nats) of tokens 1…n−1 of a sequence, each predicted from the
   * tokens before it within its block: the sequence is read in consecutive blocks of `blockSize`
   * predictions (the context restarts at each block).
   */
  async tokenNlls(input: string | ArrayLike<number>): Promise<Float32Array> {
    const ids = this.encode(input);
    if (ids.length < 2) throw new Error(`logProb needs at least 2 tokens, got ${ids.length}`);
    const block = this.config.blockSize;
    const predictions = ids.length - 1;
    const out = new Float32Array(predictions);
    // Full blocks go through the network 32 at a time; the last, shorter block alone.
    const fullBlocks = Math.floor(predictions / block);
    const rowsPerPass = 32;
    for (let start = 0; start < predictions; ) {
      const rows = start / block < fullBlocks ? Math.min(rowsPerPass, fullBlocks - start / block) : 1;
      const width = rows > 1 || start + block <= predictions ? block : predictions - start;
      const x = ids.slice(start, start + rows * width);
      const y = ids.slice(start + 1, start + 1 + rows * width);
      const nll = tf.tidy(() => {
        const logits = this.net.logits(this.net.forward(tf.tensor2d(x, [rows, width], 'int32')).hidden); // time-major rows [T·B, V]
        const targets = tf.transpose(tf.tensor2d(y, [rows, width], 'int32')).reshape([-1]) as tf.Tensor1D;
        return tf.transpose(tokenNll(logits, targets).reshape([width, rows])); // back to [B, T]
      });
      out.set(await nll.data(), start);
      nll.dispose();
      start += rows * width;
    }
    return out;
  }

  /**
   * Log-probability (nats) of a text or id sequence: the sum of log p(token | earlier tokens) over
   * every token after the first.
   *
   * @example
   * ```ts
   * const lp = await gpt.logProb('To be, or not to be');
   * ```
   */
  async logProb(input: string | ArrayLike<number>): Promise<number> {
    const nll = await this.tokenNlls(input);
    let sum = 0;
    for (const v of nll) sum += v;
    return -sum;
  }

  /**
   * Perplexity per token, `exp(−logProb / (n − 1))`: a model that knows nothing scores vocabSize.
   *
   * @example
   * ```ts
   * await gpt.perplexity(valText.slice(0, 2000)); // e.g. 4.6 for a trained char model
   * ```
   */
  async perplexity(input: string | ArrayLike<number>): Promise<number> {
    const nll = await this.tokenNlls(input);
    let sum = 0;
    for (const v of nll) sum += v;
    return Math.exp(sum / nll.length);
  }

  /**
   * Attention weights of every layer and head for a text (≤ blockSize tokens): `[layer][head][query][key]`,
   * rows summing to 1, zero above the diagonal.
   *
   * @example
   * ```ts
   * const maps = await gpt.attention('ROMEO:'); // maps[0][1][5] = how token 5 attends in layer 0, head 1
   * ```
   */
  async attention(input: string | ArrayLike<number>): Promise<number[][][][]> {
    const ids = this.encode(input);
    if (ids.length === 0 || ids.length > this.config.blockSize) {
      throw new Error(`attention: the input has ${ids.length} tokens; expected 1…${this.config.blockSize}`);
    }
    const t = ids.length;
    const stacked = tf.tidy(() => {
      const { weights } = this.net.forward(tf.tensor2d(ids, [1, t], 'int32'), { returnWeights: true });
      return tf.transpose(tf.stack(weights!), [0, 2, 1, 3]); // L × [T, H, T] → [L, H, T, T]
    });
    const maps = (await stacked.array()) as number[][][][];
    stacked.dispose();
    return maps;
  }

  /**
   * Mean validation loss over `batches` random windows of `tokens` (nanoGPT's `estimate_loss`).
   *
   * @example
   * ```ts
   * const val = await gpt.estimateLoss(tok.encode(valText), { batches: 200, seed: 1 });
   * ```
   */
  async estimateLoss(data: DataSource<GPTBatch>, batches = data.batchesPerEpoch): Promise<number> {
    let sum = 0;
    for (let i = 0; i < batches; i++) {
      const batch = data.batch(Math.floor(i / data.batchesPerEpoch), i % data.batchesPerEpoch);
      const loss = tf.tidy(() => this.loss(batch.x, batch.y, null));
      sum += (await loss.data())[0]!;
      tf.dispose([loss, batch.x, batch.y]);
    }
    return sum / batches;
  }

  namedParameters(): NamedVariable[] {
    return this.net.namedParameters();
  }

  getWeights(): tf.NamedTensorMap {
    return this.net.getWeights();
  }

  setWeights(weights: tf.NamedTensorMap): void {
    this.net.setWeights(weights);
  }

  /** The tokenizer, saved in checkpoints beside the weights. */
  extraState(): Record<string, unknown> {
    return this.tokenizer ? { tokenizer: this.tokenizer.toJSON() } : {};
  }

  /** Restores what {@link GPT.extraState} saved. */
  restoreExtraState(extra: Record<string, unknown>): void {
    if (extra.tokenizer) this.setTokenizer(tokenizerFromJSON(extra.tokenizer));
  }

  /**
   * For `@genloom/eval`'s `evaluateModel`: scores held-out text in consecutive blocks of
   * `blockSize` tokens (see {@link GPT.tokenNlls}).
   *
   * @example
   * ```ts
   * const { nats, tokens, characters } = await gpt.capabilities().textScoring!.score(valText);
   * ```
   */
  capabilities(): ModelCapabilities {
    return {
      textScoring: {
        score: async (text) => {
          const ids = this.encode(text);
          const nlls = await this.tokenNlls(ids);
          let nats = 0;
          for (const v of nlls) nats += v;
          const characters = this.tokenizer ? Array.from(this.tokenizer.decode(Int32Array.from(ids.slice(1)))).length : nlls.length;
          return { nats, tokens: nlls.length, characters };
        },
      },
    };
  }

  dispose(): void {
    this.net.dispose();
  }
}

/**
 * A new GPT with freshly initialised weights (nanoGPT's init: N(0, 0.02), residual projections
 * scaled by 1/√(2·nLayer)).
 *
 * @example
 * ```ts
 * const gpt = createGPT(resolveGPTConfig({ vocabSize: 65 }, 'tiny'), { seed: 1 });
 * ```
 */
export function createGPT(config: GPTConfig, options: { seed?: number; tokenizer?: Tokenizer } = {}): GPT {
  return new GPT(config, options.seed ?? 0, options.tokenizer ?? null);
}

/**
 * The Trainer options of a config's recipe: AdamW (decay on matrices only), warm-up + cosine
 * schedule, gradient clipping and `maxIters` steps — nanoGPT's `train.py`.
 *
 * @example
 * ```ts
 * await train(gpt, data, { ...gptTrainOptions(gpt.config), seed: 1337 });
 * ```
 */
export function gptTrainOptions(c: Pick<GPTConfig, 'lr' | 'minLr' | 'warmupIters' | 'lrDecayIters' | 'maxIters' | 'weightDecay' | 'beta1' | 'beta2' | 'gradClip'>): Partial<TrainOptions> & { steps: number } {
  return {
    steps: c.maxIters,
    optimizer: { type: 'adamw', lr: c.lr, beta1: c.beta1, beta2: c.beta2, eps: 1e-8, weightDecay: c.weightDecay, decayMatricesOnly: true },
    schedule: { type: 'warmup-cosine', lr: c.lr, warmupSteps: c.warmupIters, decaySteps: c.lrDecayIters, minLr: c.minLr },
    ...(c.gradClip > 0 ? { clipNorm: c.gradClip } : {}),
  };
}

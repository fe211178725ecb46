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
  type TokenSamplerOptions,
} from '@genloom/core';
import * as tf from '@tensorflow/tfjs';
import { resolveRNNLMConfig, type RNNLMConfig } from './config.js';
import type { LayerState } from './layers.js';
import { crossEntropy, RNNLMNetwork } from './network.js';

/**
 * A training batch: `x` and `y` int32 [B, T] (y is x shifted by one token), and optionally `keep`,
 * a float32 scalar: 1 carries every stream's hidden state over from the previous batch, 0 starts
 * from zeros. Without `keep` every batch starts from zeros. See {@link withStateResets}.
 */
export type RNNLMBatch = { x: tf.Tensor2D; y: tf.Tensor2D; keep?: tf.Tensor };

/** Options of {@link RNNLM.generate} and {@link RNNLM.stream}: core's sampler options plus a length and a seed. */
export interface GenerateOptions extends Omit<TokenSamplerOptions, 'eosId'> {
  /** Tokens to generate (default 200). */
  maxTokens?: number;
  /** Seed of the draws; equal seeds give equal text (default 0). */
  seed?: number;
}

/** What {@link RNNLM.perplexity} reports. */
export interface PerplexityResult {
  /** e^(mean negative log-likelihood per token). */
  perplexity: number;
  /** Mean negative log-likelihood in nats per token. */
  nll: number;
  /** Total negative log-likelihood in bits over the characters of the scored text. */
  bitsPerChar: number;
  /** Tokens scored (every token after the first, or every token of the text after a context). */
  tokens: number;
  /** Characters (code points) those tokens spell. */
  characters: number;
}

/** Options of {@link RNNLM.evaluateTokens}. */
export interface EvaluateOptions {
  /** Parallel streams the tokens are cut into (default 16); each starts from a zero state. */
  streams?: number;
  /** Tokens per forward pass (default: the config's blockSize); the state is carried between passes. */
  blockSize?: number;
}

/**
 * An LSTM or GRU language model. Trains with truncated backpropagation through time, carrying each
 * stream's hidden state (values only) from one batch to the next; scores text (log-probability,
 * perplexity, bits per character); generates by sampling, as a whole string or token by token with
 * the hidden state kept between tokens.
 *
 * @example
 * ```ts
 * const tokenizer = CharTokenizer.fromCorpus(text);
 * const model = createRNNLM({ preset: 'small' }, { tokenizer, seed: 1 });
 * await train(model, withStateResets(sequentialTextBatches(tokenizer.encode(text), { blockSize: 64, batchSize: 32 })), rnnLMTrainOptions(model.config));
 * console.log(await model.generate('Call me ', { maxTokens: 100, temperature: 0.8, seed: 1 }));
 * ```
 */
export class RNNLM implements GenerativeModel<RNNLMBatch, RNNLMConfig> {
  readonly family = 'rnn-lm';
  readonly net: RNNLMNetwork;
  private tok: Tokenizer | null = null;
  /** The training streams' state after the last batch (kept tensors, no gradient history). */
  private carried: LayerState[] | null = null;

  constructor(
    readonly config: RNNLMConfig,
    seed: number,
    tokenizer?: Tokenizer,
  ) {
    this.net = new RNNLMNetwork(config, new Rng(seed));
    if (tokenizer) this.setTokenizer(tokenizer);
  }

  /** The tokenizer text goes through, or null when the model only knows ids. */
  get tokenizer(): Tokenizer | null {
    return this.tok;
  }

  /**
   * Attaches a tokenizer; its vocabulary must fit in the model's (`vocabSize`).
   *
   * @example
   * ```ts
   * model.setTokenizer(CharTokenizer.fromCorpus(text));
   * ```
   */
  setTokenizer(tokenizer: Tokenizer): void {
    if (tokenizer.vocabSize > this.config.vocabSize) {
      throw new Error(`Tokenizer has ${tokenizer.vocabSize} ids but the model's vocabSize is ${this.config.vocabSize}; build the model with vocabSize >= ${tokenizer.vocabSize}`);
    }
    this.tok = tokenizer;
  }

  /** Token ids of `text` through the attached tokenizer. @example `model.encode('Call me')` */
  encode(text: string): Int32Array {
    if (!this.tok) throw new Error('This rnn-lm model has no tokenizer; pass one to createRNNLM(config, { tokenizer }) or call setTokenizer()');
    return this.tok.encode(text);
  }

  // ---- training --------------------------------------------------------------------------------

  /** One TBPTT step: loss in nats per token; the final state is kept for the next batch. */
  trainStep(batch: RNNLMBatch, ctx: StepContext): Record<string, tf.Scalar> {
    const B = batch.x.shape[0];
    let finalState: LayerState[] = [];
    const loss = ctx.minimize(() => {
      const { logits, state } = this.net.forward(tf.transpose(batch.x), this.startState(B, batch.keep), ctx.rng); // [T·B, V]
      finalState = state.map((s) => ({ h: tf.keep(s.h), c: s.c && tf.keep(s.c) }));
      return crossEntropy(logits, tf.reshape(tf.transpose(batch.y), [-1]) as tf.Tensor1D) as tf.Scalar;
    }, this.namedParameters());
    this.disposeCarried();
    this.carried = finalState;
    return { loss };
  }

  /** Loss of a batch from a zero state, without dropout or updates. */
  evalStep(batch: RNNLMBatch): Record<string, tf.Scalar> {
    return tf.tidy(() => {
      const { logits } = this.net.forward(tf.transpose(batch.x), this.net.zeroState(batch.x.shape[0]), null);
      return { loss: crossEntropy(logits, tf.reshape(tf.transpose(batch.y), [-1]) as tf.Tensor1D) as tf.Scalar };
    });
  }

  /** Forgets the training streams' carried state (the next batch starts from zeros). @example `model.resetState()` */
  resetState(): void {
    this.disposeCarried();
  }

  private startState(batch: number, keep: tf.Tensor | undefined): LayerState[] {
    const carried = this.carried;
    if (!keep || !carried || carried[0]!.h.shape[0] !== batch) return this.net.zeroState(batch);
    const scale = (t: tf.Tensor2D) => tf.mul(t, keep) as tf.Tensor2D;
    return carried.map((s) => ({ h: scale(s.h), c: s.c && scale(s.c) }));
  }

  private disposeCarried(): void {
    if (this.carried) for (const s of this.carried) tf.dispose([s.h, s.c]);
    this.carried = null;
  }

  // ---- scoring ---------------------------------------------------------------------------------

  /**
   * Total negative log-likelihood (nats) of each stream's tokens from position `from` on, each
   * predicted from every token before it. Streams have equal lengths and run side by side.
   */
  private async negLogLikelihood(streams: Int32Array[], from: number, blockSize: number): Promise<number> {
    const S = streams.length;
    const L = streams[0]!.length;
    let state = this.net.zeroState(S);
    let total = tf.scalar(0);
    for (let t0 = 0; t0 < L - 1; t0 += blockSize) {
      const T = Math.min(blockSize, L - 1 - t0);
      const x = new Int32Array(T * S);
      const y = new Int32Array(T * S);
      const w = new Float32Array(T * S);
      for (let t = 0; t < T; t++) {
        for (let s = 0; s < S; s++) {
          x[t * S + s] = streams[s]![t0 + t]!;
          y[t * S + s] = streams[s]![t0 + t + 1]!;
          w[t * S + s] = t0 + t + 1 >= from ? 1 : 0;
        }
      }
      const next = tf.tidy(() => {
        const out = this.net.forward(tf.tensor2d(x, [T, S], 'int32'), state, null);
        const nll = tf.sum(tf.mul(crossEntropy(out.logits, tf.tensor1d(y, 'int32'), true), tf.tensor1d(w)));
        return { state: out.state, total: tf.add(total, nll) as tf.Scalar };
      });
      disposeState(state);
      total.dispose();
      state = next.state;
      total = next.total;
    }
    disposeState(state);
    const value = (await total.data())[0]!;
    total.dispose();
    return value;
  }

  private checkIds(ids: Int32Array, where: string): void {
    for (let i = 0; i < ids.length; i++) {
      if (!(ids[i]! >= 0 && ids[i]! < this.config.vocabSize)) throw new Error(`${where}: token ${i} has id ${ids[i]}, outside the model's vocabulary [0, ${this.config.vocabSize})`);
    }
  }

  /**
   * Natural-log probability of `text`: of every token after the first, or, with `context`, of every
   * token of `text` given the context.
   *
   * @example
   * ```ts
   * const lp = await model.logProb(' Ishmael.', { context: 'Call me' }); // e.g. -9.1 (nats)
   * ```
   */
  async logProb(text: string, options: { context?: string } = {}): Promise<number> {
    const context = options.context ? this.encode(options.context) : new Int32Array(0);
    const ids = concatIds(context, this.encode(text));
    this.checkIds(ids, 'logProb');
    if (ids.length < 2) return 0;
    return -(await this.negLogLikelihood([ids], Math.max(1, context.length), this.config.blockSize * 4));
  }

  /**
   * Perplexity and bits per character of `text` (every token after the first is scored, or every
   * token of `text` after a `context`). A model that gives every token equal probability has a
   * perplexity equal to its vocabulary size.
   *
   * @example
   * ```ts
   * const { perplexity, bitsPerChar } = await model.perplexity(valText.slice(0, 5000));
   * ```
   */
  async perplexity(text: string, options: { context?: string } = {}): Promise<PerplexityResult> {
    const context = options.context ? this.encode(options.context) : new Int32Array(0);
    const textIds = this.encode(text);
    const from = Math.max(1, context.length);
    const ids = concatIds(context, textIds);
    this.checkIds(ids, 'perplexity');
    if (ids.length < 2) throw new Error(`perplexity: the text has ${ids.length} token(s); at least one token after the first is needed to score`);
    const nats = await this.negLogLikelihood([ids], from, this.config.blockSize * 4);
    const tokens = ids.length - from;
    const characters = Array.from(this.tok!.decode(ids.subarray(from))).length;
    return { perplexity: Math.exp(nats / tokens), nll: nats / tokens, bitsPerChar: nats / Math.LN2 / Math.max(1, characters), tokens, characters };
  }

  /**
   * Mean loss (nats per token) over a long token array, cut into `streams` parallel streams that
   * each carry their state from window to window: the validation loss of a corpus.
   *
   * @example
   * ```ts
   * const { loss } = await model.evaluateTokens(tokenizer.encode(val), { streams: 16 });
   * ```
   */
  async evaluateTokens(tokens: Int32Array, options: EvaluateOptions = {}): Promise<{ loss: number; tokens: number }> {
    const S = options.streams ?? 16;
    const blockSize = options.blockSize ?? this.config.blockSize;
    if (!(Number.isInteger(S) && S >= 1)) throw new Error(`evaluateTokens: streams must be an integer >= 1, got ${S}`);
    if (!(Number.isInteger(blockSize) && blockSize >= 1)) throw new Error(`evaluateTokens: blockSize must be an integer >= 1, got ${blockSize}`);
    const L = Math.floor(tokens.length / S);
    if (L < 2) throw new Error(`evaluateTokens: ${tokens.length} tokens are too few for ${S} streams of at least 2 tokens`);
    this.checkIds(tokens, 'evaluateTokens');
    const streams = Array.from({ length: S }, (_, s) => tokens.subarray(s * L, (s + 1) * L));
    const nats = await this.negLogLikelihood(streams, 1, blockSize);
    const count = S * (L - 1);
    return { loss: nats / count, tokens: count };
  }

  // ---- generation ------------------------------------------------------------------------------

  /**
   * Samples token ids after `prompt`, one at a time: the prompt is read once in a single pass and
   * the hidden state is then advanced one token per step (it is never re-read).
   *
   * @example
   * ```ts
   * for await (const id of model.streamIds(model.encode('Call me'), { maxTokens: 50, seed: 3 })) ids.push(id);
   * ```
   */
  async *streamIds(prompt: ArrayLike<number>, options: GenerateOptions = {}): AsyncGenerator<number, void, undefined> {
    const { maxTokens = 200, seed = 0, ...sampling } = options;
    if (!(Number.isInteger(maxTokens) && maxTokens >= 0)) throw new Error(`generate: maxTokens must be an integer >= 0, got ${maxTokens}`);
    const ids = Int32Array.from(prompt.length > 0 ? prompt : [this.startToken()]);
    this.checkIds(ids, 'generate: prompt');
    const eosId = this.tok?.specialIds.eos;
    // Ids the tokenizer cannot spell (the model may be wider than its tokenizer) are never drawn.
    const unused = this.tok ? Array.from({ length: this.config.vocabSize - this.tok.vocabSize }, (_, i) => this.tok!.vocabSize + i) : [];
    const suppress = [...unused, ...Array.from(sampling.suppressTokens ?? [])];
    const sampler = new TokenSampler({ ...sampling, ...(suppress.length ? { suppressTokens: suppress } : {}), ...(eosId !== undefined ? { eosId } : {}) }, new Rng(seed));
    sampler.reset(ids);
    let { logits, state } = tf.tidy(() => {
      const out = this.net.forward(tf.tensor2d(ids, [ids.length, 1], 'int32'), this.net.zeroState(1), null);
      return { logits: tf.slice(out.logits, [ids.length - 1, 0], [1, -1]) as tf.Tensor2D, state: out.state };
    });
    try {
      for (let n = 0; n < maxTokens; n++) {
        const id = sampler.next((await logits.data()) as Float32Array);
        yield id;
        if (id === eosId) return;
        if (n === maxTokens - 1) break;
        const next = tf.tidy(() => this.net.step(tf.tensor1d([id], 'int32'), state));
        logits.dispose();
        disposeState(state);
        ({ logits, state } = next);
      }
    } finally {
      logits.dispose();
      disposeState(state);
    }
  }

  /**
   * Generated token ids after `prompt` (ids) as one array.
   *
   * @example
   * ```ts
   * const ids = await model.generateIds(Int32Array.of(0), { maxTokens: 20, seed: 1 });
   * ```
   */
  async generateIds(prompt: ArrayLike<number>, options: GenerateOptions = {}): Promise<Int32Array> {
    const out: number[] = [];
    for await (const id of this.streamIds(prompt, options)) out.push(id);
    return Int32Array.from(out);
  }

  /**
   * Text generated after `prompt` (the continuation only).
   *
   * @example
   * ```ts
   * const text = await model.generate('Call me ', { maxTokens: 200, temperature: 0.8, topK: 20, topP: 0.95, seed: 7 });
   * ```
   */
  async generate(prompt: string, options: GenerateOptions = {}): Promise<string> {
    const ids = await this.generateIds(this.encode(prompt), options);
    return this.tok!.decode(ids, { skipSpecial: true });
  }

  /**
   * The continuation of `prompt`, piece by piece as tokens are drawn (a character split over
   * byte-level tokens is held back until it is complete). Same seed, same text as {@link generate}.
   *
   * @example
   * ```ts
   * for await (const piece of model.stream('Call me ', { maxTokens: 200, seed: 7 })) process.stdout.write(piece);
   * ```
   */
  async *stream(prompt: string, options: GenerateOptions = {}): AsyncGenerator<string, void, undefined> {
    const promptIds = this.encode(prompt); // throws when there is no tokenizer
    const text = new TokenTextStream(this.tok!, { skipSpecial: true });
    for await (const id of this.streamIds(promptIds, options)) {
      const piece = text.push(id);
      if (piece) yield piece;
    }
    const rest = text.flush();
    if (rest) yield rest;
  }

  /** The token an empty prompt starts from: bos, else a newline, else id 0. */
  private startToken(): number {
    const tok = this.tok;
    if (!tok) return 0;
    if (tok.specialIds.bos !== undefined) return tok.specialIds.bos;
    const newline = tok.encode('\n');
    return newline.length === 1 && newline[0] !== tok.specialIds.unk ? newline[0]! : 0;
  }

  // ---- weights ---------------------------------------------------------------------------------

  namedParameters(): NamedVariable[] {
    return this.net.namedParameters();
  }

  getWeights(): tf.NamedTensorMap {
    return this.net.getWeights();
  }

  setWeights(weights: tf.NamedTensorMap): void {
    this.net.setWeights(weights);
    this.disposeCarried();
  }

  /** The tokenizer, saved in checkpoints beside the weights. */
  extraState(): Record<string, unknown> {
    return this.tok ? { tokenizer: this.tok.toJSON() } : {};
  }

  /** Restores {@link RNNLM.extraState}. @example `model.restoreExtraState({ tokenizer: json })` */
  restoreExtraState(extra: Record<string, unknown>): void {
    if (extra.tokenizer !== undefined) this.setTokenizer(tokenizerFromJSON(extra.tokenizer));
  }

  /** Number of scalar weights. @example `model.parameterCount()` */
  parameterCount(): number {
    return this.net.parameterCount();
  }

  /**
   * For `@genloom/eval`'s `evaluateModel`: scores held-out text as one stream, the state carried
   * from the first token to the last (see {@link RNNLM.perplexity}).
   *
   * @example
   * ```ts
   * const { nats, tokens, characters } = await lm.capabilities().textScoring!.score(valText);
   * ```
   */
  capabilities(): ModelCapabilities {
    return {
      textScoring: {
        score: async (text) => {
          const r = await this.perplexity(text);
          return { nats: r.nll * r.tokens, tokens: r.tokens, characters: r.characters };
        },
      },
    };
  }

  dispose(): void {
    this.disposeCarried();
    this.net.dispose();
  }
}

function concatIds(a: Int32Array, b: Int32Array): Int32Array {
  const out = new Int32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function disposeState(state: LayerState[]): void {
  for (const s of state) tf.dispose([s.h, s.c]);
}

/**
 * Marks the first batch of every epoch of a contiguous source (such as `sequentialTextBatches` from
 * `@genloom/datasets`, where row b of batch i + 1 continues row b of batch i) so the model starts
 * it from a zero state and carries its state across all the others.
 *
 * @example
 * ```ts
 * const data = withStateResets(sequentialTextBatches(tokens, { blockSize: 64, batchSize: 12 }));
 * ```
 */
export function withStateResets<B extends { x: tf.Tensor2D; y: tf.Tensor2D }>(source: DataSource<B>): DataSource<B & { keep: tf.Scalar }> {
  return {
    batchesPerEpoch: source.batchesPerEpoch,
    ...(source.batchSize !== undefined ? { batchSize: source.batchSize } : {}),
    batch: (epoch, index) => ({ ...source.batch(epoch, index), keep: tf.scalar(index === 0 ? 0 : 1) }),
  };
}

/**
 * Creates a model from a preset and overrides. With a tokenizer, `vocabSize` defaults to the
 * tokenizer's.
 *
 * @example
 * ```ts
 * const model = createRNNLM({ preset: 'char-cpu', cell: 'gru' }, { tokenizer: CharTokenizer.fromCorpus(text), seed: 1 });
 * ```
 */
export function createRNNLM(config: Partial<RNNLMConfig> & { preset?: string } = {}, options: { seed?: number; tokenizer?: Tokenizer } = {}): RNNLM {
  const { preset, ...overrides } = config;
  const tok = options.tokenizer;
  const resolved = resolveRNNLMConfig({ ...(tok && overrides.vocabSize === undefined ? { vocabSize: tok.vocabSize } : {}), ...overrides }, preset);
  return new RNNLM(resolved, options.seed ?? 0, tok);
}

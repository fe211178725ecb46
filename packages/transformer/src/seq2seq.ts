import {
  Rng,
  argmax,
  logSoftmax,
  sampleToken,
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
import { beamSearch, gnmtLengthPenalty, type Hypothesis, type NextLogits } from './beam-search.js';
import { gptTrainOptions } from './gpt.js';
import { maskedCrossEntropy } from './ops.js';
import type { Seq2SeqConfig } from './seq2seq-config.js';
import { pairBatches, type EncodedPair, type PairBatchOptions, type Seq2SeqBatch } from './seq2seq-data.js';
import { Seq2SeqNet, type EncoderMemory } from './seq2seq-model.js';
import { SymbolTokenizer } from './symbol-tokenizer.js';

/** Options of {@link Seq2Seq.translate} and {@link Seq2Seq.translateIds}. */
export interface TranslateOptions {
  /** Beams per source (default 1: greedy decoding, or sampling when temperature > 0). */
  beamSize?: number;
  /** Most tokens generated per source, eos included (default and at most maxTargetLength). */
  maxLength?: number;
  /** α of GNMT's length penalty `((5 + length) / 6)^α` that ranks beams (default 0.6). */
  lengthPenalty?: number;
  /** 0 (default) decodes greedily; above 0 samples (beamSize 1 only). */
  temperature?: number;
  topK?: number;
  topP?: number;
  /** Seed of the sampling draws (default 0). */
  seed?: number;
  /** Reuse the decoder's keys/values of earlier positions (default true). */
  cache?: boolean;
  /** Sources decoded together (default 64); results do not depend on it. */
  batchSize?: number;
  /** Target bos/eos ids; default the target tokenizer's. */
  bos?: number;
  eos?: number;
}

/** Source and target tokenizers of a {@link Seq2Seq}; both need pad, bos and eos special tokens. */
export interface Seq2SeqTokenizers {
  source: Tokenizer;
  target: Tokenizer;
}

/** A source/target pair as text: the target a string, or a list of symbols (CMUdict phonemes). */
export interface TextPair {
  source: string;
  target: string | readonly string[];
}

/**
 * An encoder–decoder transformer implementing genloom's model contract: `trainStep` for the Trainer
 * (label-smoothed cross-entropy over the target tokens, padding ignored), greedy decoding with a KV
 * cache, beam search with GNMT's length penalty, sampling, and checkpoints that carry both tokenizers.
 *
 * @example
 * ```ts
 * const { source, target } = g2pTokenizers(await loadCmudict());
 * const model = createSeq2Seq(resolveSeq2SeqConfig({ sourceVocabSize: source.vocabSize, targetVocabSize: target.vocabSize }, 'g2p-small'), { tokenizers: { source, target } });
 * await train(model, model.batches(trainPairs, { seed: 1 }), seq2seqTrainOptions(model.config));
 * await model.translate(['hello', 'world'], { beamSize: 4 }); // ['HH AH0 L OW1', 'W ER1 L D']
 * ```
 */
export class Seq2Seq implements GenerativeModel<Seq2SeqBatch, Seq2SeqConfig> {
  readonly family = 'seq2seq';
  readonly net: Seq2SeqNet;
  sourceTokenizer: Tokenizer | null = null;
  targetTokenizer: Tokenizer | null = null;

  constructor(
    readonly config: Seq2SeqConfig,
    seed = 0,
    tokenizers: Seq2SeqTokenizers | null = null,
  ) {
    this.net = new Seq2SeqNet(config, new Rng(seed));
    if (tokenizers) this.setTokenizers(tokenizers);
  }

  /** Attaches tokenizers that fit the model's vocabularies. @example `model.setTokenizers({ source, target })` */
  setTokenizers(tokenizers: Seq2SeqTokenizers): void {
    const { source, target } = tokenizers;
    if (source.vocabSize > this.config.sourceVocabSize) throw new Error(`Seq2Seq: the source tokenizer has ${source.vocabSize} ids but sourceVocabSize is ${this.config.sourceVocabSize}`);
    if (target.vocabSize > this.config.targetVocabSize) throw new Error(`Seq2Seq: the target tokenizer has ${target.vocabSize} ids but targetVocabSize is ${this.config.targetVocabSize}`);
    for (const name of ['pad', 'bos', 'eos'] as const) {
      if (target.specialIds[name] === undefined) throw new Error(`Seq2Seq: the target tokenizer needs a '${name}' special token (specialTokens: { pad, bos, eos, unk })`);
    }
    this.sourceTokenizer = source;
    this.targetTokenizer = target;
  }

  /** The target tokenizer's pad, bos and eos ids. @example `pairBatches(pairs, { batchSize: 64, ...model.targetSpecialIds() })` */
  targetSpecialIds(): { pad: number; bos: number; eos: number } {
    const t = this.requireTokenizers().target.specialIds;
    return { pad: t.pad!, bos: t.bos!, eos: t.eos! };
  }

  private requireTokenizers(): Seq2SeqTokenizers {
    if (!this.sourceTokenizer || !this.targetTokenizer) throw new Error('Seq2Seq: text needs tokenizers (createSeq2Seq(config, { tokenizers }) or model.setTokenizers)');
    return { source: this.sourceTokenizer, target: this.targetTokenizer };
  }

  /** Source ids of a text, as the encoder reads it (eos appended when the source tokenizer has one). @example `model.encodeSource('hello')` */
  encodeSource(text: string): Int32Array {
    const source = this.requireTokenizers().source;
    return source.encode(text, { addEos: source.specialIds.eos !== undefined });
  }

  /**
   * Text pairs as ids: sources through {@link Seq2Seq.encodeSource}, targets through the target
   * tokenizer (a list of symbols one id each, with a {@link SymbolTokenizer}).
   *
   * @example
   * ```ts
   * const encoded = model.encodePairs([{ source: 'hello', target: ['HH', 'AH0', 'L', 'OW1'] }]);
   * ```
   */
  encodePairs(pairs: readonly TextPair[]): EncodedPair[] {
    const { target } = this.requireTokenizers();
    return pairs.map((p) => ({
      source: this.encodeSource(p.source),
      target:
        typeof p.target === 'string'
          ? target.encode(p.target)
          : target instanceof SymbolTokenizer
            ? target.encodeSymbols(p.target)
            : target.encode(p.target.join(' ')),
    }));
  }

  /**
   * Training batches of text pairs with this model's tokenizers, batch size and length limits.
   *
   * @example
   * ```ts
   * const data = model.batches(train.pairs, { seed: 1 });
   * ```
   */
  batches(pairs: readonly TextPair[], options: Partial<Omit<PairBatchOptions, 'bos' | 'eos' | 'pad'>> = {}): DataSource<Seq2SeqBatch> {
    return pairBatches(this.encodePairs(pairs), {
      batchSize: this.config.batchSize,
      maxSourceLength: this.config.maxSourceLength,
      maxTargetLength: this.config.maxTargetLength,
      ...options,
      ...this.targetSpecialIds(),
    });
  }

  /** Mean label-smoothed cross-entropy (nats per target token) of a batch; differentiable. Call inside a tidy. */
  loss(batch: Seq2SeqBatch, rng: Rng | null, smoothing = this.config.labelSmoothing): tf.Scalar {
    const memory = this.net.encode(batch.src, batch.srcMask, rng);
    const { hidden } = this.net.decode(batch.tgtIn, memory, undefined, rng); // [T, B, C]
    const targets = tf.transpose(batch.tgtOut).reshape([-1]) as tf.Tensor1D; // rows in (t, b) order, like hidden
    const weights = tf.transpose(batch.tgtMask).reshape([-1]) as tf.Tensor1D;
    return maskedCrossEntropy(this.net.logits(hidden), targets, weights, smoothing);
  }

  /** The training objective (label-smoothed). @example `const { loss } = model.trainStep(batch, ctx)` */
  trainStep(batch: Seq2SeqBatch, ctx: StepContext): Record<string, tf.Scalar> {
    const rng = this.config.dropout > 0 ? ctx.rng : null;
    const loss = ctx.minimize(() => this.loss(batch, rng), this.namedParameters());
    return { loss };
  }

  /** Plain cross-entropy (no smoothing, no dropout) per target token. @example `const { loss } = model.evalStep(batch)` */
  evalStep(batch: Seq2SeqBatch): Record<string, tf.Scalar> {
    return { loss: tf.tidy(() => this.loss(batch, null, 0)) };
  }

  /**
   * Mean per-token cross-entropy (nats, no smoothing) over `batches` batches of `data`.
   *
   * @example
   * ```ts
   * await model.estimateLoss(model.batches(test.pairs, { shuffle: false }));
   * ```
   */
  async estimateLoss(data: DataSource<Seq2SeqBatch>, batches = data.batchesPerEpoch): Promise<number> {
    let sum = 0;
    for (let i = 0; i < batches; i++) {
      const batch = data.batch(Math.floor(i / data.batchesPerEpoch), i % data.batchesPerEpoch);
      const { loss } = this.evalStep(batch);
      sum += (await loss!.data())[0]!;
      tf.dispose([loss!, ...Object.values(batch)]);
    }
    return sum / batches;
  }

  /**
   * Teacher-forced logits `[B, T, V]` of decoder inputs `tgtIn` `[B, T]` given sources `[B, S]` and
   * their 0/1 mask, without dropout.
   *
   * @example
   * ```ts
   * const logits = model.logits(batch.src, batch.srcMask, batch.tgtIn); // [B, T, V]
   * ```
   */
  logits(src: tf.Tensor2D, srcMask: tf.Tensor2D, tgtIn: tf.Tensor2D): tf.Tensor3D {
    return tf.tidy(() => {
      const [b, t] = tgtIn.shape;
      const { hidden } = this.net.decode(tgtIn, this.net.encode(src, srcMask));
      return tf.transpose(this.net.logits(hidden).reshape([t, b, this.config.targetVocabSize]), [1, 0, 2]) as tf.Tensor3D;
    });
  }

  /**
   * Decodes source id sequences (as the encoder reads them: {@link Seq2Seq.encodeSource}), returning
   * each source's best hypothesis. Sources are decoded in batches of similar length; padding does not
   * change the result.
   *
   * @example
   * ```ts
   * const [best] = await model.translateIds([model.encodeSource('hello')], { beamSize: 4 });
   * best.ids; best.logProb; best.score;
   * ```
   */
  async translateIds(sources: readonly ArrayLike<number>[], options: TranslateOptions = {}): Promise<Hypothesis[]> {
    const o = this.decodingOptions(sources, options);
    const rng = new Rng(options.seed ?? 0);
    if (o.beamSize > 1) return (await this.nBest(sources, options)).map((h) => h[0]!);
    return this.inChunks(sources, o.batchSize, (batch) => this.decodeGreedy(batch, o, rng));
  }

  /**
   * Beam search for every source (any beamSize, 1 included): each source's hypotheses, best score
   * first (up to beamSize of them).
   *
   * @example
   * ```ts
   * const [hyps] = await model.nBest([model.encodeSource('read')], { beamSize: 4 });
   * hyps.map((h) => model.targetTokenizer!.decode(h.ids)); // ['R IY1 D', 'R EH1 D', …]
   * ```
   */
  async nBest(sources: readonly ArrayLike<number>[], options: TranslateOptions = {}): Promise<Hypothesis[][]> {
    const o = this.decodingOptions(sources, options);
    if (o.temperature > 0) throw new Error(`translate: sampling (temperature ${o.temperature}) works with greedy decoding only, not beam search`);
    return this.inChunks(sources, o.batchSize, (batch) => this.decodeBeam(batch, o));
  }

  /** Validated decoding options with their defaults. */
  private decodingOptions(sources: readonly ArrayLike<number>[], options: TranslateOptions) {
    const c = this.config;
    const beamSize = options.beamSize ?? 1;
    const maxLength = options.maxLength ?? c.maxTargetLength;
    const temperature = options.temperature ?? 0;
    const batchSize = options.batchSize ?? 64;
    const bos = options.bos ?? this.targetTokenizer?.specialIds.bos;
    const eos = options.eos ?? this.targetTokenizer?.specialIds.eos;
    if (bos === undefined || eos === undefined) throw new Error('translate: the target bos/eos ids are unknown; attach tokenizers or pass { bos, eos }');
    if (!Number.isInteger(beamSize) || beamSize < 1) throw new Error(`translate: beamSize must be a positive integer, got ${beamSize}`);
    if (!Number.isInteger(maxLength) || maxLength < 1 || maxLength > c.maxTargetLength) throw new Error(`translate: maxLength must be an integer in [1, ${c.maxTargetLength}] (maxTargetLength), got ${maxLength}`);
    if (!(temperature >= 0)) throw new Error(`translate: temperature must be >= 0, got ${temperature}`);
    if (temperature > 0 && beamSize > 1) throw new Error(`translate: sampling (temperature ${temperature}) works with beamSize 1, got beamSize ${beamSize}`);
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`translate: batchSize must be a positive integer, got ${batchSize}`);
    sources.forEach((s, i) => {
      if (s.length === 0 || s.length > c.maxSourceLength) throw new Error(`translate: source ${i} has ${s.length} tokens; expected 1…${c.maxSourceLength} (maxSourceLength)`);
      for (let j = 0; j < s.length; j++) {
        if (!Number.isInteger(s[j]) || s[j]! < 0 || s[j]! >= c.sourceVocabSize) throw new Error(`translate: source ${i} token ${s[j]} is outside the vocabulary [0, ${c.sourceVocabSize})`);
      }
    });
    return { ...options, beamSize, maxLength, temperature, batchSize, bos, eos };
  }

  /** Runs `decode` on batches of sources of similar length and puts the results back in input order. */
  private async inChunks<R>(sources: readonly ArrayLike<number>[], chunk: number, decode: (batch: ArrayLike<number>[]) => Promise<R[]>): Promise<R[]> {
    const order = sources.map((_, i) => i).sort((a, b) => sources[a]!.length - sources[b]!.length);
    const out: R[] = new Array(sources.length);
    for (let start = 0; start < order.length; start += chunk) {
      const idx = order.slice(start, start + chunk);
      const results = await decode(idx.map((i) => sources[i]!));
      idx.forEach((i, j) => (out[i] = results[j]!));
    }
    return out;
  }

  /**
   * Translations of text inputs (one string, or many): for g2p, `'hello'` → `'HH AH0 L OW1'`.
   *
   * @example
   * ```ts
   * await model.translate('hello');                                   // greedy
   * await model.translate(['read', 'lead'], { beamSize: 5, lengthPenalty: 0.6 });
   * ```
   */
  translate(inputs: string, options?: TranslateOptions): Promise<string>;
  translate(inputs: readonly string[], options?: TranslateOptions): Promise<string[]>;
  async translate(inputs: string | readonly string[], options: TranslateOptions = {}): Promise<string | string[]> {
    const { target } = this.requireTokenizers();
    const list = typeof inputs === 'string' ? [inputs] : inputs;
    const hyps = await this.translateIds(list.map((s) => this.encodeSource(s)), options);
    const texts = hyps.map((h) => target.decode(h.ids, { skipSpecial: true }));
    return typeof inputs === 'string' ? texts[0]! : texts;
  }

  /** Greedy decoding (or sampling) of one batch of sources, one row each. */
  private async decodeGreedy(sources: ArrayLike<number>[], o: TranslateOptions & { maxLength: number; temperature: number; bos: number; eos: number }, rng: Rng): Promise<Hypothesis[]> {
    const b = sources.length;
    const v = this.config.targetVocabSize;
    const alpha = o.lengthPenalty ?? 0.6;
    const sampling = { temperature: o.temperature, ...(o.topK !== undefined ? { topK: Math.min(o.topK, v) } : {}), ...(o.topP !== undefined ? { topP: o.topP } : {}) };
    const hyps: Hypothesis[] = sources.map(() => ({ ids: [], logProb: 0, score: 0, finished: false }));
    const session = this.startDecoding(sources, 1, o.cache ?? true);
    try {
      let tokens = new Array<number>(b).fill(o.bos);
      for (let step = 0; step < o.maxLength && hyps.some((h) => !h.finished); step++) {
        const logits = await session.next(tokens, null);
        tokens = hyps.map((h, i) => {
          if (h.finished) return o.eos;
          const row = logits.subarray(i * v, (i + 1) * v);
          const id = o.temperature > 0 ? sampleToken(row, sampling, rng) : argmax(row);
          h.logProb += logSoftmax(row)[id]!;
          if (id === o.eos) h.finished = true;
          else h.ids.push(id);
          return id;
        });
      }
    } finally {
      session.dispose();
    }
    for (const h of hyps) h.score = h.logProb / gnmtLengthPenalty(h.ids.length + (h.finished ? 1 : 0), alpha);
    return hyps;
  }

  /** Beam search over one batch of sources. */
  private async decodeBeam(sources: ArrayLike<number>[], o: TranslateOptions & { beamSize: number; maxLength: number; bos: number; eos: number }): Promise<Hypothesis[][]> {
    const session = this.startDecoding(sources, o.beamSize, o.cache ?? true);
    try {
      const hyps = await beamSearch(session.next, {
        batchSize: sources.length,
        beamSize: o.beamSize,
        vocabSize: this.config.targetVocabSize,
        bos: o.bos,
        eos: o.eos,
        maxLength: o.maxLength,
        ...(o.lengthPenalty !== undefined ? { lengthPenalty: o.lengthPenalty } : {}),
      });
      return hyps;
    } finally {
      session.dispose();
    }
  }

  /**
   * Encodes a batch of sources once (each repeated for `beams` rows) and returns the step function
   * of the decoder: with the cache, each step feeds one token per row and reorders the rows' keys and
   * values after their beams' back-pointers; without it, each step re-reads every row's whole prefix.
   */
  private startDecoding(sources: ArrayLike<number>[], beams: number, useCache: boolean): { next: NextLogits; dispose: () => void } {
    const c = this.config;
    const h = c.nHead;
    const rows = sources.length * beams;
    const s = Math.max(...sources.map((x) => x.length));
    // Head-expanded row index: activations are [·, rows·H, ·] with row-major (row, head).
    const headRows = (rowOf: (r: number) => number) => tf.tensor1d(Int32Array.from({ length: rows * h }, (_, i) => rowOf(Math.floor(i / h)) * h + (i % h)), 'int32');
    const memory = tf.tidy(() => {
      const ids = new Int32Array(sources.length * s);
      const keep = new Float32Array(sources.length * s);
      sources.forEach((x, i) => {
        for (let j = 0; j < x.length; j++) {
          ids[i * s + j] = x[j]!;
          keep[i * s + j] = 1;
        }
      });
      const m = this.net.encode(tf.tensor2d(ids, [sources.length, s], 'int32'), tf.tensor2d(keep, [sources.length, s]));
      if (beams === 1) return { kv: m.kv, mask: m.mask } as unknown as tf.TensorContainerObject;
      const idx = headRows((r) => Math.floor(r / beams));
      return { kv: m.kv.map((l) => ({ k: tf.gather(l.k, idx, 1), v: tf.gather(l.v, idx, 1) })), mask: tf.gather(m.mask, idx, 1) } as unknown as tf.TensorContainerObject;
    }) as unknown as Pick<EncoderMemory, 'kv' | 'mask'>;
    let past: LayerCache[] | null = null;
    let prefixes: number[][] = Array.from({ length: rows }, () => []);
    const v = c.targetVocabSize;
    const next: NextLogits = async (tokens, parents) => {
      const prev: LayerCache[] | null = past;
      const out = tf.tidy(() => {
        if (useCache) {
          let cache = prev;
          if (cache && parents) {
            const idx = headRows((r) => parents[r]!);
            cache = cache.map((l) => ({ k: tf.gather(l.k, idx, 1), v: tf.gather(l.v, idx, 1) }));
          }
          const r = this.net.decode(tf.tensor2d(tokens, [rows, 1], 'int32'), memory, cache ?? undefined);
          return [this.net.logits(r.hidden), ...r.cache.flatMap((l) => [l.k, l.v])]; // [rows, V], then caches
        }
        prefixes = prefixes.map((_, r) => [...prefixes[parents ? parents[r]! : r]!, tokens[r]!]);
        const t = prefixes[0]!.length;
        const { hidden } = this.net.decode(tf.tensor2d(prefixes.flat(), [rows, t], 'int32'), memory);
        return [this.net.logits(hidden.slice([t - 1, 0, 0], [1, rows, c.nEmbd]))];
      });
      if (useCache) {
        if (prev) tf.dispose(prev.flatMap((l) => [l.k, l.v]));
        past = this.net.decoder.map((_, i) => ({ k: out[1 + 2 * i] as tf.Tensor3D, v: out[2 + 2 * i] as tf.Tensor3D }));
      }
      const logits = (await out[0]!.data()) as Float32Array;
      out[0]!.dispose();
      if (logits.length !== rows * v) throw new Error(`Seq2Seq: expected ${rows}×${v} logits, got ${logits.length}`);
      return logits;
    };
    const dispose = () => {
      if (past) tf.dispose(past.flatMap((l) => [l.k, l.v]));
      past = null;
      tf.dispose([...memory.kv.flatMap((l) => [l.k, l.v]), memory.mask]);
    };
    return { next, dispose };
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

  /** Both tokenizers, saved in checkpoints beside the weights. */
  extraState(): Record<string, unknown> {
    return this.sourceTokenizer && this.targetTokenizer ? { sourceTokenizer: this.sourceTokenizer.toJSON(), targetTokenizer: this.targetTokenizer.toJSON() } : {};
  }

  /** Restores what {@link Seq2Seq.extraState} saved. */
  restoreExtraState(extra: Record<string, unknown>): void {
    if (extra.sourceTokenizer && extra.targetTokenizer) {
      this.setTokenizers({ source: tokenizerFromJSON(extra.sourceTokenizer), target: tokenizerFromJSON(extra.targetTokenizer) });
    }
  }

  /**
   * For `@genloom/eval`'s `evaluateModel`: translations (greedy, or beam search), `phonemes` output
   * when the target vocabulary is a list of symbols (g2p); nothing before tokenizers are set.
   *
   * @example
   * ```ts
   * const t = g2p.capabilities().translation!;
   * await t.translate(['hello'], { beamSize: 5 }); // ['HH AH0 L OW1']
   * ```
   */
  capabilities(): ModelCapabilities {
    const target = this.targetTokenizer;
    if (!this.sourceTokenizer || !target) return {}; // no text without tokenizers
    const c = this.config;
    return {
      translation: {
        output: target instanceof SymbolTokenizer ? 'phonemes' : 'text',
        fits: (source, targetText) => {
          const s = this.encodeSource(source).length;
          const t = (target instanceof SymbolTokenizer ? target.encodeSymbols(targetText.split(' ').filter(Boolean)) : target.encode(targetText)).length;
          return s >= 1 && s <= c.maxSourceLength && t + 1 <= c.maxTargetLength;
        },
        translate: (sources, o = {}) => this.translate(sources, { batchSize: 128, ...(o.beamSize ? { beamSize: o.beamSize } : {}) }),
      },
    };
  }

  dispose(): void {
    this.net.dispose();
  }
}

/**
 * A new encoder–decoder with freshly initialised weights (N(0, 0.02); residual projections scaled
 * down by the number of residual branches).
 *
 * @example
 * ```ts
 * const model = createSeq2Seq(resolveSeq2SeqConfig({}, 'tiny'), { seed: 1 });
 * ```
 */
export function createSeq2Seq(config: Seq2SeqConfig, options: { seed?: number; tokenizers?: Seq2SeqTokenizers } = {}): Seq2Seq {
  return new Seq2Seq(config, options.seed ?? 0, options.tokenizers ?? null);
}

/**
 * The Trainer options of a config's recipe: AdamW (decay on matrices only), warm-up + cosine
 * schedule, gradient clipping and `maxIters` steps (the same recipe as the GPT's).
 *
 * @example
 * ```ts
 * await train(model, data, { ...seq2seqTrainOptions(model.config), seed: 1 });
 * ```
 */
export function seq2seqTrainOptions(c: Seq2SeqConfig): Partial<TrainOptions> & { steps: number } {
  return gptTrainOptions(c);
}

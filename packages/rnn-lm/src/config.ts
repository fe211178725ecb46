import type { TrainingRecipe } from '@genloom/core';
import { resolvePreset } from '@genloom/core';

/** The recurrent cell of every layer. */
export type CellKind = 'lstm' | 'gru';

/** How text becomes token ids: one per character, or byte-level BPE learned on the training text. */
export type TokenizerKind = 'char' | 'bpe';

/**
 * Everything that defines a recurrent language model and its training recipe. JSON-serialisable;
 * checkpoints store it verbatim. Training-recipe names follow the transformer package (nanoGPT's
 * `train.py` in camelCase) so the two families read alike.
 */
export interface RNNLMConfig extends TrainingRecipe {
  cell: CellKind;
  /** Number of token ids (the tokenizer's vocabSize; set from the tokenizer when one is built). */
  vocabSize: number;
  tokenizer: TokenizerKind;
  /** Vocabulary size to learn when `tokenizer` is 'bpe' (256 bytes + merges). */
  bpeVocabSize: number;
  /** Width of the token embedding (E). */
  embedDim: number;
  /** Width of every recurrent layer's state (H). */
  hiddenSize: number;
  numLayers: number;
  /** Dropout on the non-recurrent connections (embedding, between layers, before the head), training only. */
  dropout: number;
  /** Share the embedding table with the output head (a projection H → E is added when they differ). */
  tieWeights: boolean;
  // ---- training recipe ----------------------------------------------------------------------------
  /** Tokens per step of truncated backpropagation through time (T). */
  blockSize: number;
  // batchSize (B: parallel streams, each carrying its hidden state to the next batch), lr, minLr,
  // warmupIters, lrDecayIters, maxIters, weightDecay, beta1, beta2, gradClip: TrainingRecipe
  /** Fraction of the corpus (its tail) held out for validation. */
  valFraction: number;
}

/** A laptop-sized character LSTM (the `small` preset). */
export const defaultRNNLMConfig: RNNLMConfig = {
  cell: 'lstm',
  vocabSize: 128,
  tokenizer: 'char',
  bpeVocabSize: 1024,
  embedDim: 64,
  hiddenSize: 256,
  numLayers: 2,
  dropout: 0.1,
  tieWeights: false,
  blockSize: 64,
  batchSize: 32,
  lr: 2e-3,
  minLr: 2e-4,
  warmupIters: 50,
  lrDecayIters: 3000,
  maxIters: 3000,
  weightDecay: 0,
  beta1: 0.9,
  beta2: 0.99,
  gradClip: 1.0,
  valFraction: 0.1,
};

/**
 * Named starting points. `tiny` is for tests; `small` trains in minutes on a laptop; `char-cpu`
 * trains on exactly the characters of nanoGPT's CPU run (2000 iterations × 12 streams × 64
 * characters = 1,536,000), so this family and the transformer compare at equal data.
 */
export const rnnLMPresets: Record<string, Partial<RNNLMConfig>> = {
  tiny: {
    vocabSize: 128,
    embedDim: 16,
    hiddenSize: 32,
    numLayers: 2,
    dropout: 0,
    blockSize: 16,
    batchSize: 4,
    lr: 1e-2,
    minLr: 1e-3,
    warmupIters: 0,
    lrDecayIters: 200,
    maxIters: 200,
  },
  small: {},
  'char-cpu': {
    cell: 'lstm',
    embedDim: 64,
    hiddenSize: 384,
    numLayers: 1,
    dropout: 0,
    blockSize: 64,
    batchSize: 12,
    lr: 3e-3,
    minLr: 3e-4,
    warmupIters: 50,
    lrDecayIters: 2000,
    maxIters: 2000,
  },
};

const integer = (name: string, v: unknown, min: number): void => {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    throw new Error(`RNNLMConfig.${name} must be an integer >= ${min}, got ${JSON.stringify(v)}`);
  }
};
const number = (name: string, v: unknown, lo: number, hi: number, hiOpen = false): void => {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < lo || (hiOpen ? v >= hi : v > hi)) {
    throw new Error(`RNNLMConfig.${name} must be a number in [${lo}, ${hi}${hiOpen ? ')' : ']'}, got ${JSON.stringify(v)}`);
  }
};
const oneOf = (name: string, v: unknown, options: readonly string[]): void => {
  if (typeof v !== 'string' || !options.includes(v)) {
    throw new Error(`RNNLMConfig.${name} must be one of ${options.map((o) => `'${o}'`).join(', ')}, got ${JSON.stringify(v)}`);
  }
};

/**
 * Checks every field of a config, throwing an error that names the first bad one.
 *
 * @example
 * ```ts
 * validateRNNLMConfig({ ...defaultRNNLMConfig, hiddenSize: 0 }); // throws: RNNLMConfig.hiddenSize must be an integer >= 1, got 0
 * ```
 */
export function validateRNNLMConfig(c: RNNLMConfig): RNNLMConfig {
  oneOf('cell', c.cell, ['lstm', 'gru']);
  integer('vocabSize', c.vocabSize, 2);
  oneOf('tokenizer', c.tokenizer, ['char', 'bpe']);
  integer('bpeVocabSize', c.bpeVocabSize, 257);
  integer('embedDim', c.embedDim, 1);
  integer('hiddenSize', c.hiddenSize, 1);
  integer('numLayers', c.numLayers, 1);
  number('dropout', c.dropout, 0, 1, true);
  if (typeof c.tieWeights !== 'boolean') throw new Error(`RNNLMConfig.tieWeights must be true or false, got ${JSON.stringify(c.tieWeights)}`);
  integer('blockSize', c.blockSize, 1);
  integer('batchSize', c.batchSize, 1);
  number('lr', c.lr, 0, 10);
  if (!(c.lr > 0)) throw new Error(`RNNLMConfig.lr must be > 0, got ${c.lr}`);
  number('minLr', c.minLr, 0, c.lr);
  integer('warmupIters', c.warmupIters, 0);
  integer('lrDecayIters', c.lrDecayIters, 1);
  integer('maxIters', c.maxIters, 0);
  number('weightDecay', c.weightDecay, 0, 10);
  number('beta1', c.beta1, 0, 1, true);
  number('beta2', c.beta2, 0, 1, true);
  number('gradClip', c.gradClip, 0, Number.MAX_VALUE);
  number('valFraction', c.valFraction, 0, 1, true);
  return c;
}

/**
 * Merges a preset and overrides onto {@link defaultRNNLMConfig} and validates the result.
 *
 * @example
 * ```ts
 * const config = resolveRNNLMConfig({ cell: 'gru' }, 'tiny');
 * ```
 */
export function resolveRNNLMConfig(overrides: Partial<RNNLMConfig> = {}, preset?: string): RNNLMConfig {
  return validateRNNLMConfig(resolvePreset('rnn-lm', rnnLMPresets, defaultRNNLMConfig, preset, overrides));
}

import { BpeTokenizer, CharTokenizer, type FamilyDefinition, type Tokenizer, type TrainOptions } from '@genloom/core';
import { resolveRNNLMConfig, rnnLMPresets, type RNNLMConfig } from './config.js';
import { RNNLM } from './model.js';

/**
 * The tokenizer a config asks for, built from the training text: every character of it (unknown
 * characters later map to `<unk>`), or byte-level BPE with `bpeVocabSize` ids learned on it.
 *
 * @example
 * ```ts
 * const tokenizer = buildTokenizer(config, trainText);
 * const model = createRNNLM({ ...config, vocabSize: tokenizer.vocabSize }, { tokenizer });
 * ```
 */
export function buildTokenizer(config: Pick<RNNLMConfig, 'tokenizer' | 'bpeVocabSize'>, corpus: string): Tokenizer {
  if (corpus.length === 0) throw new Error('buildTokenizer: the training text is empty; a tokenizer needs a corpus');
  if (config.tokenizer === 'bpe') return BpeTokenizer.train(corpus, { vocabSize: config.bpeVocabSize });
  if (config.tokenizer === 'char') return CharTokenizer.fromCorpus(corpus);
  throw new Error(`buildTokenizer: unknown tokenizer ${JSON.stringify(config.tokenizer)}; expected 'char' or 'bpe'`);
}

/**
 * The training recipe of a config as options for core's `train`: AdamW, linear warm-up then cosine decay,
 * gradient clipping, `maxIters` steps.
 *
 * @example
 * ```ts
 * await train(model, data, { ...rnnLMTrainOptions(model.config), callbacks: [progressBar()] });
 * ```
 */
export function rnnLMTrainOptions(config: RNNLMConfig): Partial<TrainOptions> & { steps: number } {
  return {
    steps: config.maxIters,
    optimizer: { type: 'adamw', lr: config.lr, beta1: config.beta1, beta2: config.beta2, weightDecay: config.weightDecay },
    schedule: { type: 'warmup-cosine', lr: config.lr, warmupSteps: config.warmupIters, decaySteps: config.lrDecayIters, minLr: config.minLr },
    ...(config.gradClip > 0 ? { clipNorm: config.gradClip } : {}),
  };
}

/** The rnn-lm family as core's registry knows it (checkpoints load through it). */
export const rnnLMFamily: FamilyDefinition<RNNLMConfig, RNNLM> = {
  name: 'rnn-lm',
  description: 'LSTM and GRU language models (character or BPE tokens) trained with truncated BPTT',
  presets: rnnLMPresets,
  defaultPreset: 'small',
  resolveConfig: (overrides = {}, preset) => resolveRNNLMConfig(overrides, preset),
  create: (config, seed) => new RNNLM(resolveRNNLMConfig(config), seed),
  restoreExtraState: (model, extra) => model.restoreExtraState(extra),
};

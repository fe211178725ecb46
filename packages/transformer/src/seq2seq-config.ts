import type { TrainingRecipe } from '@genloom/core';
import { resolvePreset } from '@genloom/core';
import { checkFields, isNonNeg, isNonNegInt, isPosInt, isUnitOpen } from './config.js';

/**
 * Everything that defines an encoder–decoder transformer and its training recipe. JSON-serialisable;
 * checkpoints store it verbatim. The source and target vocabularies are separate (letters in,
 * phonemes out); the decoder's input embedding is tied to its output head.
 */
export interface Seq2SeqConfig extends TrainingRecipe {
  /** Number of source token ids (the source tokenizer's vocabSize). */
  sourceVocabSize: number;
  /** Number of target token ids (the target tokenizer's vocabSize). */
  targetVocabSize: number;
  /** Longest source the encoder reads, eos included (size of its learned position table). */
  maxSourceLength: number;
  /** Longest target the decoder reads, bos included (size of its learned position table). */
  maxTargetLength: number;
  nEncoderLayer: number;
  nDecoderLayer: number;
  nHead: number;
  /** Width of the residual stream (C); divisible by nHead. */
  nEmbd: number;
  /** Dropout on embeddings, attention weights and residual branches (training only). */
  dropout: number;
  /** Biases in the linear and layer-norm layers. */
  bias: boolean;
  /** Share the decoder's input embedding with its output head (weight tying). */
  tieWeights: boolean;
  /** Label smoothing ε of the training loss: the target distribution is (1−ε)·one-hot + ε/V. */
  labelSmoothing: number;
  // ---- training recipe -------------------------------------------------------------------------
  // batchSize, lr, minLr, warmupIters, lrDecayIters, maxIters, weightDecay, beta1, beta2, gradClip: TrainingRecipe
}

/** A small encoder–decoder for character-level tasks (the `g2p-small` shape). */
export const defaultSeq2SeqConfig: Seq2SeqConfig = {
  sourceVocabSize: 64,
  targetVocabSize: 96,
  maxSourceLength: 40,
  maxTargetLength: 40,
  nEncoderLayer: 3,
  nDecoderLayer: 3,
  nHead: 4,
  nEmbd: 128,
  dropout: 0.1,
  bias: true,
  tieWeights: true,
  labelSmoothing: 0.1,
  batchSize: 64,
  lr: 2e-3,
  minLr: 1e-4,
  warmupIters: 300,
  lrDecayIters: 6000,
  maxIters: 6000,
  weightDecay: 0.01,
  beta1: 0.9,
  beta2: 0.98,
  gradClip: 1.0,
};

/**
 * Named starting points: `tiny` for tests; `g2p-small` for grapheme-to-phoneme on CMUdict (letters
 * → ARPAbet phonemes with stress; the longest CMUdict word has 34 letters, the longest
 * pronunciation 32 phonemes).
 */
export const seq2seqPresets: Record<string, Partial<Seq2SeqConfig>> = {
  tiny: {
    sourceVocabSize: 48,
    targetVocabSize: 80,
    maxSourceLength: 24,
    maxTargetLength: 24,
    nEncoderLayer: 1,
    nDecoderLayer: 1,
    nHead: 2,
    nEmbd: 32,
    dropout: 0,
    labelSmoothing: 0,
    batchSize: 16,
    lr: 3e-3,
    minLr: 3e-4,
    warmupIters: 5,
    lrDecayIters: 100,
    maxIters: 100,
  },
  'g2p-small': {
    nEncoderLayer: 2,
    nDecoderLayer: 2,
    nHead: 4,
    nEmbd: 128,
    batchSize: 64,
  },
};

/**
 * Merges a preset and overrides onto {@link defaultSeq2SeqConfig} and validates every field,
 * throwing an error that names the bad one.
 *
 * @example
 * ```ts
 * const config = resolveSeq2SeqConfig({ sourceVocabSize: src.vocabSize, targetVocabSize: tgt.vocabSize }, 'g2p-small');
 * resolveSeq2SeqConfig({ nEmbd: 100, nHead: 3 }); // Error: nEmbd must be divisible by nHead (3)
 * ```
 */
export function resolveSeq2SeqConfig(overrides: Partial<Seq2SeqConfig> = {}, preset?: string): Seq2SeqConfig {
  const c = resolvePreset('seq2seq', seq2seqPresets, defaultSeq2SeqConfig, preset, overrides);
  checkFields<Seq2SeqConfig>('Seq2Seq', c, [
    ['sourceVocabSize', isPosInt, 'a positive integer'],
    ['targetVocabSize', isPosInt, 'a positive integer'],
    ['maxSourceLength', isPosInt, 'a positive integer'],
    ['maxTargetLength', (v) => isPosInt(v) && (v as number) >= 2, 'an integer >= 2 (bos and one token)'],
    ['nEncoderLayer', isPosInt, 'a positive integer'],
    ['nDecoderLayer', isPosInt, 'a positive integer'],
    ['nHead', isPosInt, 'a positive integer'],
    ['nEmbd', isPosInt, 'a positive integer'],
    ['dropout', isUnitOpen, 'a number in [0, 1)'],
    ['bias', (v) => typeof v === 'boolean', 'true or false'],
    ['tieWeights', (v) => typeof v === 'boolean', 'true or false'],
    ['labelSmoothing', isUnitOpen, 'a number in [0, 1)'],
    ['batchSize', isPosInt, 'a positive integer'],
    ['lr', (v) => isNonNeg(v) && (v as number) > 0, 'a number > 0'],
    ['minLr', isNonNeg, 'a number >= 0'],
    ['warmupIters', isNonNegInt, 'an integer >= 0'],
    ['lrDecayIters', isNonNegInt, 'an integer >= 0'],
    ['maxIters', isNonNegInt, 'an integer >= 0'],
    ['weightDecay', isNonNeg, 'a number >= 0'],
    ['beta1', isUnitOpen, 'a number in [0, 1)'],
    ['beta2', isUnitOpen, 'a number in [0, 1)'],
    ['gradClip', isNonNeg, 'a number >= 0 (0 turns clipping off)'],
  ]);
  checkFields<Seq2SeqConfig>('Seq2Seq', c, [
    ['nEmbd', (v) => (v as number) % c.nHead === 0, `divisible by nHead (${c.nHead})`],
    ['warmupIters', (v) => (v as number) <= c.lrDecayIters, `at most lrDecayIters (${c.lrDecayIters})`],
    ['minLr', (v) => (v as number) <= c.lr, `at most lr (${c.lr})`],
  ]);
  return c;
}

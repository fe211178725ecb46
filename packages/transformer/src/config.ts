import type { TrainingRecipe } from '@genloom/core';
import { resolvePreset } from '@genloom/core';

/** How a GPT knows where a token is: a learned table (GPT-2) or rotary embeddings (RoFormer). */
export type PositionKind = 'learned' | 'rotary';

/**
 * Everything that defines a decoder-only GPT and its training recipe. JSON-serialisable; checkpoints
 * store it verbatim. Field names follow nanoGPT's `GPTConfig` and `train.py` in camelCase.
 */
export interface GPTConfig extends TrainingRecipe {
  /** Number of token ids (the tokenizer's vocabSize). */
  vocabSize: number;
  /** Longest context the model sees (T). */
  blockSize: number;
  nLayer: number;
  nHead: number;
  /** Width of the residual stream (C); divisible by nHead. */
  nEmbd: number;
  /** Dropout on embeddings, attention weights and residual branches (training only). */
  dropout: number;
  /** Biases in the linear and layer-norm layers (nanoGPT's `bias`). */
  bias: boolean;
  positions: PositionKind;
  /** Share the token embedding with the output head (weight tying). */
  tieWeights: boolean;
  // ---- training recipe (nanoGPT's train.py) -------------------------------------------------
  // batchSize, lr, minLr, warmupIters, lrDecayIters, maxIters, weightDecay, beta1, beta2, gradClip: TrainingRecipe
  /** Fraction of the corpus (its tail) held out for validation. */
  valFraction: number;
}

/** A small GPT for a laptop, trained on a character corpus. */
export const defaultGPTConfig: GPTConfig = {
  vocabSize: 65,
  blockSize: 256,
  nLayer: 6,
  nHead: 6,
  nEmbd: 384,
  dropout: 0.2,
  bias: false,
  positions: 'learned',
  tieWeights: true,
  batchSize: 64,
  lr: 1e-3,
  minLr: 1e-4,
  warmupIters: 100,
  lrDecayIters: 5000,
  maxIters: 5000,
  weightDecay: 0.1,
  beta1: 0.9,
  beta2: 0.99,
  gradClip: 1.0,
  valFraction: 0.1,
};

/**
 * Named starting points. `nanogpt-cpu` is exactly nanoGPT's CPU run of `train_shakespeare_char`
 * (`--device=cpu --block_size=64 --batch_size=12 --n_layer=4 --n_head=4 --n_embd=128
 * --max_iters=2000 --lr_decay_iters=2000 --dropout=0.0`); `small` is its GPU configuration.
 */
export const gptPresets: Record<string, Partial<GPTConfig>> = {
  tiny: {
    vocabSize: 128,
    blockSize: 16,
    nLayer: 2,
    nHead: 2,
    nEmbd: 32,
    dropout: 0,
    batchSize: 8,
    lr: 3e-3,
    minLr: 3e-4,
    warmupIters: 5,
    lrDecayIters: 100,
    maxIters: 100,
  },
  'nanogpt-cpu': {
    blockSize: 64,
    nLayer: 4,
    nHead: 4,
    nEmbd: 128,
    dropout: 0,
    bias: false,
    positions: 'learned',
    tieWeights: true,
    batchSize: 12,
    lr: 1e-3,
    minLr: 1e-4,
    warmupIters: 100,
    lrDecayIters: 2000,
    maxIters: 2000,
    weightDecay: 0.1,
    beta1: 0.9,
    beta2: 0.99,
    gradClip: 1.0,
  },
  small: {},
};

function check(ok: boolean, field: keyof GPTConfig, expected: string, value: unknown): void {
  if (!ok) throw new Error(`GPT config: ${field} must be ${expected}, got ${JSON.stringify(value)}`);
}

/** Throws a clear error naming the first invalid field of a GPT or seq2seq config. */
export function checkFields<C extends object>(
  kind: string,
  c: C,
  rules: Array<[keyof C & string, (v: unknown) => boolean, string]>,
): void {
  for (const [field, ok, expected] of rules) {
    const value = (c as Record<string, unknown>)[field];
    if (!ok(value)) throw new Error(`${kind} config: ${field} must be ${expected}, got ${JSON.stringify(value)}`);
  }
}

/** A positive integer. */
export const isPosInt = (v: unknown): boolean => Number.isInteger(v) && (v as number) > 0;
/** A non-negative integer. */
export const isNonNegInt = (v: unknown): boolean => Number.isInteger(v) && (v as number) >= 0;
/** A finite number >= 0. */
export const isNonNeg = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v) && v >= 0;
/** A number in [0, 1). */
export const isUnitOpen = (v: unknown): boolean => typeof v === 'number' && v >= 0 && v < 1;

/**
 * Merges a preset and overrides onto {@link defaultGPTConfig} and validates every field, throwing an
 * error that names the bad one.
 *
 * @example
 * ```ts
 * const config = resolveGPTConfig({ vocabSize: tokenizer.vocabSize }, 'nanogpt-cpu');
 * resolveGPTConfig({ nEmbd: 100, nHead: 3 }); // Error: nEmbd (100) must be divisible by nHead (3)
 * ```
 */
export function resolveGPTConfig(overrides: Partial<GPTConfig> = {}, preset?: string): GPTConfig {
  const c = resolvePreset('transformer', gptPresets, defaultGPTConfig, preset, overrides);
  checkFields<GPTConfig>('GPT', c, [
    ['vocabSize', isPosInt, 'a positive integer'],
    ['blockSize', isPosInt, 'a positive integer'],
    ['nLayer', isPosInt, 'a positive integer'],
    ['nHead', isPosInt, 'a positive integer'],
    ['nEmbd', isPosInt, 'a positive integer'],
    ['dropout', isUnitOpen, 'a number in [0, 1)'],
    ['bias', (v) => typeof v === 'boolean', 'true or false'],
    ['positions', (v) => v === 'learned' || v === 'rotary', "'learned' or 'rotary'"],
    ['tieWeights', (v) => typeof v === 'boolean', 'true or false'],
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
    ['valFraction', (v) => typeof v === 'number' && v > 0 && v < 1, 'a number in (0, 1)'],
  ]);
  check(c.nEmbd % c.nHead === 0, 'nEmbd', `divisible by nHead (${c.nHead})`, c.nEmbd);
  if (c.positions === 'rotary') check((c.nEmbd / c.nHead) % 2 === 0, 'nHead', 'such that the head size nEmbd/nHead is even for rotary positions', c.nHead);
  check(c.warmupIters <= c.lrDecayIters, 'warmupIters', `at most lrDecayIters (${c.lrDecayIters})`, c.warmupIters);
  check(c.minLr <= c.lr, 'minLr', `at most lr (${c.lr})`, c.minLr);
  return c;
}

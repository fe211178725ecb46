import { resolvePreset } from '@genloom/core';

/** How β_t grows over the forward process: DDPM's linear ramp, or Nichol & Dhariwal's cosine ᾱ_t. */
export type BetaSchedule = 'linear' | 'cosine';

/** What the network is trained to predict: the added noise ε, or the velocity v = √ᾱ·ε − √(1−ᾱ)·x₀. */
export type PredictionType = 'epsilon' | 'v';

/**
 * What steers generation: nothing, a class label (a learned embedding per class), or a prompt
 * (a small character-level text encoder trained on captions made from the labels). Conditioned
 * models also learn a "no condition" token, which classifier-free guidance needs.
 */
export type Conditioning = 'none' | 'class' | 'prompt';

/**
 * Configuration of a diffusion model: the U-Net, the noise schedule it is trained on, and its
 * conditioning. The schedulers (DDPM, DDIM) are chosen at sampling time, not here.
 */
export interface DiffusionConfig {
  /** One image, `[H, W, C]`; H and W must be divisible by patchSize·2^(levels−1). */
  imageShape: number[];
  /** Side of the square patches the stem folds into channels (1: the U-Net starts at full resolution; 2: at half). */
  patchSize: number;
  /** U-Net channels per level (at least 2); each level halves the resolution of the one before. */
  channels: number[];
  /** Residual blocks per resolution on the way down (the way up has one more, as in DDPM). */
  resBlocks: number;
  /** Heads of the self-attention at the lowest resolution; 0 for no attention. */
  attentionHeads: number;
  /** Groups of every group norm; must divide every entry of `channels`. */
  groups: number;
  /** Size of the time (and condition) embedding added in every residual block. */
  embDim: number;
  /** Dropout in the residual blocks during training. */
  dropout: number;
  /** Diffusion steps T of the forward process. */
  timesteps: number;
  betaSchedule: BetaSchedule;
  /** Linear schedule: β_1 and β_T (DDPM's 1e-4 and 0.02, scaled to T = 1000). */
  betaStart: number;
  betaEnd: number;
  prediction: PredictionType;
  conditioning: Conditioning;
  /** Names of the classes (class and prompt conditioning); their count is the number of classes. */
  classNames: string[];
  /** Probability of dropping the condition in training, so the model also learns the unconditional score. */
  condDropout: number;
  /** Prompt conditioning: the characters the text encoder knows; others become one unknown token. */
  promptAlphabet: string;
  /** Prompt conditioning: prompts are cut to this many characters. */
  maxPromptLength: number;
  /** Prompt conditioning: character embedding size and convolution filters of the text encoder. */
  textEmbDim: number;
  textFilters: number;
  /** Prompt conditioning: width of the character convolution (a word plus its spaces). */
  textKernel: number;
}

/** Digit names, for captions of the data sets whose classes are the digits 0–9. */
export const DIGIT_WORDS: readonly string[] = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];

/** The defaults: a prompt-conditioned U-Net for 28×28 grey digits, T = 1000 with a cosine schedule. */
export const defaultDiffusionConfig: DiffusionConfig = {
  imageShape: [28, 28, 1],
  patchSize: 2,
  channels: [32, 64],
  resBlocks: 1,
  attentionHeads: 4,
  groups: 8,
  embDim: 128,
  dropout: 0,
  timesteps: 1000,
  betaSchedule: 'cosine',
  betaStart: 1e-4,
  betaEnd: 0.02,
  prediction: 'epsilon',
  conditioning: 'prompt',
  classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
  condDropout: 0.1,
  promptAlphabet: "abcdefghijklmnopqrstuvwxyz0123456789 -'",
  maxPromptLength: 40,
  textEmbDim: 32,
  textFilters: 128,
  textKernel: 7,
};

/**
 * Named presets. `tiny` is for tests (seconds on wasm, class-conditioned 28×28 digits), `small` the
 * MNIST model of the bench and the CLI (prompt-conditioned, trains to recognisable digits in tens
 * of minutes on one wasm thread), `base` a wider U-Net for a GPU or a patient CPU, `emoji` for
 * 32×32 RGBA Twemoji sprites (unconditional; set `conditioning` and `classNames` for categories).
 */
export const diffusionPresets: Record<string, Partial<DiffusionConfig>> = {
  tiny: { channels: [8, 16], groups: 4, embDim: 32, attentionHeads: 1, timesteps: 100, conditioning: 'class', textFilters: 32, textEmbDim: 8 },
  small: {},
  base: { patchSize: 1, channels: [64, 128, 128], resBlocks: 2, embDim: 256, dropout: 0.1 },
  emoji: { imageShape: [32, 32, 4], patchSize: 2, channels: [32, 64, 128], conditioning: 'none' },
};

const fail = (field: string, want: string, got: unknown): never => {
  throw new Error(`diffusion config: ${field} must be ${want}, got ${JSON.stringify(got)}`);
};

function positiveInt(value: unknown, field: string): void {
  if (!Number.isInteger(value) || (value as number) <= 0) fail(field, 'a positive integer', value);
}

function oneOf<T>(value: unknown, choices: readonly T[], field: string): void {
  if (!choices.includes(value as T)) fail(field, `one of ${choices.map((c) => JSON.stringify(c)).join(', ')}`, value);
}

function inRange(value: unknown, lo: number, hi: number, field: string, closedHi = false): void {
  const ok = typeof value === 'number' && value >= lo && (closedHi ? value <= hi : value < hi);
  if (!ok) fail(field, `a number in [${lo}, ${hi}${closedHi ? ']' : ')'}`, value);
}

/**
 * Validates a complete config, throwing an error that names the first bad field.
 *
 * @example
 * ```ts
 * validateDiffusionConfig({ ...defaultDiffusionConfig, imageShape: [30, 30, 1] }); // throws: divisible by 4
 * ```
 */
export function validateDiffusionConfig(c: DiffusionConfig): DiffusionConfig {
  if (!Array.isArray(c.imageShape) || c.imageShape.length !== 3) fail('imageShape', '[H, W, C]', c.imageShape);
  c.imageShape.forEach((v, i) => positiveInt(v, `imageShape[${i}]`));
  positiveInt(c.patchSize, 'patchSize');
  if (!Array.isArray(c.channels) || c.channels.length < 2) fail('channels', 'an array of at least 2 channel counts (one per level)', c.channels);
  c.channels.forEach((v, i) => positiveInt(v, `channels[${i}]`));
  const [h, w] = c.imageShape as [number, number, number];
  const factor = c.patchSize * 2 ** (c.channels.length - 1);
  if (h % factor !== 0 || w % factor !== 0) {
    throw new Error(
      `diffusion config: imageShape ${JSON.stringify(c.imageShape)} needs H and W divisible by ${factor} (patchSize ${c.patchSize} × 2^${c.channels.length - 1} for ${c.channels.length} levels)`,
    );
  }
  positiveInt(c.groups, 'groups');
  c.channels.forEach((ch, i) => {
    if (ch % c.groups !== 0) throw new Error(`diffusion config: channels[${i}] = ${ch} is not divisible by groups = ${c.groups}`);
  });
  positiveInt(c.resBlocks, 'resBlocks');
  if (!Number.isInteger(c.attentionHeads) || c.attentionHeads < 0) fail('attentionHeads', 'an integer >= 0', c.attentionHeads);
  const low = c.channels[c.channels.length - 1]!;
  if (c.attentionHeads > 0 && low % c.attentionHeads !== 0) {
    throw new Error(`diffusion config: the lowest level's channels (${low}) are not divisible by attentionHeads = ${c.attentionHeads}`);
  }
  positiveInt(c.embDim, 'embDim');
  if (c.embDim % 2 !== 0) fail('embDim', 'even (sine and cosine halves)', c.embDim);
  inRange(c.dropout, 0, 1, 'dropout');
  positiveInt(c.timesteps, 'timesteps');
  if (c.timesteps < 2) fail('timesteps', 'at least 2', c.timesteps);
  oneOf(c.betaSchedule, ['linear', 'cosine'] as const, 'betaSchedule');
  inRange(c.betaStart, 0, 1, 'betaStart');
  inRange(c.betaEnd, 0, 1, 'betaEnd');
  if (!(c.betaStart > 0 && c.betaEnd >= c.betaStart)) fail('betaEnd', `>= betaStart (${c.betaStart}) with betaStart > 0`, c.betaEnd);
  oneOf(c.prediction, ['epsilon', 'v'] as const, 'prediction');
  oneOf(c.conditioning, ['none', 'class', 'prompt'] as const, 'conditioning');
  if (!Array.isArray(c.classNames) || c.classNames.some((n) => typeof n !== 'string' || n.trim() === '')) {
    fail('classNames', 'an array of non-empty strings', c.classNames);
  }
  if (c.conditioning !== 'none' && c.classNames.length < 2) {
    throw new Error(`diffusion config: conditioning "${c.conditioning}" needs classNames with at least 2 classes, got ${JSON.stringify(c.classNames)}`);
  }
  inRange(c.condDropout, 0, 1, 'condDropout');
  if (typeof c.promptAlphabet !== 'string' || c.promptAlphabet.length === 0 || new Set(c.promptAlphabet).size !== [...c.promptAlphabet].length) {
    fail('promptAlphabet', 'a non-empty string of distinct characters', c.promptAlphabet);
  }
  positiveInt(c.maxPromptLength, 'maxPromptLength');
  positiveInt(c.textEmbDim, 'textEmbDim');
  positiveInt(c.textFilters, 'textFilters');
  positiveInt(c.textKernel, 'textKernel');
  return c;
}

/**
 * Merges a preset and overrides onto {@link defaultDiffusionConfig} and validates the result.
 *
 * @example
 * ```ts
 * const mnist = resolveDiffusionConfig({}, 'small');
 * const faces = resolveDiffusionConfig({ imageShape: [32, 32, 4], classNames: categories }, 'emoji');
 * const v = resolveDiffusionConfig({ prediction: 'v', betaSchedule: 'linear' }, 'tiny');
 * ```
 */
export function resolveDiffusionConfig(overrides: Partial<DiffusionConfig> = {}, preset?: string): DiffusionConfig {
  const merged = resolvePreset('diffusion', diffusionPresets, defaultDiffusionConfig, preset, overrides);
  return validateDiffusionConfig({
    ...merged,
    imageShape: [...merged.imageShape],
    channels: [...merged.channels],
    classNames: [...merged.classNames],
  });
}

import { resolvePreset } from '@genloom/core';

/**
 * Configuration of the feature-extractor classifier: a small CNN of stages (3×3 convolution, then a
 * stride-2 3×3 convolution, both ReLU), a dense feature layer, and a linear head over the classes.
 * The feature layer (after its ReLU) gives the FID/KID/precision–recall features; the head's
 * softmax gives the Inception Score, class coverage and conditional accuracy.
 */
export interface ClassifierConfig {
  /** Input images are [imageSize, imageSize, channels]. */
  imageSize: number;
  channels: number;
  numClasses: number;
  /** Output channels of each stage; every stage halves the resolution. */
  stageChannels: number[];
  /** Width of the feature layer (the metrics' feature dimension). */
  featureDim: number;
  /** Dropout on the feature layer during training (0 for none). */
  dropout: number;
  /** Pixel range the classifier expects its inputs in (record of the training data's scaling). */
  pixelRange: [number, number];
}

/** The defaults: MNIST, 28×28×1, 10 classes, 64 features. */
export const defaultClassifierConfig: ClassifierConfig = {
  imageSize: 28,
  channels: 1,
  numClasses: 10,
  stageChannels: [16, 32, 64],
  featureDim: 64,
  dropout: 0.25,
  pixelRange: [0, 1],
};

/**
 * Named presets: `tiny` for tests, `mnist` the shipped MNIST feature extractor (≈138k parameters,
 * < 600 kB), `emoji` for 32×32 RGBA sprites (set `numClasses` to the number of categories).
 */
export const classifierPresets: Record<string, Partial<ClassifierConfig>> = {
  tiny: { stageChannels: [4, 8], featureDim: 16, dropout: 0 },
  mnist: {},
  emoji: { imageSize: 32, channels: 4, stageChannels: [16, 32, 64], featureDim: 64 },
};

function positiveInt(value: unknown, field: string): void {
  if (!Number.isInteger(value) || (value as number) <= 0) {
    throw new Error(`classifier config: ${field} must be a positive integer, got ${JSON.stringify(value)}`);
  }
}

/**
 * Merges a preset and overrides onto the defaults and validates every field, throwing an error
 * that names the bad field.
 *
 * @example
 * ```ts
 * resolveClassifierConfig({ numClasses: 8 }, 'emoji');
 * ```
 */
export function resolveClassifierConfig(overrides: Partial<ClassifierConfig> = {}, preset?: string): ClassifierConfig {
  const c = resolvePreset('classifier', classifierPresets, defaultClassifierConfig, preset, overrides);
  positiveInt(c.imageSize, 'imageSize');
  positiveInt(c.channels, 'channels');
  positiveInt(c.featureDim, 'featureDim');
  if (!Number.isInteger(c.numClasses) || c.numClasses < 2) throw new Error(`classifier config: numClasses must be an integer ≥ 2, got ${JSON.stringify(c.numClasses)}`);
  if (!Array.isArray(c.stageChannels) || c.stageChannels.length === 0) {
    throw new Error(`classifier config: stageChannels must be a non-empty array of positive integers, got ${JSON.stringify(c.stageChannels)}`);
  }
  c.stageChannels.forEach((v, i) => positiveInt(v, `stageChannels[${i}]`));
  if (typeof c.dropout !== 'number' || !(c.dropout >= 0 && c.dropout < 1)) throw new Error(`classifier config: dropout must be in [0, 1), got ${JSON.stringify(c.dropout)}`);
  if (!Array.isArray(c.pixelRange) || c.pixelRange.length !== 2 || !(c.pixelRange[0] < c.pixelRange[1])) {
    throw new Error(`classifier config: pixelRange must be [low, high] with low < high, got ${JSON.stringify(c.pixelRange)}`);
  }
  return { ...c, stageChannels: [...c.stageChannels], pixelRange: [c.pixelRange[0], c.pixelRange[1]] };
}

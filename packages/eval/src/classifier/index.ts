import { registerFamily, type FamilyDefinition } from '@genloom/core';
import { classifierPresets, resolveClassifierConfig, type ClassifierConfig } from './config.js';
import { ImageClassifier } from './model.js';

export { classifierPresets, defaultClassifierConfig, resolveClassifierConfig } from './config.js';
export type { ClassifierConfig } from './config.js';
export { ImageClassifier } from './model.js';
export type { ClassifierBatch } from './model.js';
export { trainImageClassifier, classifierAccuracy, labelledBatches } from './train.js';
export type { LabelledImages, TrainClassifierOptions, TrainedClassifier } from './train.js';

/**
 * The `classifier` family: the feature extractor of the image metrics, loadable from any genloom
 * checkpoint store (`loadCheckpoint(reader, { family: 'classifier' })`).
 *
 * @example
 * ```ts
 * import { getFamily } from '@genloom/core';
 * import '@genloom/eval';
 * getFamily('classifier').resolveConfig({}, 'tiny');
 * ```
 */
export const classifierFamily: FamilyDefinition<ClassifierConfig, ImageClassifier> = {
  name: 'classifier',
  description: 'Small CNN image classifier whose features and softmax feed FID, KID, precision/recall, IS and coverage',
  presets: classifierPresets,
  defaultPreset: 'mnist',
  resolveConfig: (overrides, preset) => resolveClassifierConfig(overrides, preset),
  create: (config, seed) => new ImageClassifier(config, seed),
};

registerFamily(classifierFamily);

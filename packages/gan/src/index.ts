/**
 * @genloom/gan — generative adversarial networks: DCGAN, WGAN-GP, ACGAN, PacGAN packing and an MLP
 * GAN for 2-D data, pix2pix image-to-image translation (grayscale ↔ colour emoji), trained through core's Trainer with two optimizer groups; a training monitor and
 * a mode-collapse alarm. Importing the package registers the `gan` family with @genloom/core, so its
 * checkpoints load through `loadCheckpoint`.
 */
import { registerFamily, type FamilyDefinition, type GenerativeModel } from '@genloom/core';
import { ganPresets, resolveGANConfig, type GANConfig } from './config.js';
import { createGANModel } from './create.js';

export { defaultGANConfig, ganPresets, resolveGANConfig, validateGANConfig } from './config.js';
export type { GANConfig, GANLoss, GANArchitecture } from './config.js';
export { GAN, ganOptimizers, sampleLatents, toUnitRange } from './model.js';
export type { GANBatch, GenerateOptions, LatentWalkOptions } from './model.js';
export { createGAN, createPix2Pix, createGANModel } from './create.js';
export { Pix2Pix, UNetGenerator, PatchDiscriminator } from './pix2pix.js';
export type { Pix2PixBatch } from './pix2pix.js';
export { colorizationPairs, grayscaleInputs, pairBatches, LUMA_WEIGHTS } from './colorize.js';
export type { ColorizationDirection, ImagePairs } from './colorize.js';
export type { CreateGANOptions } from './create.js';
export { discriminatorLoss, generatorLoss, gradientPenalty, auxiliaryClassLoss, discriminatorScore } from './losses.js';
export { leakyRelu, packExamples, createGANNetworks, MlpGenerator, MlpDiscriminator, DcganGenerator, DcganDiscriminator, LEAKY_SLOPE } from './networks.js';
export type { Generator, Discriminator, DiscriminatorOutput } from './networks.js';
export { slerp } from './latent.js';
export { ganMonitor, modeCollapseAlarm, coinTossEarlyStop, coinTossDistance, meanPairwiseDistance } from './monitor.js';
export type { MonitorPoint, ModeCollapseOptions, CollapseCheck, ProbabilityClassifier, SampleSource } from './monitor.js';
export { ringData, sampleRing, ringCenters, ringModeCoverage, ringClassifier } from './ring.js';
export type { RingOptions, RingCoverage } from './ring.js';

/**
 * The `gan` family as core sees it: presets, validation and construction.
 *
 * @example
 * ```ts
 * import { getFamily } from '@genloom/core';
 * import '@genloom/gan';
 * const gan = getFamily('gan').create(getFamily('gan').resolveConfig({}, 'tiny'), 0);
 * ```
 */
export const ganFamily: FamilyDefinition<GANConfig, GenerativeModel> = {
  name: 'gan',
  description: 'generative adversarial networks (DCGAN, WGAN-GP, ACGAN, pix2pix): sampling, latent walks, image-to-image translation',
  presets: ganPresets,
  defaultPreset: 'dcgan',
  resolveConfig: (overrides = {}, preset) => resolveGANConfig(overrides, preset),
  create: (config, seed) => createGANModel(config, seed),
};

registerFamily(ganFamily);

/**
 * @genloom/vae — variational autoencoders: MLP and convolutional VAEs, β-VAE, conditional VAE,
 * sampling, latent interpolation and arithmetic, ELBO and importance-sampled log-likelihood, and
 * anomaly detection with a calibrated threshold. Importing the package registers the `vae` family
 * with @genloom/core, so its checkpoints load through `loadCheckpoint`.
 */
import { registerFamily, type FamilyDefinition } from '@genloom/core';
import { defaultVAEConfig, resolveVAEConfig, vaePresets, type VAEConfig } from './config.js';
import { VAE } from './model.js';
import type { AnomalyCalibration } from './anomaly.js';

export { VAE, createVAE } from './model.js';
export type { VAEBatch, LabelInput, SampleOptions } from './model.js';
export { defaultVAEConfig, vaePresets, resolveVAEConfig, validateVAEConfig, inputSize } from './config.js';
export type { VAEConfig, VAELikelihood } from './config.js';
export { interpolateLatents, latentArithmetic, meanLatent, attributeVector } from './latent.js';
export type { InterpolationMethod } from './latent.js';
export { AnomalyDetector, calibrateDetector, scoreInBatches, thresholdForRate } from './anomaly.js';
export { complexityBits, complexitySlope, removeComplexity } from './complexity.js';
export type { AnomalyScoreMethod, AnomalyScoreOptions, AnomalyScorer, AnomalyCalibration, CalibrateOptions } from './anomaly.js';
export { bernoulliNll, gaussianNll, gaussianKl, gaussianLogDensity, standardNormalLogDensity, reparameterize } from './likelihood.js';
export { createNetworks, MlpNetworks, ConvNetworks } from './networks.js';
export type { VAENetworks } from './networks.js';

/**
 * The `vae` family as core sees it: presets, validation, construction, and restoring a saved
 * anomaly calibration.
 *
 * @example
 * ```ts
 * import { getFamily } from '@genloom/core';
 * import '@genloom/vae';
 * const vae = getFamily('vae').create(getFamily('vae').resolveConfig({}, 'tiny'), 0);
 * ```
 */
export const vaeFamily: FamilyDefinition<VAEConfig, VAE> = {
  name: 'vae',
  description: 'variational autoencoders (MLP/conv, β-VAE, conditional): sampling, interpolation, ELBO/NLL, anomaly scores',
  presets: vaePresets,
  defaultPreset: 'small',
  resolveConfig: (overrides = {}, preset) => resolveVAEConfig(overrides, preset),
  create: (config, seed) => new VAE(resolveVAEConfig(config), seed),
  restoreExtraState: (model, extra) => {
    const c = extra.calibration as AnomalyCalibration | undefined;
    if (c !== undefined) {
      if (typeof c !== 'object' || c === null || !Number.isFinite(c.threshold)) {
        throw new Error(`vae checkpoint: extra.calibration must hold a finite threshold, got ${JSON.stringify(c)}`);
      }
      if (c.complexitySlope !== undefined && !Number.isFinite(c.complexitySlope)) {
        throw new Error(`vae checkpoint: extra.calibration.complexitySlope must be a finite number, got ${JSON.stringify(c.complexitySlope)}`);
      }
      model.calibration = { ...c };
    }
    const st = extra.standardizer as { mean: number[]; std: number[] } | undefined;
    if (st !== undefined) {
      const d = model.config.inputShape.reduce((a, b) => a * b, 1);
      if (!Array.isArray(st.mean) || !Array.isArray(st.std) || st.mean.length !== d || st.std.length !== d) {
        throw new Error(`vae checkpoint: extra.standardizer must hold mean and std arrays of ${d} numbers`);
      }
      model.standardizer = { mean: [...st.mean], std: [...st.std] };
    }
  },
};

registerFamily(vaeFamily);
void defaultVAEConfig;

/**
 * @genloom/diffusion — denoising diffusion: a small U-Net (time embedding, residual blocks with
 * group norm, self-attention at the lowest resolution, skips), DDPM and DDIM schedulers kept
 * apart from the network, linear and cosine schedules, ε- and v-prediction, classifier-free
 * guidance by class or by prompt, inpainting, and every intermediate image of sampling. Importing
 * the package registers the `diffusion` family with @genloom/core, so its checkpoints load through
 * `loadCheckpoint`.
 */
import { registerFamily, type FamilyDefinition } from '@genloom/core';
import { diffusionPresets, resolveDiffusionConfig, type DiffusionConfig } from './config.js';
import { DiffusionModel } from './model.js';

export { DiffusionModel, createDiffusion } from './model.js';
export type { DiffusionBatch, Condition, GenerateOptions, InpaintOptions, SampleStep } from './model.js';
export { defaultDiffusionConfig, diffusionPresets, resolveDiffusionConfig, validateDiffusionConfig, DIGIT_WORDS } from './config.js';
export type { DiffusionConfig, BetaSchedule, PredictionType, Conditioning } from './config.js';
export { betaSchedule, alphasCumprod } from './noise-schedule.js';
export type { BetaScheduleArgs } from './noise-schedule.js';
export { NoiseScheduler, DDPMScheduler, DDIMScheduler, createScheduler } from './schedulers.js';
export type { SchedulerArgs, StepOptions, StepOutput, TimestepSpacing, SamplerName } from './schedulers.js';
export { denoise } from './pipeline.js';
export type { Denoiser, DenoiseOptions, DenoiseStep, InpaintGuide } from './pipeline.js';
export { UNet, timestepEmbedding, unetFlops } from './unet.js';
export type { UNetCallOptions } from './unet.js';
export { PromptEncoder, promptTokenizer, encodePrompts, normalizePrompt } from './prompt-encoder.js';
export { captionFor, canonicalCaption, classWords, strokeStyles } from './captions.js';
export type { StrokeStyle } from './captions.js';
export { captionedBatches } from './batches.js';
export type { CaptionedBatch, CaptionedBatchOptions, LabelledImageSet } from './batches.js';

/**
 * The `diffusion` family as core sees it: presets, validation and construction.
 *
 * @example
 * ```ts
 * import { getFamily } from '@genloom/core';
 * import '@genloom/diffusion';
 * const family = getFamily('diffusion');
 * const model = family.create(family.resolveConfig({}, 'tiny'), 0);
 * ```
 */
export const diffusionFamily: FamilyDefinition<DiffusionConfig, DiffusionModel> = {
  name: 'diffusion',
  description: 'denoising diffusion (U-Net, DDPM/DDIM schedulers, class or prompt guidance, inpainting)',
  presets: diffusionPresets,
  defaultPreset: 'small',
  resolveConfig: (overrides = {}, preset) => resolveDiffusionConfig(overrides, preset),
  create: (config, seed) => new DiffusionModel(resolveDiffusionConfig(config), seed),
};

registerFamily(diffusionFamily);

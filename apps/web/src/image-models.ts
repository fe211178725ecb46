/**
 * The image checkpoints behind one call, whatever their family: `n` samples for a seed as pixels in
 * [0, 1]. The Rate page compares checkpoints through it. A registry, one entry per family; each
 * entry imports its package on first use (which registers the family with core, so
 * `loadCheckpoint` can build the model) and knows that family's sampling API: the VAE decodes prior
 * draws, the GAN's generator works in [−1, 1], diffusion is asynchronous and takes a condition.
 */
import * as tf from '@tensorflow/tfjs';
import type { DiffusionModel } from '@genloom/diffusion';
import type { GAN } from '@genloom/gan';
import type { VAE } from '@genloom/vae';
import { loadModel, type SiteCheckpoint } from './api.js';

/** Samples of one checkpoint: [n, H, W, C] pixels in [0, 1]; the caller disposes the tensor. */
export type ImageSampler = (checkpoint: string, n: number, seed: number) => Promise<tf.Tensor>;

/**
 * DDIM steps of a diffusion sample on the Rate page: with guidance each step is two U-Net passes,
 * and 20 already give clean digits.
 */
const DIFFUSION_RATE_STEPS = 20;

const SAMPLERS: Record<string, () => Promise<ImageSampler>> = {
  vae: async () => {
    await import('@genloom/vae');
    return async (name, n, seed) => (await loadModel<VAE>(name)).model.generate(n, { seed });
  },
  gan: async () => {
    const { toUnitRange } = await import('@genloom/gan');
    return async (name, n, seed) => {
      const gan = (await loadModel<GAN>(name)).model;
      const k = gan.config.numClasses;
      // A conditional GAN draws a class from the seed, so one sample is not always a 0.
      return tf.tidy(() => toUnitRange(gan.generate(n, { seed, ...(k > 0 ? { label: seed % k } : {}) })));
    };
  },
  diffusion: async () => {
    await import('@genloom/diffusion');
    return async (name, n, seed) => {
      const model = (await loadModel<DiffusionModel>(name)).model;
      const k = model.config.classNames.length;
      const label = model.config.conditioning === 'none' ? {} : { label: seed % k };
      return model.generate({ n, seed, steps: DIFFUSION_RATE_STEPS, sampler: 'ddim', ...label });
    };
  },
};

const loaded = new Map<string, Promise<ImageSampler>>();

/**
 * Whether the site knows how to sample images from this checkpoint's family.
 *
 * @example
 * ```ts
 * const rateable = (await checkpoints()).filter(canSampleImages);
 * ```
 */
export function canSampleImages(checkpoint: Pick<SiteCheckpoint, 'family' | 'modality'>): boolean {
  return checkpoint.modality === 'image' && checkpoint.family in SAMPLERS;
}

/**
 * `n` samples of an image checkpoint for a seed, [n, H, W, C] in [0, 1] (the caller disposes them).
 *
 * @example
 * ```ts
 * const x = await sampleImages({ name: 'gan-acgan-mnist', family: 'gan' }, 1, 42);
 * drawGrid(canvas, await x.data(), x.shape, 1);
 * x.dispose();
 * ```
 */
export async function sampleImages(checkpoint: Pick<SiteCheckpoint, 'name' | 'family'>, n: number, seed: number): Promise<tf.Tensor> {
  const make = SAMPLERS[checkpoint.family];
  if (!make) throw new Error(`no image sampler for family "${checkpoint.family}" (known: ${Object.keys(SAMPLERS).join(', ')})`);
  let sampler = loaded.get(checkpoint.family);
  if (!sampler) {
    sampler = make();
    sampler.catch(() => loaded.delete(checkpoint.family));
    loaded.set(checkpoint.family, sampler);
  }
  return (await sampler)(checkpoint.name, n, seed);
}

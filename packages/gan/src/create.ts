import { resolveGANConfig, type GANConfig } from './config.js';
import { GAN } from './model.js';
import { Pix2Pix } from './pix2pix.js';

/** Options of {@link createGAN}: a preset, field overrides and the initialisation seed. */
export type CreateGANOptions = Partial<GANConfig> & { preset?: string; seed?: number };

function resolve(opts: CreateGANOptions): { config: GANConfig; seed: number } {
  const { preset, seed, ...overrides } = opts;
  return { config: resolveGANConfig(overrides, preset), seed: seed ?? 0 };
}

/**
 * A new GAN (MLP, DCGAN, WGAN-GP, ACGAN…) from a preset and overrides, validated.
 *
 * @example
 * ```ts
 * const dcgan = createGAN({ preset: 'dcgan' });
 * const acgan = createGAN({ preset: 'acgan', seed: 3 });
 * const emoji = createGAN({ preset: 'wgan-gp', outputShape: [32, 32, 4] });
 * ```
 */
export function createGAN(opts: CreateGANOptions = {}): GAN {
  const { config, seed } = resolve(opts);
  if (config.architecture === 'pix2pix') throw new Error('createGAN: architecture "pix2pix" is an image-to-image model; use createPix2Pix');
  return new GAN(config, seed);
}

/**
 * A new pix2pix image-to-image model (U-Net generator, PatchGAN discriminator).
 *
 * @example
 * ```ts
 * const colorizer = createPix2Pix({ preset: 'pix2pix-colorize' });
 * ```
 */
export function createPix2Pix(opts: CreateGANOptions = {}): Pix2Pix {
  const { config, seed } = resolve({ preset: 'pix2pix-colorize', ...opts });
  return new Pix2Pix(config, seed);
}

/**
 * The model a config describes: a {@link Pix2Pix} for architecture `pix2pix`, else a {@link GAN}.
 * Checkpoints of the `gan` family load through this.
 *
 * @example
 * ```ts
 * const model = createGANModel(resolveGANConfig({}, 'pix2pix-colorize'), 1); // Pix2Pix
 * ```
 */
export function createGANModel(config: GANConfig, seed = 0): GAN | Pix2Pix {
  const c = resolveGANConfig(config);
  return c.architecture === 'pix2pix' ? new Pix2Pix(c, seed) : new GAN(c, seed);
}

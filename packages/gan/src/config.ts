import { resolvePreset } from '@genloom/core';

/** The adversarial objective: how the discriminator's logits become the two players' losses. */
export type GANLoss = 'nonSaturating' | 'hinge' | 'wasserstein';

/** The network pair: MLPs for vectors, DCGAN for images, a U-Net + PatchGAN for image-to-image. */
export type GANArchitecture = 'mlp' | 'dcgan' | 'pix2pix';

/**
 * Configuration of a GAN. One config covers every variant: DCGAN (`architecture: 'dcgan'`), WGAN-GP
 * (`loss: 'wasserstein'`, `gradientPenalty: 10`, `nCritic: 5`), ACGAN (`numClasses > 0`), PacGAN
 * (`pack > 1`), an MLP GAN for 2-D toy data, and pix2pix (`architecture: 'pix2pix'`).
 */
export interface GANConfig {
  architecture: GANArchitecture;
  /** Shape of one generated example: `[H, W, C]` for images (pixels in [-1, 1]), `[D]` for mlp. */
  outputShape: number[];
  /** Dimension of the noise z (unused by pix2pix, whose randomness is dropout). */
  latentDim: number;
  /** Classes of a conditional GAN with an auxiliary classifier (ACGAN); 0 for unconditional. */
  numClasses: number;
  /**
   * Generator widths. mlp: hidden layer widths. dcgan: channels of the feature maps from the lowest
   * resolution (H / 2^length) up; every entry is followed by one stride-2 transposed conv, the last
   * of which maps to the output channels. pix2pix: the U-Net encoder's channels (each halves H, W).
   */
  generatorChannels: number[];
  /** Discriminator widths. mlp: hidden widths. dcgan / pix2pix: channels of each stride-2 conv. */
  discriminatorChannels: number[];
  /** Kernel size of every (transposed) convolution. */
  kernelSize: number;
  loss: GANLoss;
  /** Weight λ of the gradient penalty (Gulrajani et al. 2017) on interpolates; 0 for none. */
  gradientPenalty: number;
  /** Discriminator updates per generator update; the batch is split into this many critic batches. */
  nCritic: number;
  /** One-sided label smoothing: real targets are `1 − labelSmoothing` (nonSaturating loss only). */
  labelSmoothing: number;
  /** Weight of the auxiliary classification loss of ACGAN. */
  auxWeight: number;
  /** Normalisation in the discriminator: `batch` (DCGAN) or `none` (required with a gradient penalty). */
  discriminatorNorm: 'batch' | 'none';
  /** PacGAN packing: the discriminator judges `pack` samples at once (1 = plain GAN). */
  pack: number;
  /** pix2pix: channels of the conditioning image (the generator's input). */
  inputChannels: number;
  /** pix2pix: weight of the L1 reconstruction term beside the adversarial loss. */
  l1Weight: number;
  /** pix2pix: dropout rate in the U-Net decoder (its source of randomness). */
  dropout: number;
}

/** The defaults: a DCGAN for 28×28 grey digits with the non-saturating loss. */
export const defaultGANConfig: GANConfig = {
  architecture: 'dcgan',
  outputShape: [28, 28, 1],
  latentDim: 64,
  numClasses: 0,
  generatorChannels: [64, 32],
  discriminatorChannels: [32, 64],
  kernelSize: 4,
  loss: 'nonSaturating',
  gradientPenalty: 0,
  nCritic: 1,
  labelSmoothing: 0,
  auxWeight: 1,
  discriminatorNorm: 'batch',
  pack: 1,
  inputChannels: 2,
  l1Weight: 100,
  dropout: 0,
};

/**
 * Named presets. `tiny` is for tests; `dcgan`, `acgan` and `wgan-gp` are MNIST-sized image GANs;
 * `ring` is the MLP GAN of the 8-Gaussians test; `pix2pix-colorize` turns grey emoji sprites into
 * colour ones (and `tiny-pix2pix` is its test size).
 */
export const ganPresets: Record<string, Partial<GANConfig>> = {
  tiny: { architecture: 'dcgan', outputShape: [28, 28, 1], latentDim: 8, generatorChannels: [8, 4], discriminatorChannels: [4, 8] },
  dcgan: { architecture: 'dcgan', latentDim: 64, generatorChannels: [64, 32], discriminatorChannels: [32, 64], loss: 'nonSaturating', labelSmoothing: 0.1 },
  acgan: { architecture: 'dcgan', latentDim: 64, numClasses: 10, generatorChannels: [64, 32], discriminatorChannels: [32, 64], loss: 'nonSaturating', labelSmoothing: 0.1 },
  'wgan-gp': {
    architecture: 'dcgan',
    latentDim: 64,
    generatorChannels: [64, 32],
    discriminatorChannels: [32, 64],
    loss: 'wasserstein',
    gradientPenalty: 10,
    nCritic: 5,
    discriminatorNorm: 'none',
  },
  ring: { architecture: 'mlp', outputShape: [2], latentDim: 8, generatorChannels: [128, 128], discriminatorChannels: [128, 128], discriminatorNorm: 'none', pack: 2 },
  'pix2pix-colorize': {
    architecture: 'pix2pix',
    outputShape: [32, 32, 4],
    inputChannels: 2,
    generatorChannels: [32, 64, 128],
    discriminatorChannels: [32, 64],
    l1Weight: 100,
    dropout: 0.5,
  },
  'tiny-pix2pix': { architecture: 'pix2pix', outputShape: [16, 16, 4], inputChannels: 2, generatorChannels: [4, 8], discriminatorChannels: [4, 8], l1Weight: 100, dropout: 0 },
};

const fail = (field: string, want: string, got: unknown): never => {
  throw new Error(`gan config: ${field} must be ${want}, got ${JSON.stringify(got)}`);
};

function positiveInt(value: unknown, field: string): void {
  if (!Number.isInteger(value) || (value as number) <= 0) fail(field, 'a positive integer', value);
}

function intList(value: unknown, field: string): void {
  if (!Array.isArray(value) || value.length === 0) fail(field, 'a non-empty array of positive integers', value);
  (value as unknown[]).forEach((v, i) => positiveInt(v, `${field}[${i}]`));
}

function finiteAtLeast(value: unknown, min: number, field: string): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) fail(field, `a finite number >= ${min}`, value);
}

function oneOf<T>(value: unknown, choices: readonly T[], field: string): void {
  if (!choices.includes(value as T)) fail(field, `one of ${choices.map((c) => JSON.stringify(c)).join(', ')}`, value);
}

/**
 * Validates a complete config, throwing an error that names the first bad field.
 *
 * @example
 * ```ts
 * validateGANConfig({ ...defaultGANConfig, nCritic: 0 }); // throws: nCritic must be a positive integer
 * ```
 */
export function validateGANConfig(c: GANConfig): GANConfig {
  oneOf(c.architecture, ['mlp', 'dcgan', 'pix2pix'] as const, 'architecture');
  intList(c.outputShape, 'outputShape');
  positiveInt(c.latentDim, 'latentDim');
  if (!Number.isInteger(c.numClasses) || c.numClasses < 0 || c.numClasses === 1) fail('numClasses', '0 (unconditional) or an integer >= 2', c.numClasses);
  intList(c.generatorChannels, 'generatorChannels');
  intList(c.discriminatorChannels, 'discriminatorChannels');
  positiveInt(c.kernelSize, 'kernelSize');
  oneOf(c.loss, ['nonSaturating', 'hinge', 'wasserstein'] as const, 'loss');
  finiteAtLeast(c.gradientPenalty, 0, 'gradientPenalty');
  positiveInt(c.nCritic, 'nCritic');
  if (typeof c.labelSmoothing !== 'number' || !(c.labelSmoothing >= 0 && c.labelSmoothing < 0.5)) fail('labelSmoothing', 'a number in [0, 0.5)', c.labelSmoothing);
  if (c.labelSmoothing > 0 && c.loss !== 'nonSaturating') fail('labelSmoothing', `0 with loss "${c.loss}" (it smooths the cross-entropy targets of the nonSaturating loss)`, c.labelSmoothing);
  finiteAtLeast(c.auxWeight, 0, 'auxWeight');
  oneOf(c.discriminatorNorm, ['batch', 'none'] as const, 'discriminatorNorm');
  if (c.gradientPenalty > 0 && c.discriminatorNorm === 'batch') {
    fail('discriminatorNorm', '"none" when gradientPenalty > 0 (batch norm mixes the examples whose gradients are penalised)', c.discriminatorNorm);
  }
  positiveInt(c.pack, 'pack');
  positiveInt(c.inputChannels, 'inputChannels');
  finiteAtLeast(c.l1Weight, 0, 'l1Weight');
  if (typeof c.dropout !== 'number' || !(c.dropout >= 0 && c.dropout < 1)) fail('dropout', 'a number in [0, 1)', c.dropout);

  if (c.architecture === 'mlp') {
    if (c.outputShape.length !== 1) fail('outputShape', '[D] for architecture "mlp"', c.outputShape);
  } else {
    if (c.outputShape.length !== 3) fail('outputShape', `[H, W, C] for architecture "${c.architecture}"`, c.outputShape);
    const [h, w] = c.outputShape as [number, number, number];
    const halvings = c.generatorChannels.length;
    const factor = 2 ** halvings;
    if (h % factor !== 0 || w % factor !== 0) {
      fail('outputShape', `H and W divisible by ${factor} (generatorChannels gives ${halvings} stride-2 stages)`, c.outputShape);
    }
    const dHalvings = c.discriminatorChannels.length;
    if (h % 2 ** dHalvings !== 0 || w % 2 ** dHalvings !== 0) {
      fail('discriminatorChannels', `at most log2 of the image side's power-of-two factor (${c.discriminatorChannels.length} stride-2 convs do not divide ${h}×${w})`, c.discriminatorChannels);
    }
  }
  if (c.architecture === 'pix2pix') {
    if (c.numClasses !== 0) fail('numClasses', '0 for pix2pix (the condition is an image)', c.numClasses);
    if (c.loss === 'wasserstein') fail('loss', '"nonSaturating" or "hinge" for pix2pix', c.loss);
  }
  return c;
}

/**
 * Merges a preset and overrides onto {@link defaultGANConfig} and validates the result.
 *
 * @example
 * ```ts
 * const dcgan = resolveGANConfig({}, 'dcgan');
 * const emoji = resolveGANConfig({ outputShape: [32, 32, 4] }, 'wgan-gp');
 * ```
 */
export function resolveGANConfig(overrides: Partial<GANConfig> = {}, preset?: string): GANConfig {
  const merged = resolvePreset('gan', ganPresets, defaultGANConfig, preset, overrides);
  return validateGANConfig({
    ...merged,
    outputShape: [...merged.outputShape],
    generatorChannels: [...merged.generatorChannels],
    discriminatorChannels: [...merged.discriminatorChannels],
  });
}

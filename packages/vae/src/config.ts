import { resolvePreset, type ActivationName } from '@genloom/core';

/** How the decoder's output is read as a distribution over the data. */
export type VAELikelihood = 'bernoulli' | 'gaussian';

/**
 * Configuration of a variational autoencoder. One config covers every variant: the plain VAE
 * (`beta: 1`), the β-VAE (`beta ≠ 1`), the conditional VAE (`numClasses > 0`), with an MLP or a
 * convolutional encoder/decoder and a Bernoulli or Gaussian likelihood.
 */
export interface VAEConfig {
  /** `mlp` flattens the input; `conv` keeps [H, W, C] and uses stride-2 convolutions. */
  architecture: 'mlp' | 'conv';
  /** Shape of one example: `[H, W, C]` for images, `[D]` for table rows (mlp only). */
  inputShape: number[];
  /** Dimension of the latent code z. */
  latentDim: number;
  /** MLP: widths of the encoder's hidden layers; the decoder mirrors them. Conv: width of the dense layer between the convolutions and z (empty for none). */
  hiddenDims: number[];
  /** Conv: output channels of each stride-2 convolution of the encoder (the decoder mirrors them). */
  convChannels: number[];
  /** Conv: kernel size of every convolution. */
  kernelSize: number;
  /** Non-linearity between layers. */
  activation: ActivationName;
  /** `bernoulli` for data in [0, 1] (binary cross-entropy on logits); `gaussian` for real values. */
  likelihood: VAELikelihood;
  /** Gaussian likelihood: `fixed` uses `gaussianStd` for every feature; `learned` trains one log-std per feature. */
  gaussianVariance: 'fixed' | 'learned';
  /** Gaussian likelihood: the fixed (or initial, when learned) standard deviation of each feature. */
  gaussianStd: number;
  /** Weight of the KL term: 1 is the VAE, > 1 a β-VAE (more disentangled, blurrier), < 1 sharper. */
  beta: number;
  /** Number of classes of a conditional VAE (the label is an input of encoder and decoder); 0 for none. */
  numClasses: number;
}

/** The defaults: an MLP VAE for 28×28 grey images (pytorch/examples' architecture). */
export const defaultVAEConfig: VAEConfig = {
  architecture: 'mlp',
  inputShape: [28, 28, 1],
  latentDim: 20,
  hiddenDims: [400],
  convChannels: [32, 64],
  kernelSize: 4,
  activation: 'relu',
  likelihood: 'bernoulli',
  gaussianVariance: 'fixed',
  gaussianStd: 1,
  beta: 1,
  numClasses: 0,
};

/**
 * Named presets. `tiny` is for tests (seconds on wasm), `small` is pytorch/examples' MNIST VAE
 * (784-400-20), `conv` a small convolutional VAE, `base` a deeper MLP for likelihood benchmarks.
 */
export const vaePresets: Record<string, Partial<VAEConfig>> = {
  tiny: { architecture: 'mlp', hiddenDims: [32], latentDim: 4 },
  small: { architecture: 'mlp', hiddenDims: [400], latentDim: 20 },
  conv: { architecture: 'conv', convChannels: [32, 64], kernelSize: 4, hiddenDims: [256], latentDim: 16 },
  base: { architecture: 'mlp', hiddenDims: [512, 256], latentDim: 32 },
};

const ACTIVATIONS: readonly ActivationName[] = ['relu', 'leakyRelu', 'gelu', 'silu', 'tanh', 'sigmoid', 'elu', 'linear'];

function positiveInt(value: unknown, field: string): void {
  if (!Number.isInteger(value) || (value as number) <= 0) {
    throw new Error(`vae config: ${field} must be a positive integer, got ${JSON.stringify(value)}`);
  }
}

function positiveIntList(value: unknown, field: string, allowEmpty: boolean): void {
  if (!Array.isArray(value) || (!allowEmpty && value.length === 0)) {
    throw new Error(`vae config: ${field} must be ${allowEmpty ? 'an' : 'a non-empty'} array of positive integers, got ${JSON.stringify(value)}`);
  }
  value.forEach((v, i) => positiveInt(v, `${field}[${i}]`));
}

function oneOf<T>(value: unknown, choices: readonly T[], field: string): void {
  if (!choices.includes(value as T)) {
    throw new Error(`vae config: ${field} must be one of ${choices.map((c) => JSON.stringify(c)).join(', ')}, got ${JSON.stringify(value)}`);
  }
}

/**
 * Validates a complete config, throwing an error that names the first bad field.
 *
 * @example
 * ```ts
 * validateVAEConfig({ ...defaultVAEConfig, latentDim: 0 }); // throws: latentDim must be a positive integer
 * ```
 */
export function validateVAEConfig(c: VAEConfig): VAEConfig {
  oneOf(c.architecture, ['mlp', 'conv'] as const, 'architecture');
  positiveIntList(c.inputShape, 'inputShape', false);
  if (c.inputShape.length !== 1 && c.inputShape.length !== 3) {
    throw new Error(`vae config: inputShape must be [H, W, C] or [D], got ${JSON.stringify(c.inputShape)}`);
  }
  positiveInt(c.latentDim, 'latentDim');
  positiveIntList(c.hiddenDims, 'hiddenDims', c.architecture === 'conv');
  positiveIntList(c.convChannels, 'convChannels', false);
  positiveInt(c.kernelSize, 'kernelSize');
  oneOf(c.activation, ACTIVATIONS, 'activation');
  oneOf(c.likelihood, ['bernoulli', 'gaussian'] as const, 'likelihood');
  oneOf(c.gaussianVariance, ['fixed', 'learned'] as const, 'gaussianVariance');
  if (!(typeof c.gaussianStd === 'number' && c.gaussianStd > 0 && Number.isFinite(c.gaussianStd))) {
    throw new Error(`vae config: gaussianStd must be a finite number > 0, got ${JSON.stringify(c.gaussianStd)}`);
  }
  if (!(typeof c.beta === 'number' && c.beta >= 0 && Number.isFinite(c.beta))) {
    throw new Error(`vae config: beta must be a finite number >= 0, got ${JSON.stringify(c.beta)}`);
  }
  if (!Number.isInteger(c.numClasses) || c.numClasses < 0 || c.numClasses === 1) {
    throw new Error(`vae config: numClasses must be 0 (unconditional) or an integer >= 2, got ${JSON.stringify(c.numClasses)}`);
  }
  if (c.architecture === 'conv') {
    if (c.inputShape.length !== 3) {
      throw new Error(`vae config: architecture "conv" needs inputShape [H, W, C], got ${JSON.stringify(c.inputShape)}`);
    }
    const factor = 2 ** c.convChannels.length;
    const [h, w] = c.inputShape as [number, number, number];
    if (h % factor !== 0 || w % factor !== 0) {
      throw new Error(
        `vae config: inputShape ${JSON.stringify(c.inputShape)} cannot be halved ${c.convChannels.length} times (convChannels has ${c.convChannels.length} entries); H and W must be multiples of ${factor}`,
      );
    }
  }
  return c;
}

/**
 * Merges a preset and overrides onto {@link defaultVAEConfig} and validates the result.
 *
 * @example
 * ```ts
 * const config = resolveVAEConfig({ beta: 4 }, 'small');           // a β-VAE on MNIST
 * const cvae = resolveVAEConfig({ numClasses: 10 }, 'small');       // conditional on the digit
 * const emoji = resolveVAEConfig({ inputShape: [32, 32, 4] }, 'conv');
 * ```
 */
export function resolveVAEConfig(overrides: Partial<VAEConfig> = {}, preset?: string): VAEConfig {
  const merged = resolvePreset('vae', vaePresets, defaultVAEConfig, preset, overrides);
  return validateVAEConfig({
    ...merged,
    inputShape: [...merged.inputShape],
    hiddenDims: [...merged.hiddenDims],
    convChannels: [...merged.convChannels],
  });
}

/** Number of values in one example (H·W·C or D). @example `inputSize(config) // 784` */
export function inputSize(config: VAEConfig): number {
  return config.inputShape.reduce((a, b) => a * b, 1);
}

import type * as tf from '@tensorflow/tfjs';

/**
 * What a model can be asked to do for its evaluation, family by family: make images, score
 * examples' likelihood, score text, translate. `@genloom/eval`'s `evaluateModel` reads a model's
 * capabilities and computes the metrics that fit them and the data — no per-family code there.
 * Every capability is optional; a family declares the ones its model has.
 *
 * @example
 * ```ts
 * const caps = model.capabilities?.() ?? {};
 * if (caps.imageGeneration) {
 *   const images = await caps.imageGeneration.generate(16, { seed: 1 }); // [16, 28, 28, 1] in [0, 1]
 *   images.dispose();
 * }
 * ```
 */
export interface ModelCapabilities {
  imageGeneration?: ImageGeneration;
  likelihood?: LikelihoodScoring;
  textScoring?: TextScoring;
  translation?: Translation;
}

/** Options of {@link ImageGeneration.generate}. */
export interface ImageGenerationOptions {
  /** Same seed, same images. */
  seed: number;
  /** The class each image is asked for (conditional models; length n). */
  labels?: ArrayLike<number>;
}

/** A model that makes new images from noise (a GAN, a VAE's decoder, a diffusion sampler). */
export interface ImageGeneration {
  /** [height, width, channels] of the images it makes. */
  readonly imageShape: readonly number[];
  /** Classes it can be conditioned on (0: unconditional). */
  readonly numClasses: number;
  /** `n` images, NHWC with pixels in [0, 1]; the caller disposes the tensor. */
  generate(n: number, options: ImageGenerationOptions): Promise<tf.Tensor4D>;
}

/** Options of {@link LikelihoodScoring}'s methods. */
export interface LikelihoodOptions {
  /** Class labels of the examples (conditional models). */
  labels?: ArrayLike<number>;
  /** Seed of the posterior samples (default 1). */
  seed?: number;
}

/** A model that bounds or estimates log p(x) per example, in nats (a VAE). */
export interface LikelihoodScoring {
  /** Numbers per example that `elbo` and `logLikelihood` score (784 for MNIST), for bits per dimension. */
  readonly dims: number;
  /** The evidence lower bound of each example (nats; a lower bound of log p(x)). */
  elbo(x: tf.Tensor, options?: LikelihoodOptions): Promise<Float32Array>;
  /** An importance-weighted estimate of log p(x) per example with `samples` posterior samples. */
  logLikelihood?(x: tf.Tensor, options: LikelihoodOptions & { samples: number }): Promise<Float32Array>;
}

/** What {@link TextScoring.score} returns: the totals from which perplexity and bits per character follow. */
export interface TextScore {
  /** Σ −log p(token | earlier tokens) over the scored tokens, in nats. */
  nats: number;
  /** Tokens scored (every token after the first). */
  tokens: number;
  /** Characters those tokens decode to. */
  characters: number;
}

/** A language model that scores held-out text (an RNN-LM, a GPT). */
export interface TextScoring {
  /** Scores every token of `text` after the first, each from the tokens before it (within the model's context). */
  score(text: string): Promise<TextScore>;
}

/** A sequence-to-sequence model (translation, correction, grapheme-to-phoneme). */
export interface Translation {
  /** `phonemes` when outputs are space-separated symbols (scored by PER), else `text` (BLEU, chrF, CER, WER). */
  readonly output: 'text' | 'phonemes';
  /** Whether a held-out pair fits the model (its source and target lengths); evaluations skip pairs that do not. */
  fits(source: string, target: string): boolean;
  /** One output per source, greedy for beamSize 1 (the default). */
  translate(sources: string[], options?: { beamSize?: number }): Promise<string[]>;
}

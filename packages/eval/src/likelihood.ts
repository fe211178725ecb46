/**
 * Likelihood metrics: negative log-likelihood in nats, bits per dimension, importance-weighted
 * bounds, perplexity and bits per character. All take plain numbers (per-example log-likelihoods
 * or token losses) that a family computed, so they work with any model.
 */

const LN2 = Math.LN2;

function checkFinite(values: ArrayLike<number>, what: string): void {
  if (values.length === 0) throw new Error(`${what} needs at least one value`);
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i]!)) throw new Error(`${what}: value ${i} is ${values[i]}; expected finite numbers`);
  }
}

/**
 * log(Σ exp xᵢ), computed stably by factoring out the maximum.
 *
 * @example
 * ```ts
 * logSumExp([1000, 1000]); // 1000 + ln 2
 * ```
 */
export function logSumExp(values: ArrayLike<number>): number {
  if (values.length === 0) return -Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) max = Math.max(max, values[i]!);
  if (max === -Infinity || !Number.isFinite(max)) return max;
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += Math.exp(values[i]! - max);
  return max + Math.log(sum);
}

/**
 * log((1/K) Σ exp xᵢ): the log of a mean of exponentials, the core of importance-weighted bounds.
 *
 * @example
 * ```ts
 * logMeanExp([Math.log(1), Math.log(3)]); // ln 2
 * ```
 */
export function logMeanExp(values: ArrayLike<number>): number {
  if (values.length === 0) throw new Error('logMeanExp needs at least one value');
  return logSumExp(values) - Math.log(values.length);
}

/**
 * The importance-weighted lower bound on log p(x) (Burda et al., IWAE) for each example, from K
 * log importance weights log p(x, zₖ) − log q(zₖ | x) per example. With K = 1 it is the ELBO; it
 * tightens towards log p(x) as K grows.
 *
 * @example
 * ```ts
 * // logWeights[i][k] = log p(x_i, z_k) − log q(z_k | x_i)
 * const { perExample, mean } = importanceWeightedBound(logWeights);
 * const nll = -mean;
 * ```
 */
export function importanceWeightedBound(logWeights: ArrayLike<ArrayLike<number>>): { perExample: Float64Array; mean: number } {
  if (logWeights.length === 0) throw new Error('importanceWeightedBound needs at least one example');
  const perExample = new Float64Array(logWeights.length);
  for (let i = 0; i < logWeights.length; i++) {
    const row = logWeights[i]!;
    checkFinite(row, `importanceWeightedBound (example ${i})`);
    perExample[i] = logMeanExp(row);
  }
  const mean = perExample.reduce((a, b) => a + b, 0) / perExample.length;
  return { perExample, mean };
}

/**
 * Mean negative log-likelihood in nats from per-example log-likelihoods log p(x).
 *
 * @example
 * ```ts
 * nllNats([-80.5, -90.1]); // 85.3
 * ```
 */
export function nllNats(logLikelihoods: ArrayLike<number>): number {
  checkFinite(logLikelihoods, 'nllNats');
  let sum = 0;
  for (let i = 0; i < logLikelihoods.length; i++) sum -= logLikelihoods[i]!;
  return sum / logLikelihoods.length;
}

/**
 * Bits per dimension from a per-example NLL in nats over `dims` dimensions. When the model's
 * density was fitted to data divided by `dataScale` (pixels scaled from [0, 256) to [0, 1)), the
 * change of variables adds dims·ln(dataScale) nats, giving the bits/dim reported for 8-bit images.
 *
 * @example
 * ```ts
 * bitsPerDim(nll, 784);                     // a discrete model over binarised MNIST
 * bitsPerDim(nll, 3072, { dataScale: 256 }); // a continuous density on pixels / 256
 * ```
 */
export function bitsPerDim(nllNatsPerExample: number, dims: number, opts: { dataScale?: number } = {}): number {
  if (!Number.isInteger(dims) || dims < 1) throw new Error(`bitsPerDim: dims must be a positive integer, got ${dims}`);
  if (!Number.isFinite(nllNatsPerExample)) throw new Error(`bitsPerDim: nll is ${nllNatsPerExample}; expected a finite number of nats`);
  const scale = opts.dataScale ?? 1;
  if (!(scale > 0)) throw new Error(`bitsPerDim: dataScale must be positive, got ${scale}`);
  return (nllNatsPerExample + dims * Math.log(scale)) / (dims * LN2);
}

/**
 * Perplexity, exp(mean NLL per token), from the mean token loss in nats (a cross-entropy).
 *
 * @example
 * ```ts
 * perplexity(Math.log(50)); // 50
 * ```
 */
export function perplexity(meanNllNatsPerToken: number): number {
  if (!Number.isFinite(meanNllNatsPerToken) || meanNllNatsPerToken < 0) {
    throw new Error(`perplexity: mean NLL must be a finite number of nats ≥ 0, got ${meanNllNatsPerToken}`);
  }
  return Math.exp(meanNllNatsPerToken);
}

/**
 * Bits per character from the mean NLL per character in nats. For a model over other tokens,
 * pass total nats / total characters of the text.
 *
 * @example
 * ```ts
 * bitsPerCharacter(1.0); // 1.4427
 * ```
 */
export function bitsPerCharacter(meanNllNatsPerChar: number): number {
  if (!Number.isFinite(meanNllNatsPerChar) || meanNllNatsPerChar < 0) {
    throw new Error(`bitsPerCharacter: mean NLL must be a finite number of nats ≥ 0, got ${meanNllNatsPerChar}`);
  }
  return meanNllNatsPerChar / LN2;
}

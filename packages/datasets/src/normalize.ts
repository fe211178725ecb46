/**
 * Value scaling: pixels to [0, 1] or [-1, 1] (sigmoid vs tanh outputs), and standardisation with
 * statistics fitted on the training split only, then applied unchanged to the test split.
 */

/**
 * How pixel values are scaled: `zero-one` divides by the source maximum (a sigmoid decoder's
 * range), `minus-one-one` maps to [-1, 1] (a tanh generator's range, as in DCGAN and DDPM),
 * `none` keeps the source values (0..255 for 8-bit images).
 */
export type PixelScale = 'zero-one' | 'minus-one-one' | 'none';

/** The pixel scales, for validation and help texts. */
export const PIXEL_SCALES: readonly PixelScale[] = ['zero-one', 'minus-one-one', 'none'];

/**
 * The value range a {@link PixelScale} produces from sources in [0, sourceMax].
 *
 * @example
 * ```ts
 * pixelRange('minus-one-one', 255); // [-1, 1]
 * ```
 */
export function pixelRange(scale: PixelScale, sourceMax: number): [number, number] {
  if (scale === 'zero-one') return [0, 1];
  if (scale === 'minus-one-one') return [-1, 1];
  return [0, sourceMax];
}

/**
 * Scales raw pixel values (0..sourceMax) into a new Float32Array.
 *
 * @example
 * ```ts
 * const x = scalePixels(new Uint8Array([0, 128, 255]), 'minus-one-one'); // [-1, ≈0.004, 1]
 * ```
 */
export function scalePixels(values: ArrayLike<number>, scale: PixelScale, sourceMax = 255): Float32Array {
  checkPixelScale(scale);
  const out = new Float32Array(values.length);
  if (scale === 'none') {
    for (let i = 0; i < out.length; i++) out[i] = values[i]!;
  } else if (scale === 'zero-one') {
    const k = 1 / sourceMax;
    for (let i = 0; i < out.length; i++) out[i] = values[i]! * k;
  } else {
    const k = 2 / sourceMax;
    for (let i = 0; i < out.length; i++) out[i] = values[i]! * k - 1;
  }
  return out;
}

/**
 * Throws a clear Error unless `scale` is one of {@link PIXEL_SCALES}.
 *
 * @example
 * ```ts
 * checkPixelScale(options.normalize ?? 'zero-one');
 * ```
 */
export function checkPixelScale(scale: unknown): PixelScale {
  if (!PIXEL_SCALES.includes(scale as PixelScale)) {
    throw new Error(`pixel scale must be one of ${PIXEL_SCALES.join(', ')}; got ${JSON.stringify(scale)}`);
  }
  return scale as PixelScale;
}

/** Per-feature mean and standard deviation, fitted on training data. */
export interface Standardizer {
  readonly mean: Float32Array;
  readonly std: Float32Array;
}

/**
 * Fits per-feature mean and standard deviation on row-major data whose last axis has `featureDim`
 * features (`featureDim = C` gives per-channel statistics for [N, H, W, C] images). A feature
 * with zero spread gets std 1, so standardising leaves it at 0 instead of dividing by zero.
 *
 * @example
 * ```ts
 * const st = fitStandardizer(train.features, train.shape[1]);
 * const xTrain = standardize(train.features, st);
 * const xTest = standardize(test.features, st); // test uses the training statistics
 * ```
 */
export function fitStandardizer(values: Float32Array, featureDim: number): Standardizer {
  if (!Number.isInteger(featureDim) || featureDim < 1) {
    throw new Error(`fitStandardizer: featureDim must be a positive integer, got ${featureDim}`);
  }
  if (values.length === 0 || values.length % featureDim !== 0) {
    throw new Error(
      `fitStandardizer: need a non-empty array whose length is a multiple of featureDim ${featureDim}, got length ${values.length}`,
    );
  }
  const rows = values.length / featureDim;
  // Sums in float64: float32 accumulation over 47 M MNIST pixels would lose digits.
  const sum = new Float64Array(featureDim);
  for (let i = 0; i < values.length; i++) sum[i % featureDim]! += values[i]!;
  const mean = new Float64Array(featureDim);
  for (let f = 0; f < featureDim; f++) mean[f] = sum[f]! / rows;
  const sq = new Float64Array(featureDim);
  for (let i = 0; i < values.length; i++) {
    const d = values[i]! - mean[i % featureDim]!;
    sq[i % featureDim]! += d * d;
  }
  const std = new Float32Array(featureDim);
  for (let f = 0; f < featureDim; f++) {
    const s = Math.sqrt(sq[f]! / rows);
    std[f] = s > 1e-12 ? s : 1;
  }
  return { mean: Float32Array.from(mean), std };
}

/**
 * Applies a {@link Standardizer}: (x - mean) / std per feature, into a new Float32Array.
 *
 * @example
 * ```ts
 * const z = standardize(test.features, fitStandardizer(train.features, 2));
 * ```
 */
export function standardize(values: Float32Array, standardizer: Standardizer): Float32Array {
  const { mean, std } = standardizer;
  const d = mean.length;
  if (values.length % d !== 0) {
    throw new Error(`standardize: array length ${values.length} is not a multiple of the ${d} fitted features`);
  }
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = (values[i]! - mean[i % d]!) / std[i % d]!;
  return out;
}

/**
 * The in-memory form of an image data set: one Float32Array of pixels, row-major [N, H, W, C]
 * (channels last, as tfjs convolutions expect), with optional integer labels.
 */
import { checkPixelScale, pixelRange, scalePixels } from './normalize.js';
import type { PixelScale } from './normalize.js';

/** Images with optional labels, ready for {@link imageBatches}. */
export interface ImageSet {
  /** Pixel values, row-major [N, H, W, C]. */
  readonly images: Float32Array;
  /** [N, H, W, C]. */
  readonly shape: readonly [number, number, number, number];
  /** One integer class per image (index into `classNames` when that is given). */
  readonly labels?: Int32Array;
  /** Name of each class, where the data set has names (emoji categories, folder names). */
  readonly classNames?: readonly string[];
  /** The range the pixel values were scaled to, e.g. [0, 1]. */
  readonly pixelRange: readonly [number, number];
  /** A stable name for each image, where there is one (emoji code points, file paths in a folder). */
  readonly keys?: readonly string[];
}

/** Inputs of {@link makeImageSet}. */
export interface MakeImageSetArgs {
  /** Raw pixel values, row-major [N, H, W, C]. */
  pixels: ArrayLike<number>;
  shape: readonly [number, number, number, number];
  labels?: Int32Array | undefined;
  classNames?: readonly string[] | undefined;
  keys?: readonly string[] | undefined;
  /** Maximum of the raw values (255 for 8-bit); undefined for values kept as they are. */
  sourceMax?: number | undefined;
  /** Scaling applied to raw values in [0, sourceMax] (default `zero-one`). */
  normalize?: PixelScale | undefined;
  /** Threshold in [0, 1] of the source range: above becomes the maximum, at or below becomes 0. */
  binarize?: number | undefined;
}

/**
 * Builds an {@link ImageSet} from raw pixels: binarises if asked, scales, checks the shape.
 *
 * @example
 * ```ts
 * const set = makeImageSet({ pixels: bytes, shape: [n, 28, 28, 1], sourceMax: 255, normalize: 'minus-one-one' });
 * set.pixelRange; // [-1, 1]
 * ```
 */
export function makeImageSet(args: MakeImageSetArgs): ImageSet {
  const { shape, labels, classNames, keys } = args;
  const [n, h, w, c] = shape;
  if (![n, h, w, c].every((d) => Number.isInteger(d) && d > 0)) {
    throw new Error(`image shape must be four positive integers [N, H, W, C], got [${shape.join(', ')}]`);
  }
  if (args.pixels.length !== n * h * w * c) {
    throw new Error(`image shape [${shape.join(', ')}] needs ${n * h * w * c} values, got ${args.pixels.length}`);
  }
  if (labels !== undefined && labels.length !== n) {
    throw new Error(`${n} images but ${labels.length} labels; they must match`);
  }
  if (keys !== undefined && keys.length !== n) throw new Error(`${n} images but ${keys.length} keys; they must match`);
  let images: Float32Array;
  let range: [number, number];
  if (args.sourceMax === undefined) {
    images = Float32Array.from(args.pixels);
    range = valueRange(images);
  } else {
    const scale = checkPixelScale(args.normalize ?? 'zero-one');
    let raw: ArrayLike<number> = args.pixels;
    if (args.binarize !== undefined) {
      if (!(args.binarize >= 0 && args.binarize < 1)) {
        throw new Error(`binarize threshold must be in [0, 1), got ${args.binarize}`);
      }
      raw = binarize(args.pixels, args.binarize * args.sourceMax, args.sourceMax);
    }
    images = scalePixels(raw, scale, args.sourceMax);
    range = pixelRange(scale, args.sourceMax);
  }
  return {
    images,
    shape: [n, h, w, c],
    ...(labels !== undefined ? { labels } : {}),
    ...(classNames !== undefined ? { classNames } : {}),
    pixelRange: range,
    ...(keys !== undefined ? { keys } : {}),
  };
}

function binarize(values: ArrayLike<number>, threshold: number, max: number): Uint8Array | Float32Array {
  const out = max <= 255 ? new Uint8Array(values.length) : new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = values[i]! > threshold ? max : 0;
  return out;
}

function valueRange(values: Float32Array): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

/**
 * The images at `indices` (in that order) as a new {@link ImageSet}; used to cut splits and subsets.
 *
 * @example
 * ```ts
 * const firstHundred = selectImages(train, Int32Array.from({ length: 100 }, (_, i) => i));
 * ```
 */
export function selectImages(set: ImageSet, indices: ArrayLike<number>): ImageSet {
  const [n, h, w, c] = set.shape;
  const per = h * w * c;
  if (indices.length === 0) throw new Error('selectImages: no indices given; an image set cannot be empty');
  const images = new Float32Array(indices.length * per);
  const labels = set.labels ? new Int32Array(indices.length) : undefined;
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k]!;
    if (!(Number.isInteger(i) && i >= 0 && i < n)) throw new Error(`selectImages: index ${i} is outside 0..${n - 1}`);
    images.set(set.images.subarray(i * per, (i + 1) * per), k * per);
    if (labels) labels[k] = set.labels![i]!;
  }
  return {
    images,
    shape: [indices.length, h, w, c],
    ...(labels ? { labels } : {}),
    ...(set.classNames ? { classNames: set.classNames } : {}),
    pixelRange: set.pixelRange,
    ...(set.keys ? { keys: Array.from(indices, (i) => set.keys![i]!) } : {}),
  };
}

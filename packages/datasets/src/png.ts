/**
 * PNG images: decoding (through pngjs), area resampling, and folders of PNGs as image data sets
 * (one sub-folder per class, as torchvision's ImageFolder reads them).
 */
import { join } from 'node:path';

import pngjs from 'pngjs';

import { listFolder, readDataFile } from './files.js';
import type { ImageSet } from './image-set.js';
import { makeImageSet } from './image-set.js';
import type { PixelScale } from './normalize.js';
import type { Split } from './split.js';
import { checkFraction, checkSplit, isHeldOut } from './split.js';

/** A decoded image: 8-bit RGBA, row-major [height, width, 4]. */
export interface RgbaImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/**
 * Decodes a PNG file's bytes to 8-bit RGBA (grey, palette and 16-bit files are converted).
 *
 * @param source a name for error messages (usually the path)
 * @example
 * ```ts
 * const img = decodePng(await readFile('cat.png'), 'cat.png');
 * img.data.length === img.width * img.height * 4; // true
 * ```
 */
export function decodePng(bytes: Uint8Array, source = 'PNG data'): RgbaImage {
  try {
    const png = pngjs.PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    return { width: png.width, height: png.height, data: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.length) };
  } catch (err) {
    throw new Error(`${source}: not a readable PNG image (${(err as Error).message})`);
  }
}

/**
 * Sets the colour of fully transparent pixels to black, in place. PNG encoders leave arbitrary
 * colours under alpha 0 (the Twemoji files differ from their sprite sheet only there); a model
 * should not spend capacity learning colours nobody sees.
 *
 * @example
 * ```ts
 * const img = clearTransparent(decodePng(bytes)); // or clearTransparent(img.data)
 * ```
 */
export function clearTransparent<T extends RgbaImage | Uint8Array>(image: T): T {
  const rgba = image instanceof Uint8Array ? image : image.data;
  for (let i = 0; i < rgba.length; i += 4) {
    if (rgba[i + 3] === 0) rgba[i] = rgba[i + 1] = rgba[i + 2] = 0;
  }
  return image;
}

/**
 * Resamples a row-major [height, width, channels] image by area averaging: each output pixel is the
 * mean of the source area it covers (exact box filtering for shrinking; blocky for enlarging).
 *
 * @example
 * ```ts
 * const small = resizeImage(img.data, img.height, img.width, 4, 32, 32); // Float32Array [32, 32, 4]
 * ```
 */
export function resizeImage(
  pixels: ArrayLike<number>,
  height: number,
  width: number,
  channels: number,
  newHeight: number,
  newWidth: number,
): Float32Array {
  const wx = areaWeights(width, newWidth);
  const wy = areaWeights(height, newHeight);
  const rows = new Float32Array(height * newWidth * channels); // [H, newW, C]
  for (let y = 0; y < height; y++) {
    for (let ox = 0; ox < newWidth; ox++) {
      for (const [sx, w] of wx[ox]!) {
        const from = (y * width + sx) * channels;
        const to = (y * newWidth + ox) * channels;
        for (let c = 0; c < channels; c++) rows[to + c]! += w * pixels[from + c]!;
      }
    }
  }
  const out = new Float32Array(newHeight * newWidth * channels); // [newH, newW, C]
  for (let oy = 0; oy < newHeight; oy++) {
    for (const [sy, w] of wy[oy]!) {
      for (let i = 0; i < newWidth * channels; i++) out[oy * newWidth * channels + i]! += w * rows[sy * newWidth * channels + i]!;
    }
  }
  return out;
}

/** For each output index, the source indices it covers and their weights (summing to 1). */
function areaWeights(from: number, to: number): [number, number][][] {
  const scale = from / to;
  const weights: [number, number][][] = [];
  for (let o = 0; o < to; o++) {
    const lo = o * scale;
    const hi = lo + scale;
    const taps: [number, number][] = [];
    for (let s = Math.floor(lo); s < Math.min(Math.ceil(hi), from); s++) {
      const overlap = Math.min(hi, s + 1) - Math.max(lo, s);
      if (overlap > 1e-9) taps.push([s, overlap / scale]);
    }
    weights.push(taps);
  }
  return weights;
}

/** Options of {@link loadImageFolder}. */
export interface LoadImageFolderOptions {
  /** Resize every image to size×size (area resampling); without it all images must share one size. */
  size?: number;
  /** 1 (grey), 3 (RGB), 4 (RGBA) or `auto` (default): 1 if every image is grey and opaque, 3 if opaque, else 4. */
  channels?: 1 | 3 | 4 | 'auto';
  /** Pixel scaling (default `zero-one`). */
  normalize?: PixelScale;
  /** Keep one split only: files are assigned by a hash of their path inside the folder. */
  split?: Split;
  /** Fraction of files in the `test` split (default 0.1). */
  testFraction?: number;
}

/**
 * Loads a folder of PNG files as an {@link ImageSet}. If the folder has sub-folders, each one is a
 * class (labels follow the sorted folder names) and PNGs directly in the folder are an error;
 * otherwise the PNGs in the folder are loaded without labels. Other files are ignored. Each
 * image's path inside the folder (`happy/01.png`) is its key. Fully transparent pixels are black.
 *
 * @example
 * ```ts
 * // faces/happy/*.png, faces/sad/*.png → labels 0 (happy) and 1 (sad)
 * const faces = await loadImageFolder('faces', { size: 32, channels: 3, split: 'train' });
 * faces.classNames; // ['happy', 'sad']
 * ```
 */
export async function loadImageFolder(dir: string, options: LoadImageFolderOptions = {}): Promise<ImageSet> {
  const { size, channels = 'auto' } = options;
  if (size !== undefined && !(Number.isInteger(size) && size > 0)) {
    throw new Error(`loadImageFolder: size must be a positive integer, got ${size}`);
  }
  if (![1, 3, 4, 'auto'].includes(channels)) {
    throw new Error(`loadImageFolder: channels must be 1, 3, 4 or "auto", got ${JSON.stringify(channels)}`);
  }
  const testFraction = checkFraction(options.testFraction ?? 0.1, 'loadImageFolder testFraction');
  const split = options.split === undefined ? undefined : checkSplit(options.split, 'loadImageFolder');

  let files = await listPngs(dir);
  if (files.length === 0) throw new Error(`image folder ${dir} holds no .png files (directly or in sub-folders)`);
  const classNames = files[0]!.className === undefined ? undefined : [...new Set(files.map((f) => f.className!))];
  if (split !== undefined) {
    files = files.filter((f) => isHeldOut(f.relPath, testFraction) === (split === 'test'));
    if (files.length === 0) throw new Error(`image folder ${dir} has no files in the ${split} split`);
  }

  const decoded: RgbaImage[] = [];
  for (const f of files) {
    const path = join(dir, f.relPath);
    const img = decodePng(await readDataFile(path, 'PNG file'), path);
    clearTransparent(img.data);
    const first = decoded[0];
    if (size === undefined && first && (img.width !== first.width || img.height !== first.height)) {
      throw new Error(
        `${path} is ${img.width}×${img.height} but ${join(dir, files[0]!.relPath)} is ${first.width}×${first.height}; ` +
          `pass { size } to resize all images to one size`,
      );
    }
    decoded.push(img);
  }
  const c = channels === 'auto' ? detectChannels(decoded) : channels;
  const h = size ?? decoded[0]!.height;
  const w = size ?? decoded[0]!.width;
  const pixels = new Float32Array(decoded.length * h * w * c);
  decoded.forEach((img, k) => {
    const rgba = img.width === w && img.height === h ? img.data : resizeImage(img.data, img.height, img.width, 4, h, w);
    const base = k * h * w * c;
    for (let p = 0; p < h * w; p++) {
      if (c === 1) pixels[base + p] = (rgba[4 * p]! + rgba[4 * p + 1]! + rgba[4 * p + 2]!) / 3;
      else for (let ch = 0; ch < c; ch++) pixels[base + p * c + ch] = rgba[4 * p + ch]!;
    }
  });
  const labels = classNames ? Int32Array.from(files, (f) => classNames.indexOf(f.className!)) : undefined;
  return makeImageSet({
    pixels,
    shape: [decoded.length, h, w, c],
    labels,
    classNames,
    keys: files.map((f) => f.relPath),
    sourceMax: 255,
    normalize: options.normalize,
  });
}

function detectChannels(images: RgbaImage[]): 1 | 3 | 4 {
  let grey = true;
  for (const { data } of images) {
    for (let i = 0; i < data.length; i += 4) {
      if (data[i + 3] !== 255) return 4;
      if (grey && (data[i] !== data[i + 1] || data[i] !== data[i + 2])) grey = false;
    }
  }
  return grey ? 1 : 3;
}

async function listPngs(dir: string): Promise<{ relPath: string; className?: string }[]> {
  const isPng = (name: string) => name.toLowerCase().endsWith('.png');
  const entries = await listFolder(dir, 'image folder');
  const top = entries.filter((e) => !e.isDirectory && isPng(e.name)).map((e) => ({ relPath: e.name }));
  const classes: { relPath: string; className: string }[] = [];
  for (const sub of entries.filter((e) => e.isDirectory)) {
    const inner = await listFolder(join(dir, sub.name), 'image sub-folder');
    for (const e of inner) {
      if (!e.isDirectory && isPng(e.name)) classes.push({ relPath: `${sub.name}/${e.name}`, className: sub.name });
    }
  }
  if (classes.length > 0 && top.length > 0) {
    throw new Error(
      `image folder ${dir} mixes PNG files (${top[0]!.relPath}…) with class sub-folders; ` +
        `put every image in a class folder, or remove the sub-folders`,
    );
  }
  return classes.length > 0 ? classes : top;
}

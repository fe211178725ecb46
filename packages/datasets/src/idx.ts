/**
 * The IDX format of MNIST and its relatives (Fashion-MNIST, KMNIST, EMNIST): a 4-byte magic number
 * (two zero bytes, a type code, the number of dimensions), the dimensions as big-endian uint32,
 * then the values big-endian, row-major. Files may be gzipped (`.gz`), as they are usually published.
 */
import { gunzipSync } from 'node:zlib';

import { readDataFile } from './files.js';
import type { ImageSet } from './image-set.js';
import { makeImageSet } from './image-set.js';
import type { PixelScale } from './normalize.js';

/** Element types of IDX files, by name. */
export type IdxDType = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';

/** A parsed IDX file: its element type, its dimensions and its values (row-major). */
export interface IdxArray {
  readonly dtype: IdxDType;
  readonly shape: readonly number[];
  readonly data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
}

const TYPES: Record<number, { dtype: IdxDType; bytes: number }> = {
  0x08: { dtype: 'uint8', bytes: 1 },
  0x09: { dtype: 'int8', bytes: 1 },
  0x0b: { dtype: 'int16', bytes: 2 },
  0x0c: { dtype: 'int32', bytes: 4 },
  0x0d: { dtype: 'float32', bytes: 4 },
  0x0e: { dtype: 'float64', bytes: 8 },
};

const hex = (n: number, width: number) => `0x${n.toString(16).padStart(width, '0')}`;

/**
 * Parses an IDX file held in memory, plain or gzipped. Throws an Error naming `source` for a
 * wrong magic number, an unknown type code, a truncated file or trailing bytes.
 *
 * @param bytes the file's contents
 * @param source a name for error messages (usually the path)
 * @example
 * ```ts
 * const labels = readIdx(await readFile('train-labels-idx1-ubyte'));
 * labels.shape; // [60000]
 * labels.dtype; // 'uint8'
 * ```
 */
export function readIdx(bytes: Uint8Array, source = 'IDX data'): IdxArray {
  let buf = bytes;
  if (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) {
    try {
      buf = gunzipSync(buf);
    } catch (err) {
      throw new Error(`${source}: starts like a gzip file but does not decompress (${(err as Error).message})`);
    }
  }
  if (buf.length < 4) {
    throw new Error(`${source}: truncated IDX file: ${buf.length} bytes, expected at least the 4-byte magic number`);
  }
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const magic = view.getUint32(0);
  const type = TYPES[buf[2]!];
  if (buf[0] !== 0 || buf[1] !== 0 || type === undefined) {
    throw new Error(
      `${source}: wrong magic number ${hex(magic, 8)}; an IDX file starts with 0x0000, a type code ` +
        `(08 uint8, 09 int8, 0b int16, 0c int32, 0d float32, 0e float64) and the number of dimensions, ` +
        `e.g. 0x00000803 for MNIST images`,
    );
  }
  const ndim = buf[3]!;
  if (ndim === 0) throw new Error(`${source}: IDX magic number ${hex(magic, 8)} declares 0 dimensions`);
  const headerBytes = 4 + 4 * ndim;
  if (buf.length < headerBytes) {
    throw new Error(
      `${source}: truncated IDX file: ${buf.length} bytes, but the header of ${ndim} dimensions needs ${headerBytes}`,
    );
  }
  const shape: number[] = [];
  let count = 1;
  for (let d = 0; d < ndim; d++) {
    const size = view.getUint32(4 + 4 * d);
    shape.push(size);
    count *= size;
  }
  const expected = headerBytes + count * type.bytes;
  if (buf.length < expected) {
    throw new Error(
      `${source}: truncated IDX file: shape [${shape.join(', ')}] of ${type.dtype} needs ${expected} bytes, got ${buf.length}`,
    );
  }
  if (buf.length > expected) {
    throw new Error(
      `${source}: ${buf.length - expected} unexpected bytes after the data of shape [${shape.join(', ')}] ` +
        `(${type.dtype}); the file is longer than its header says`,
    );
  }
  return { dtype: type.dtype, shape, data: decodeValues(view, headerBytes, count, type.dtype) };
}

function decodeValues(view: DataView, offset: number, count: number, dtype: IdxDType): IdxArray['data'] {
  const bytes = new Uint8Array(view.buffer, view.byteOffset + offset, count * TYPES_BY_NAME[dtype]);
  switch (dtype) {
    case 'uint8':
      return bytes.slice();
    case 'int8':
      return new Int8Array(bytes.slice().buffer);
    case 'int16': {
      const out = new Int16Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt16(offset + 2 * i);
      return out;
    }
    case 'int32': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt32(offset + 4 * i);
      return out;
    }
    case 'float32': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(offset + 4 * i);
      return out;
    }
    case 'float64': {
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(offset + 8 * i);
      return out;
    }
  }
}

const TYPES_BY_NAME: Record<IdxDType, number> = {
  uint8: 1,
  int8: 1,
  int16: 2,
  int32: 4,
  float32: 4,
  float64: 8,
};

/** Options of {@link loadIdx}. */
export interface LoadIdxOptions {
  /** Keep only the first `limit` images. */
  limit?: number;
  /** Pixel scaling (default `zero-one`) of uint8 files, from 0..255; other types are kept as they are. */
  normalize?: PixelScale;
  /** Threshold in [0, 1] of the 0..255 range: pixels above become the maximum, others 0. */
  binarize?: number;
}

/**
 * Loads images (and optionally labels) from IDX files, plain or gzipped: images of shape
 * [N, H, W] or [N, H, W, C] as uint8 (scaled as `normalize` says) or float (kept as they are),
 * labels of shape [N].
 *
 * @example
 * ```ts
 * const fashion = await loadIdx('train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz');
 * fashion.shape; // [60000, 28, 28, 1]
 * ```
 */
export async function loadIdx(imagesPath: string, labelsPath?: string, options: LoadIdxOptions = {}): Promise<ImageSet> {
  const images = readIdx(await readDataFile(imagesPath, 'IDX images file'), imagesPath);
  if (images.shape.length !== 3 && images.shape.length !== 4) {
    throw new Error(
      `${imagesPath}: expected images of shape [N, H, W] or [N, H, W, C], got [${images.shape.join(', ')}]`,
    );
  }
  let labels: Int32Array | undefined;
  if (labelsPath !== undefined) {
    const parsed = readIdx(await readDataFile(labelsPath, 'IDX labels file'), labelsPath);
    if (parsed.shape.length !== 1) {
      throw new Error(`${labelsPath}: expected labels of shape [N], got [${parsed.shape.join(', ')}]`);
    }
    if (parsed.dtype === 'float32' || parsed.dtype === 'float64') {
      throw new Error(`${labelsPath}: expected integer labels, got ${parsed.dtype}`);
    }
    if (parsed.shape[0] !== images.shape[0]) {
      throw new Error(
        `${labelsPath} has ${parsed.shape[0]} labels but ${imagesPath} has ${images.shape[0]} images; they must match`,
      );
    }
    labels = Int32Array.from(parsed.data);
  }
  return idxToImageSet(images, labels, options, imagesPath);
}

/**
 * Turns a parsed IDX image array (and labels) into an {@link ImageSet}; shared by {@link loadIdx}
 * and the MNIST loader.
 *
 * @example
 * ```ts
 * const set = idxToImageSet(readIdx(bytes), undefined, { limit: 100 }, 'digits.idx');
 * ```
 */
export function idxToImageSet(
  images: IdxArray,
  labels: Int32Array | undefined,
  options: LoadIdxOptions,
  source: string,
): ImageSet {
  const [n, h, w, c = 1] = images.shape as [number, number, number, number?];
  const limit = options.limit ?? n;
  if (!Number.isInteger(limit) || limit < 0) {
    throw new Error(`${source}: limit must be a non-negative integer, got ${options.limit}`);
  }
  const keep = Math.min(limit, n);
  if (keep === 0) throw new Error(`${source}: no images to load (the file holds ${n}, limit ${limit})`);
  const perImage = h * w * c;
  // Only uint8 pixels have a known range (0..255) to scale from; other types are kept as they are.
  const bytePixels = images.dtype === 'uint8';
  return makeImageSet({
    pixels: images.data.subarray(0, keep * perImage),
    shape: [keep, h, w, c],
    labels: labels?.subarray(0, keep),
    sourceMax: bytePixels ? 255 : undefined,
    normalize: bytePixels ? options.normalize : 'none',
    binarize: options.binarize,
  });
}

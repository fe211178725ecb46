import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

import { Rng } from '@genloom/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { IdxDType } from './idx.js';
import { loadIdx, readIdx } from './idx.js';

const CODES: Record<IdxDType, [number, number]> = {
  uint8: [0x08, 1],
  int8: [0x09, 1],
  int16: [0x0b, 2],
  int32: [0x0c, 4],
  float32: [0x0d, 4],
  float64: [0x0e, 8],
};

/** Writes an IDX file (big-endian), the way the MNIST files are laid out. */
function encodeIdx(dtype: IdxDType, shape: number[], values: number[]): Uint8Array {
  const [code, size] = CODES[dtype];
  const out = new Uint8Array(4 + 4 * shape.length + values.length * size);
  const view = new DataView(out.buffer);
  out[2] = code;
  out[3] = shape.length;
  shape.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  const at = 4 + 4 * shape.length;
  values.forEach((v, i) => {
    const o = at + i * size;
    if (dtype === 'uint8') view.setUint8(o, v);
    else if (dtype === 'int8') view.setInt8(o, v);
    else if (dtype === 'int16') view.setInt16(o, v);
    else if (dtype === 'int32') view.setInt32(o, v);
    else if (dtype === 'float32') view.setFloat32(o, v);
    else view.setFloat64(o, v);
  });
  return out;
}

describe('readIdx', () => {
  it('decodes every element type, big-endian', () => {
    const cases: [IdxDType, number[]][] = [
      ['uint8', [0, 1, 255, 128]],
      ['int8', [-128, -1, 0, 127]],
      ['int16', [-32768, -2, 513, 32767]],
      ['int32', [-2147483648, -70000, 1, 2147483647]],
      ['float32', [-1.5, 0, 0.25, 2 ** 30]],
      ['float64', [-1e-300, Math.PI, 0, 1e300]],
    ];
    for (const [dtype, values] of cases) {
      const parsed = readIdx(encodeIdx(dtype, [2, 2], values));
      expect(parsed.dtype).toBe(dtype);
      expect(parsed.shape).toEqual([2, 2]);
      expect(Array.from(parsed.data)).toEqual(values);
    }
  });

  it('reads gzipped files like plain ones', () => {
    const plain = encodeIdx('uint8', [3, 2, 2], Array.from({ length: 12 }, (_, i) => i * 20));
    const parsed = readIdx(gzipSync(plain));
    expect(parsed.shape).toEqual([3, 2, 2]);
    expect(Array.from(parsed.data)).toEqual(Array.from(readIdx(plain).data));
  });

  it('reads a buffer that is a view into a larger one', () => {
    const file = encodeIdx('int16', [2], [300, -300]);
    const big = new Uint8Array(file.length + 7);
    big.set(file, 3);
    expect(Array.from(readIdx(big.subarray(3, 3 + file.length)).data)).toEqual([300, -300]);
  });

  it('names the source and what was expected for a wrong magic number', () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(() => readIdx(png, 'cat.png')).toThrow(/cat\.png: wrong magic number 0x89504e47.*0x00000803/);
    expect(() => readIdx(new Uint8Array([0, 0, 0x07, 1, 0, 0, 0, 0]), 'x.idx')).toThrow(/x\.idx: wrong magic number 0x00000701/);
    expect(() => readIdx(new Uint8Array([0, 0, 0x08, 0]), 'x.idx')).toThrow(/declares 0 dimensions/);
  });

  it('reports truncated files and trailing bytes with the sizes', () => {
    const full = encodeIdx('uint8', [10, 28, 28], new Array(7840).fill(1));
    expect(() => readIdx(full.subarray(0, 2), 'imgs')).toThrow(/imgs: truncated IDX file: 2 bytes/);
    expect(() => readIdx(full.subarray(0, 10), 'imgs')).toThrow(/header of 3 dimensions needs 16/);
    expect(() => readIdx(full.subarray(0, 1000), 'imgs')).toThrow(/truncated IDX file: shape \[10, 28, 28\] of uint8 needs 7856 bytes, got 1000/);
    const longer = new Uint8Array(full.length + 5);
    longer.set(full);
    expect(() => readIdx(longer, 'imgs')).toThrow(/5 unexpected bytes after the data/);
    expect(() => readIdx(gzipSync(full).subarray(0, 30), 'imgs.gz')).toThrow(/imgs\.gz: starts like a gzip file but does not decompress/);
  });

  it('survives thousands of random and mutated buffers, throwing only Errors with messages', () => {
    const rng = new Rng(20240601);
    const seeds = [
      encodeIdx('uint8', [4, 3, 3], Array.from({ length: 36 }, (_, i) => i)),
      encodeIdx('int32', [3], [1, -2, 3]),
      encodeIdx('float64', [2, 1], [0.5, -0.5]),
      gzipSync(encodeIdx('uint8', [2, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8])),
    ];
    let parsed = 0;
    let rejected = 0;
    for (let trial = 0; trial < 4000; trial++) {
      let bytes: Uint8Array;
      const kind = trial % 4;
      if (kind === 0) {
        bytes = Uint8Array.from({ length: rng.int(64) }, () => rng.int(256));
      } else {
        bytes = seeds[rng.int(seeds.length)]!.slice();
        const edits = 1 + rng.int(4);
        for (let e = 0; e < edits; e++) {
          const op = rng.int(3);
          if (op === 0 && bytes.length > 0) bytes[rng.int(bytes.length)] = rng.int(256); // flip a byte
          else if (op === 1) bytes = bytes.subarray(0, rng.int(bytes.length + 1)); // cut the file
          else bytes = Uint8Array.from([...bytes, ...Array.from({ length: 1 + rng.int(8) }, () => rng.int(256))]); // append
        }
        // Small dimension values keep some mutated headers valid; huge ones must be rejected, not allocated.
        if (kind === 3 && bytes.length >= 8 && bytes[0] === 0 && bytes[1] === 0) bytes[4] = rng.int(2) === 0 ? 0xff : 0;
      }
      try {
        const out = readIdx(bytes, 'fuzz');
        const count = out.shape.reduce((a, b) => a * b, 1);
        expect(out.data.length).toBe(count);
        parsed++;
      } catch (err) {
        expect(err).toBeInstanceOf(Error);
        expect((err as Error).message).toMatch(/^fuzz: .{10,}/);
        rejected++;
      }
    }
    expect(parsed + rejected).toBe(4000);
    expect(parsed).toBeGreaterThan(50); // some mutations stay valid IDX files and must parse
    expect(rejected).toBeGreaterThan(1000);
  });
});

describe('loadIdx', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'genloom-idx-'));
    const pixels = Array.from({ length: 5 * 4 * 4 }, (_, i) => (i * 7) % 256);
    await writeFile(join(dir, 'images.idx'), encodeIdx('uint8', [5, 4, 4], pixels));
    await writeFile(join(dir, 'images.idx.gz'), gzipSync(encodeIdx('uint8', [5, 4, 4], pixels)));
    await writeFile(join(dir, 'rgb.idx'), encodeIdx('uint8', [2, 2, 2, 3], new Array(24).fill(51)));
    await writeFile(join(dir, 'labels.idx'), encodeIdx('uint8', [5], [3, 1, 4, 1, 5]));
    await writeFile(join(dir, 'labels4.idx'), encodeIdx('uint8', [4], [3, 1, 4, 1]));
    await writeFile(join(dir, 'floats.idx'), encodeIdx('float32', [2, 2, 2], [0.5, -1, 2, 0, 0, 0, 0, 0]));
    await writeFile(join(dir, 'vector.idx'), encodeIdx('uint8', [5], [1, 2, 3, 4, 5]));
    await writeFile(join(dir, 'float-labels.idx'), encodeIdx('float32', [5], [1, 2, 3, 4, 5]));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('loads images with labels as [N, H, W, 1] in [0, 1], gzipped or not', async () => {
    const set = await loadIdx(join(dir, 'images.idx'), join(dir, 'labels.idx'));
    expect(set.shape).toEqual([5, 4, 4, 1]);
    expect(Array.from(set.labels!)).toEqual([3, 1, 4, 1, 5]);
    expect(set.images[1]).toBeCloseTo(7 / 255, 6);
    const gz = await loadIdx(join(dir, 'images.idx.gz'), undefined, { limit: 2 });
    expect(gz.shape).toEqual([2, 4, 4, 1]);
    expect(gz.labels).toBeUndefined();
    expect(Array.from(gz.images)).toEqual(Array.from(set.images.subarray(0, 32)));
  });

  it('keeps a channel axis and leaves float pixels as they are', async () => {
    expect((await loadIdx(join(dir, 'rgb.idx'))).shape).toEqual([2, 2, 2, 3]);
    const floats = await loadIdx(join(dir, 'floats.idx'));
    expect(Array.from(floats.images.subarray(0, 3))).toEqual([0.5, -1, 2]);
    expect(floats.pixelRange).toEqual([-1, 2]);
  });

  it('fails clearly for missing files, wrong ranks and mismatched labels', async () => {
    await expect(loadIdx(join(dir, 'nope.idx'))).rejects.toThrow(/IDX images file not found: .*nope\.idx/);
    await expect(loadIdx(join(dir, 'images.idx'), join(dir, 'nope.idx'))).rejects.toThrow(/IDX labels file not found/);
    await expect(loadIdx(join(dir, 'vector.idx'))).rejects.toThrow(/expected images of shape \[N, H, W\] or \[N, H, W, C\], got \[5\]/);
    await expect(loadIdx(join(dir, 'images.idx'), join(dir, 'images.idx'))).rejects.toThrow(/expected labels of shape \[N\]/);
    await expect(loadIdx(join(dir, 'images.idx'), join(dir, 'labels4.idx'))).rejects.toThrow(/has 4 labels but .* has 5 images/);
    await expect(loadIdx(join(dir, 'images.idx'), join(dir, 'float-labels.idx'))).rejects.toThrow(/expected integer labels/);
    await expect(loadIdx(dir)).rejects.toThrow(/but that is a folder/);
  });
});

import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import pngjs from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { decodePng, loadImageFolder, resizeImage } from './png.js';

/** Encodes an RGBA image whose pixels come from `color(x, y)`. */
function png(width: number, height: number, color: (x: number, y: number) => [number, number, number, number]): Buffer {
  const image = new pngjs.PNG({ width, height });
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) image.data.set(color(x, y), (y * width + x) * 4);
  }
  return pngjs.PNG.sync.write(image);
}

const grey = (v: number) => (): [number, number, number, number] => [v, v, v, 255];

describe('resizeImage', () => {
  it('averages the covered area when shrinking by an integer factor', () => {
    const src = Float32Array.from([0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30]); // 4×4×1
    expect(Array.from(resizeImage(src, 4, 4, 1, 2, 2))).toEqual([5, 9, 21, 25]);
  });

  it('weights partial pixels and keeps constant images constant', () => {
    const out = resizeImage(new Float32Array(5 * 7 * 3).fill(100), 5, 7, 3, 3, 2);
    expect(out.length).toBe(3 * 2 * 3);
    for (const v of out) expect(v).toBeCloseTo(100, 4);
    expect(Array.from(resizeImage([0, 10, 20], 1, 3, 1, 1, 2))).toEqual([10 / 3, 50 / 3].map((v) => expect.closeTo(v, 5)));
  });
});

describe('loadImageFolder', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'genloom-png-'));
    const make = async (rel: string, bytes: Buffer | string) => {
      await mkdir(join(dir, rel, '..'), { recursive: true });
      await writeFile(join(dir, rel), bytes);
    };
    for (let i = 0; i < 6; i++) await make(`classes/dark/${i}.png`, png(8, 8, grey(10 * i)));
    for (let i = 0; i < 4; i++) await make(`classes/light/${i}.PNG`, png(8, 8, grey(200 + i)));
    await make('classes/notes.txt', 'not an image');
    await make('flat/a.png', png(4, 4, (x, y) => [x * 60, y * 60, 0, 255]));
    await make('flat/b.png', png(4, 4, () => [0, 0, 255, 255]));
    await make('alpha/a.png', png(2, 2, () => [255, 0, 0, 128]));
    await make('sizes/a.png', png(4, 4, grey(0)));
    await make('sizes/b.png', png(6, 4, grey(255)));
    await make('broken/a.png', 'this is not a png');
    await make('mixed/a.png', png(2, 2, grey(0)));
    await make('mixed/cls/b.png', png(2, 2, grey(0)));
    await mkdir(join(dir, 'empty'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('reads class sub-folders as labels, grey images as one channel', async () => {
    const set = await loadImageFolder(join(dir, 'classes'));
    expect(set.shape).toEqual([10, 8, 8, 1]);
    expect(set.classNames).toEqual(['dark', 'light']);
    expect(Array.from(set.labels!)).toEqual([0, 0, 0, 0, 0, 0, 1, 1, 1, 1]);
    expect(set.keys![6]).toBe('light/0.PNG');
    expect(set.images[64]).toBeCloseTo(10 / 255, 6);
  });

  it('reads a flat folder without labels, keeping colour channels', async () => {
    const set = await loadImageFolder(join(dir, 'flat'), { normalize: 'none' });
    expect(set.shape).toEqual([2, 4, 4, 3]);
    expect(set.labels).toBeUndefined();
    expect(Array.from(set.images.subarray(3 * 5, 3 * 6))).toEqual([60, 60, 0]); // pixel (1, 1) of a.png
    expect((await loadImageFolder(join(dir, 'alpha'))).shape[3]).toBe(4);
    expect((await loadImageFolder(join(dir, 'flat'), { channels: 1 })).shape[3]).toBe(1);
  });

  it('resizes to a common size on request', async () => {
    const set = await loadImageFolder(join(dir, 'sizes'), { size: 2, normalize: 'minus-one-one' });
    expect(set.shape).toEqual([2, 2, 2, 1]);
    expect(Array.from(set.images)).toEqual([-1, -1, -1, -1, 1, 1, 1, 1]);
  });

  it('splits files by a hash of their path: disjoint, complete and stable', async () => {
    const train = await loadImageFolder(join(dir, 'classes'), { split: 'train', testFraction: 0.3 });
    const test = await loadImageFolder(join(dir, 'classes'), { split: 'test', testFraction: 0.3 });
    expect([...train.keys!, ...test.keys!].sort()).toEqual((await loadImageFolder(join(dir, 'classes'))).keys!.slice().sort());
    expect(train.classNames).toEqual(['dark', 'light']); // class names do not depend on the split
  });

  it('fails clearly for missing folders, no PNGs, mixed layouts, different sizes and broken files', async () => {
    await expect(loadImageFolder(join(dir, 'nope'))).rejects.toThrow(/image folder not found: .*nope/);
    await expect(loadImageFolder(join(dir, 'flat', 'a.png'))).rejects.toThrow(/is a file, not a folder/);
    await expect(loadImageFolder(join(dir, 'empty'))).rejects.toThrow(/holds no \.png files/);
    await expect(loadImageFolder(join(dir, 'mixed'))).rejects.toThrow(/mixes PNG files \(a\.png…\) with class sub-folders/);
    await expect(loadImageFolder(join(dir, 'sizes'))).rejects.toThrow(/b\.png is 6×4 but .*a\.png is 4×4; pass \{ size \}/);
    await expect(loadImageFolder(join(dir, 'broken'))).rejects.toThrow(/a\.png: not a readable PNG image/);
    await expect(loadImageFolder(join(dir, 'flat'), { size: 0 })).rejects.toThrow(/size must be a positive integer/);
    expect(() => decodePng(new Uint8Array([1, 2, 3]), 'x.png')).toThrow(/x\.png: not a readable PNG image/);
  });
});

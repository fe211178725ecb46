import { readFile } from 'node:fs/promises';

import { beforeAll, describe, expect, it } from 'vitest';

import { EMOJI_CATEGORIES, loadEmoji } from './emoji.js';
import { packageFile } from './files.js';
import type { ImageSet } from './image-set.js';
import { clearTransparent, decodePng } from './png.js';

describe('loadEmoji', () => {
  let train: ImageSet;
  let test: ImageSet;
  beforeAll(async () => {
    train = await loadEmoji({ size: 32, split: 'train' });
    test = await loadEmoji({ size: 32, split: 'test' });
  });

  it('cuts 1,911 base emoji into a fixed ≈90/10 split of 32×32 RGBA sprites', () => {
    expect(train.shape.slice(1)).toEqual([32, 32, 4]);
    expect(train.shape[0] + test.shape[0]).toBe(1911);
    expect(test.shape[0]).toBeGreaterThan(150);
    expect(test.shape[0]).toBeLessThan(240);
    const trainKeys = new Set(train.keys);
    expect(test.keys!.some((k) => trainKeys.has(k))).toBe(false);
  });

  it('labels every sprite with its category and scales pixels to [0, 1]', () => {
    expect(train.classNames).toEqual(EMOJI_CATEGORIES);
    const counts = new Array<number>(10).fill(0);
    for (const l of [...train.labels!, ...test.labels!]) counts[l]!++;
    // Category sizes in emoji-datasource 16.0.0's emoji.json.
    expect(Object.fromEntries(EMOJI_CATEGORIES.map((c, i) => [c, counts[i]]))).toEqual({
      'Smileys & Emotion': 169,
      'People & Body': 386,
      Component: 5,
      'Animals & Nature': 159,
      'Food & Drink': 131,
      'Travel & Places': 218,
      Activities: 85,
      Objects: 264,
      Symbols: 224,
      Flags: 270,
    });
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < train.images.length; i++) {
      lo = Math.min(lo, train.images[i]!);
      hi = Math.max(hi, train.images[i]!);
    }
    expect([lo, hi]).toEqual([0, 1]);
  });

  it('cuts each sprite at the documented sheet position, inside its transparent border', async () => {
    // The sheet puts sprite (sheet_x, sheet_y) at ((size + 2)·sheet_x + 1, (size + 2)·sheet_y + 1),
    // ringed by one transparent pixel. Check the ring of every emoji, and the crops we return.
    const base = packageFile('emoji-datasource-twitter');
    const sheet = decodePng(await readFile(`${base}/img/twitter/sheets/32.png`));
    clearTransparent(sheet.data);
    const entries = JSON.parse(await readFile(`${base}/emoji.json`, 'utf8')) as { unified: string; sheet_x: number; sheet_y: number }[];
    const alpha = (x: number, y: number) => sheet.data[(y * sheet.width + x) * 4 + 3]!;
    let ringInk = 0;
    let spriteInk = 0;
    for (const e of entries) {
      const [x0, y0] = [34 * e.sheet_x + 1, 34 * e.sheet_y + 1];
      for (let i = -1; i <= 32; i++) ringInk += alpha(x0 + i, y0 - 1) + alpha(x0 + i, y0 + 32) + alpha(x0 - 1, y0 + i) + alpha(x0 + 32, y0 + i);
      for (let i = 0; i < 32; i++) spriteInk += alpha(x0 + i, y0 + 16) > 0 ? 1 : 0;
    }
    expect(ringInk).toBe(0);
    expect(spriteInk / entries.length).toBeGreaterThan(10); // the middle row of a sprite has ink
    const position = new Map(entries.map((e) => [e.unified, [34 * e.sheet_x + 1, 34 * e.sheet_y + 1] as const]));
    for (const k of [0, 7, test.shape[0] - 1]) {
      const [x0, y0] = position.get(test.keys![k]!)!;
      const sprite = test.images.subarray(k * 32 * 32 * 4, (k + 1) * 32 * 32 * 4);
      let diff = 0;
      for (let y = 0; y < 32; y++) {
        for (let x = 0; x < 32 * 4; x++) diff += Math.abs(sprite[y * 128 + x]! * 255 - sheet.data[((y0 + y) * sheet.width + x0) * 4 + x]!);
      }
      expect(diff).toBeLessThan(1e-2);
    }
  });

  it('filters categories (labels follow the given order) and adds skin tones on request', async () => {
    const some = await loadEmoji({ categories: ['Flags', 'Smileys & Emotion'], split: 'test' });
    expect(some.classNames).toEqual(['Flags', 'Smileys & Emotion']);
    expect(new Set(some.labels)).toEqual(new Set([0, 1]));
    const tones = await loadEmoji({ size: 16, skinTones: true, split: 'test' });
    const plain = await loadEmoji({ size: 16, split: 'test' });
    expect(tones.shape[0]).toBeGreaterThan(plain.shape[0]);
    // A skin-tone variant stays in its base emoji's split.
    // Code points without skin-tone modifiers and variation selectors name the base emoji.
    const withoutTones = (k: string) => k.replace(/-(1F3F[B-F]|FE0F)/g, '');
    const base = new Set(plain.keys!.map(withoutTones));
    expect(tones.keys!.filter((k) => /-1F3F[B-F]/.test(k)).length).toBeGreaterThan(20);
    expect(tones.keys!.every((k) => base.has(withoutTones(k)))).toBe(true);
  });

  it('rejects unknown sizes, categories and splits with the valid choices', async () => {
    await expect(loadEmoji({ size: 28 })).rejects.toThrow('loadEmoji: size must be one of 16, 20, 32, 64 (the shipped sprite sheets), got 28');
    await expect(loadEmoji({ categories: ['Faces'] })).rejects.toThrow(/unknown category "Faces"; valid: Smileys & Emotion, People & Body/);
    await expect(loadEmoji({ split: 'val' as never })).rejects.toThrow(/split must be "train" or "test"/);
  });
});

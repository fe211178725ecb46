import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { loadMobyDick, loadText, splitText } from './text.js';

describe('loadMobyDick', () => {
  it('gives the first 90% of the book for training and the last 10% for validation', async () => {
    const { train, val } = await loadMobyDick();
    expect(train.length + val.length).toBe(1_190_317);
    expect(train.length).toBe(Math.floor(1_190_317 * 0.9));
    expect(train.startsWith('CHAPTER 1. Loomings.\n\nCall me Ishmael.')).toBe(true);
    expect(val.trimEnd().endsWith('and the great\nshroud of the sea rolled on as it rolled five thousand years ago.')).toBe(true);
    expect(new Set(train + val).size).toBe(83);
  });
});

describe('splitText', () => {
  it('cuts at the fraction, never inside a surrogate pair', () => {
    expect(splitText('abcdefghij', 0.2)).toEqual({ train: 'abcdefgh', val: 'ij' });
    expect(splitText('abc', 0)).toEqual({ train: 'abc', val: '' });
    const emoji = 'ab😀cd'; // the emoji is two UTF-16 code units at positions 2 and 3
    const { train, val } = splitText(emoji, 0.5);
    expect(train + val).toBe(emoji);
    expect(train).toBe('ab😀');
    expect(() => splitText('abc', 1)).toThrow('valFraction must be a number in [0, 1), got 1');
  });
});

describe('loadText', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'genloom-text-'));
    await writeFile(join(dir, 'poem.txt'), '\ufeffThe sea, the sea.\nIt rolls and rolls.\n');
    await writeFile(join(dir, 'blank.txt'), ' \n\t\n');
    await writeFile(join(dir, 'empty.txt'), '');
    await writeFile(join(dir, 'latin1.txt'), Buffer.from([0x63, 0x61, 0x66, 0xe9]));
    await writeFile(join(dir, 'tiny.txt'), 'a');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('reads UTF-8 text without its byte-order mark and splits it', async () => {
    const { train, val } = await loadText(join(dir, 'poem.txt'), { valFraction: 0.25 });
    expect(train + val).toBe('The sea, the sea.\nIt rolls and rolls.\n');
    expect(val.length).toBe(10);
  });

  it('fails clearly for missing, empty, non-UTF-8 and too-short files', async () => {
    await expect(loadText(join(dir, 'nope.txt'))).rejects.toThrow(/text file not found: .*nope\.txt/);
    await expect(loadText(join(dir, 'empty.txt'))).rejects.toThrow(/empty\.txt: the corpus is empty/);
    await expect(loadText(join(dir, 'blank.txt'))).rejects.toThrow(/blank\.txt: the corpus is empty/);
    await expect(loadText(join(dir, 'latin1.txt'))).rejects.toThrow(/latin1\.txt: not UTF-8 text/);
    await expect(loadText(join(dir, 'tiny.txt'))).rejects.toThrow(/1 characters are too few to hold out 0\.1/);
    await expect(loadText(join(dir, 'poem.txt'), { valFraction: -0.1 })).rejects.toThrow(/valFraction must be a number in \[0, 1\)/);
  });
});

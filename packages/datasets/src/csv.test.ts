import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { Rng } from '@genloom/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { loadCsv, parseCsv, selectRows } from './csv.js';

describe('parseCsv', () => {
  it('reads a header, numeric features and named labels', () => {
    const set = parseCsv('x,y,label\n1,2,cat\n3.5,-4e2,dog\n0,.5,cat\n', { labelColumn: 'label' });
    expect(set.shape).toEqual([3, 2]);
    expect(set.columns).toEqual(['x', 'y']);
    expect(Array.from(set.features)).toEqual([1, 2, 3.5, -400, 0, 0.5]);
    expect(set.labelNames).toEqual(['cat', 'dog']);
    expect(Array.from(set.labels!)).toEqual([0, 1, 0]);
  });

  it('keeps integer labels as they are and accepts a label column by index', () => {
    const set = parseCsv('5,1.5\n7,2.5\r\n5,3.5', { labelColumn: 0 });
    expect(set.columns).toEqual(['column1']);
    expect(Array.from(set.labels!)).toEqual([5, 7, 5]);
    expect(set.labelNames).toBeUndefined();
  });

  it('detects a header only when the first row is not all numbers', () => {
    expect(parseCsv('1,2\n3,4').shape).toEqual([2, 2]);
    expect(parseCsv('a,b\n3,4').shape).toEqual([1, 2]);
    expect(parseCsv('1,2\n3,4', { header: true }).columns).toEqual(['1', '2']);
  });

  it('handles quoted fields, BOM, blank lines, other delimiters and dropped columns', () => {
    const text = '\ufeffid;"name, full";"value ""v"""\n\n1;"a;b";2\n2;"multi\nline";3\n';
    const set = parseCsv(text, { delimiter: ';', labelColumn: 'name, full', dropColumns: ['id'] });
    expect(set.columns).toEqual(['value "v"']);
    expect(Array.from(set.features)).toEqual([2, 3]);
    expect(set.labelNames).toEqual(['a;b', 'multi\nline']);
  });

  it('names the line and column of ragged rows and bad cells', () => {
    expect(() => parseCsv('a,b\n1,2\n3\n', {}, 'f.csv')).toThrow('f.csv: line 3 has 1 fields, expected 2 like line 1');
    expect(() => parseCsv('a,b\n1,2\n3,x4\n', {}, 'f.csv')).toThrow('f.csv: line 3, column "b": "x4" is not a number');
    expect(() => parseCsv('a,b\n1,\n', {}, 'f.csv')).toThrow('f.csv: line 2, column "b": "" is not a number');
    expect(() => parseCsv('a,b\n1,NaN\n', {}, 'f.csv')).toThrow(/"NaN" is not a number/);
    expect(() => parseCsv('a,b\n1,0x10\n', {}, 'f.csv')).toThrow(/"0x10" is not a number/);
    expect(() => parseCsv('a,"b\n1,2\n', {}, 'f.csv')).toThrow('f.csv: line 1: a quoted field is never closed');
    // Line numbers count the newlines inside quoted fields.
    expect(() => parseCsv('a,b\n"1\n",2\n3,?\n', {}, 'f.csv')).toThrow(/line 4, column "b"/);
  });

  it('fails clearly for empty input, a header alone, unknown and bad label columns', () => {
    expect(() => parseCsv('', {}, 'e.csv')).toThrow('e.csv: the CSV file is empty');
    expect(() => parseCsv('\n\n  \n', {}, 'e.csv')).toThrow('e.csv: the CSV file is empty');
    expect(() => parseCsv('a,b\n', {}, 'h.csv')).toThrow('h.csv: the CSV file has a header but no data rows');
    expect(() => parseCsv('a,b\n1,2', { labelColumn: 'c' }, 'l.csv')).toThrow('l.csv: label column "c" is not a column; the columns are "a", "b"');
    expect(() => parseCsv('a,b\n1,2.5', { labelColumn: 'b' }, 'l.csv')).toThrow(/2\.5 is not an integer class/);
    expect(() => parseCsv('a,b\n1,', { labelColumn: 'b' }, 'l.csv')).toThrow(/line 2, label column "b" is empty/);
    expect(() => parseCsv('a\n1', { labelColumn: 'a' }, 'l.csv')).toThrow(/no feature columns are left/);
    expect(() => parseCsv('a\n1', { delimiter: '"' })).toThrow(/delimiter must be one character/);
  });

  it('survives thousands of random and mutated texts, throwing only Errors with messages', () => {
    const rng = new Rng(7);
    const alphabet = ['1', '2', '.', '-', 'e', ',', ',', '\n', '\r\n', '"', 'a', ' ', '9', '0', 'label'];
    const valid = 'x,y,label\n1,2,0\n3,4,1\n5.5,-6,0\n';
    let parsed = 0;
    for (let trial = 0; trial < 4000; trial++) {
      let text: string;
      if (trial % 2 === 0) {
        text = Array.from({ length: rng.int(40) }, () => alphabet[rng.int(alphabet.length)]).join('');
      } else {
        const chars = [...valid];
        for (let e = 0; e < 1 + rng.int(3); e++) chars.splice(rng.int(chars.length + 1), rng.int(2), alphabet[rng.int(alphabet.length)]!);
        text = chars.join('');
      }
      const options = rng.int(2) === 0 ? { labelColumn: 'label' } : {};
      try {
        const set = parseCsv(text, options, 'fuzz.csv');
        expect(set.features.length).toBe(set.shape[0] * set.shape[1]);
        expect(set.features.every((v) => Number.isFinite(v))).toBe(true);
        parsed++;
      } catch (err) {
        expect(err).toBeInstanceOf(Error);
        expect((err as Error).message).toMatch(/^fuzz\.csv: .{10,}/);
      }
    }
    expect(parsed).toBeGreaterThan(100);
  });
});

describe('loadCsv', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'genloom-csv-'));
    const rows = Array.from({ length: 500 }, (_, i) => `${i},${i * 2},${i % 3}`);
    await writeFile(join(dir, 'data.csv'), `a,b,label\n${rows.join('\n')}\n`);
    await writeFile(join(dir, 'latin1.csv'), Buffer.from([0x61, 0x0a, 0xe9, 0x0a]));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('loads a file and cuts a fixed, disjoint split of rows', async () => {
    const all = await loadCsv(join(dir, 'data.csv'), { labelColumn: 'label' });
    expect(all.shape).toEqual([500, 2]);
    const train = await loadCsv(join(dir, 'data.csv'), { labelColumn: 'label', split: 'train' });
    const test = await loadCsv(join(dir, 'data.csv'), { labelColumn: 'label', split: 'test', testFraction: 0.1 });
    expect(train.shape[0] + test.shape[0]).toBe(500);
    expect(test.shape[0]).toBeGreaterThan(25);
    expect(test.shape[0]).toBeLessThan(80);
    const ids = new Set([...train.features.filter((_, i) => i % 2 === 0), ...test.features.filter((_, i) => i % 2 === 0)]);
    expect(ids.size).toBe(500);
    const again = await loadCsv(join(dir, 'data.csv'), { labelColumn: 'label', split: 'test' });
    expect(Array.from(again.features)).toEqual(Array.from(test.features));
  });

  it('fails clearly for a missing file or non-UTF-8 bytes', async () => {
    await expect(loadCsv(join(dir, 'missing.csv'))).rejects.toThrow(/CSV file not found: .*missing\.csv/);
    await expect(loadCsv(join(dir, 'latin1.csv'))).rejects.toThrow(/latin1\.csv: not UTF-8 text/);
  });

  it('selects rows with their labels', () => {
    const set = parseCsv('a,l\n1,0\n2,1\n3,2', { labelColumn: 'l' });
    const picked = selectRows(set, [2, 0]);
    expect(Array.from(picked.features)).toEqual([3, 1]);
    expect(Array.from(picked.labels!)).toEqual([2, 0]);
    expect(() => selectRows(set, [3])).toThrow(/index 3 is outside 0..2/);
  });
});

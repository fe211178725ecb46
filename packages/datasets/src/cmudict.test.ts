import { beforeAll, describe, expect, it } from 'vitest';

import type { PairSet } from './cmudict.js';
import { cmudictPronunciations, loadCmudict } from './cmudict.js';

describe('loadCmudict', () => {
  let train: PairSet;
  let test: PairSet;
  beforeAll(async () => {
    [train, test] = await Promise.all([loadCmudict({ split: 'train' }), loadCmudict({ split: 'test' })]);
  });

  it('holds out ≈10% of the words, disjoint from the training words', () => {
    const total = train.pairs.length + test.pairs.length;
    expect(total).toBeGreaterThan(120_000);
    expect(test.pairs.length / total).toBeGreaterThan(0.09);
    expect(test.pairs.length / total).toBeLessThan(0.11);
    const trainWords = new Set(train.pairs.map((p) => p.source));
    expect(trainWords.size).toBe(train.pairs.length); // one pronunciation per word by default
    expect(test.pairs.some((p) => trainWords.has(p.source))).toBe(false);
  });

  it('pairs lower-case words with ARPAbet phonemes and shares the vocabularies', () => {
    const all = new Map([...train.pairs, ...test.pairs].map((p) => [p.source, p.target.join(' ')]));
    expect(all.get('abandon')).toBe('AH0 B AE1 N D AH0 N');
    expect(all.get('moby')).toBe('M OW1 B IY0');
    expect(train.targetSymbols).toEqual(test.targetSymbols);
    expect(train.targetSymbols).toHaveLength(69); // 15 vowels × 3 stresses + 24 consonants
    expect(train.sourceSymbols.join('')).toBe("'-.abcdefghijklmnopqrstuvwxyz");
    expect([...all.keys()].every((w) => /^[a-z][a-z'.-]*$/.test(w))).toBe(true);
  });

  it('drops stress marks to 39 phonemes and adds alternative pronunciations on request', async () => {
    const other = await loadCmudict({ split: 'test', stress: false, alternates: true });
    expect(other.targetSymbols).toHaveLength(39);
    expect(other.pairs.length).toBeGreaterThan(test.pairs.length);
    const words = new Set(test.pairs.map((p) => p.source));
    expect(other.pairs.every((p) => words.has(p.source))).toBe(true); // variants follow their word
    expect(other.pairs.every((p) => p.target.every((ph) => !/\d/.test(ph)))).toBe(true);
  });

  it('lists every pronunciation of each word of a split, the main entry first', async () => {
    const [trainProns, testProns] = await Promise.all([cmudictPronunciations({ split: 'train' }), cmudictPronunciations({ split: 'test' })]);
    expect(testProns.size).toBe(test.pairs.length);
    expect(test.pairs.every((p) => testProns.get(p.source)![0]!.join(' ') === p.target.join(' '))).toBe(true);
    const either = trainProns.get('either') ?? testProns.get('either');
    expect(either!.map((t) => t.join(' '))).toEqual(['IY1 DH ER0', 'AY1 DH ER0']); // EITHER, EITHER(1)
    expect((trainProns.get('read') ?? testProns.get('read'))!.map((t) => t.join(' '))).toEqual(['R EH1 D', 'R IY1 D']);
    const noStress = await cmudictPronunciations({ split: 'test', stress: false });
    expect([...noStress.values()].flat(2).some((ph) => /\d/.test(ph))).toBe(false);
  });

  it('rejects a bad split', async () => {
    await expect(loadCmudict({ split: 'dev' as never })).rejects.toThrow(/loadCmudict: split must be "train" or "test"/);
  });
});

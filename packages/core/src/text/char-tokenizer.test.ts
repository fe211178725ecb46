import { describe, expect, it } from 'vitest';
import { CharTokenizer } from './char-tokenizer.js';
import { TokenTextStream } from './tokenizer.js';
import { tokenizerFromJSON } from './tokenizer-registry.js';

describe('CharTokenizer', () => {
  const corpus = 'First Citizen:\nBefore we proceed any further, hear me speak.\n';

  it('builds the sorted unique characters of a corpus, like nanoGPT, and round-trips it', () => {
    const tok = CharTokenizer.fromCorpus(corpus);
    const expected = [...new Set(corpus)].sort();
    expect(tok.alphabet).toEqual(expected);
    expect(tok.vocabSize).toBe(expected.length + 1); // + <unk>
    expect(tok.specialIds).toEqual({ unk: expected.length });
    const ids = tok.encode(corpus);
    expect(ids).toBeInstanceOf(Int32Array);
    expect(Array.from(ids.subarray(0, 3))).toEqual([...'Fir'].map((c) => expected.indexOf(c)));
    expect(tok.decode(ids)).toBe(corpus);
  });

  it('treats a code point as one character and sorts by code point', () => {
    const tok = CharTokenizer.fromCorpus('b😀a\uFF01');
    expect(tok.alphabet).toEqual(['a', 'b', '\uFF01', '😀']); // U+FF01 < U+1F600 though its UTF-16 unit is larger
    expect(tok.encode('😀a').length).toBe(2);
    expect(tok.decode(tok.encode('a😀b'))).toBe('a😀b');
  });

  it('maps unknown characters to unk by default', () => {
    const tok = CharTokenizer.fromCorpus('abc');
    const ids = tok.encode('abXc');
    expect(Array.from(ids)).toEqual([0, 1, tok.specialIds.unk, 2]);
    expect(tok.decode(ids)).toBe('ab<unk>c');
    expect(tok.decode(ids, { skipSpecial: true })).toBe('abc');
  });

  it('throws naming the character and its position when asked to', () => {
    const tok = new CharTokenizer('ab😀c', { specialTokens: {}, onUnknown: 'throw' });
    expect(tok.vocabSize).toBe(4);
    expect(() => tok.encode('a😀bé')).toThrow(/unknown character "é" \(U\+00E9\) at index 4/);
  });

  it('rejects inconsistent set-ups with clear errors', () => {
    expect(() => new CharTokenizer('abc', { specialTokens: {} })).toThrow(/onUnknown: 'unk' needs the special token 'unk'/);
    expect(() => new CharTokenizer('aba')).toThrow(/"a" \(U\+0061\) twice/);
    expect(() => new CharTokenizer(['a', 'bc'])).toThrow(/entry 1 must be exactly one character/);
    expect(() => new CharTokenizer('ab', { specialTokens: { eos: '<s>', bos: '<s>', unk: '?' } })).toThrow(/both "<s>"/);
    expect(() => new CharTokenizer('ab', { specialTokens: { sep: '|' } as never })).toThrow(/unknown special token role 'sep'/);
    expect(() => CharTokenizer.fromCorpus('ab').decode([0, 7])).toThrow(/token id 7 is outside the vocabulary \[0, 3\)/);
  });

  it('handles seq2seq special tokens: ids after the alphabet, bos/eos, literal text unless allowSpecial', () => {
    const tok = CharTokenizer.fromCorpus('abc<>/', { specialTokens: { pad: '<pad>', bos: '<s>', eos: '</s>', unk: '<unk>' } });
    expect(tok.specialIds).toEqual({ pad: 6, bos: 7, eos: 8, unk: 9 });
    expect(Array.from(tok.encode('ab', { addBos: true, addEos: true }))).toEqual([7, 3, 4, 8]);
    expect(tok.encode('<s>a').length).toBe(4); // literal: '<', 's' (unknown → unk), '>', 'a'
    expect(Array.from(tok.encode('<s>a</s>', { allowSpecial: true }))).toEqual([7, 3, 8]);
    expect(tok.idToToken(6)).toBe('<pad>');
    expect(() => CharTokenizer.fromCorpus('ab').encode('a', { addEos: true })).toThrow(/addEos needs the special token 'eos'/);
  });

  it('serialises through JSON and tokenizerFromJSON', () => {
    const tok = CharTokenizer.fromCorpus(corpus + '😀', { specialTokens: { eos: '<eos>', unk: '<unk>' } });
    const again = tokenizerFromJSON(JSON.parse(JSON.stringify(tok.toJSON())));
    expect(again).toBeInstanceOf(CharTokenizer);
    expect(again.vocabSize).toBe(tok.vocabSize);
    expect(again.specialIds).toEqual(tok.specialIds);
    expect(Array.from(again.encode(corpus + 'Z😀'))).toEqual(Array.from(tok.encode(corpus + 'Z😀')));
    expect(() => CharTokenizer.fromJSON({ ...tok.toJSON(), version: 2 as 1 })).toThrow(/unsupported format version 2/);
  });

  it('streams text token by token', () => {
    const tok = CharTokenizer.fromCorpus('héllo 😀');
    const stream = new TokenTextStream(tok);
    let text = '';
    for (const id of tok.encode('😀 héllo')) text += stream.push(id);
    expect(text + stream.flush()).toBe('😀 héllo');
  });
});

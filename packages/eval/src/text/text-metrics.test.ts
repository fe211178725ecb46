import { describe, expect, it } from 'vitest';
import { bleuFromCounts, corpusBleu, tokenize13a } from './bleu.js';
import { corpusChrf, sentenceChrf } from './chrf.js';
import { characterErrorRate, editCounts, levenshtein, phonemeErrorRate, pronunciationErrorRates, wordErrorRate } from './edit-distance.js';

// Expected values published by sacreBLEU (github.com/mjpost/sacrebleu): README.md ("Using
// SacreBLEU from Python": BLEU = 48.53 82.4/50.0/45.5/37.5 (BP = 0.943 ratio = 0.944 hyp_len = 17
// ref_len = 18), chrF2 = 59.73) and test/test_bleu.py, test/test_chrf.py.
const refs = [
  ['The dog bit the man.', 'It was not unexpected.', 'The man bit him first.'],
  ['The dog had bit the man.', 'No one was surprised.', 'The man had bitten the dog.'],
];
const hyps = ['The dog bit the man.', "It wasn't surprising.", 'The man had just bitten him.'];

describe('BLEU (sacreBLEU-compatible)', () => {
  it('reproduces the README example: score, precisions, BP, lengths and signature', () => {
    const r = corpusBleu(hyps, refs);
    expect(r.score).toBeCloseTo(48.530827, 5); // test_bleu.py test_corpus_bleu_cases
    expect(r.precisions.map((p) => Number(p.toFixed(1)))).toEqual([82.4, 50.0, 45.5, 37.5]);
    expect(r.bp).toBeCloseTo(0.943, 3);
    expect(r.hypLen).toBe(17);
    expect(r.refLen).toBe(18);
    expect(r.signature).toBe('nrefs:2|case:mixed|eff:no|tok:13a|smooth:exp|version:genloom-eval-0.1.0');
  });

  it('matches test_bleu.py for other tokenisations, smoothing and empty hypotheses', () => {
    expect(corpusBleu(hyps, refs, { tokenize: 'none' }).score).toBeCloseTo(49.1919566, 5);
    expect(corpusBleu(hyps, refs, { smoothMethod: 'none' }).score).toBeCloseTo(48.530827, 5);
    expect(corpusBleu(['', '', ''], refs).score).toBe(0);
  });

  it('matches raw_corpus_bleu cases (floor 0.01, effective order, no tokenisation)', () => {
    const raw = (h: string[], r: string[]) => corpusBleu(h, [r], { tokenize: 'none', smoothMethod: 'floor', smoothValue: 0.01, effectiveOrder: true }).score / 100;
    expect(raw(['this is a test', 'another test'], ['ref1', 'ref2'])).toBeCloseTo(0.003799178428257963, 10);
    expect(raw(['this is a test'], ['this is a test'])).toBeCloseTo(1.0, 10);
    expect(raw(['this is a fest'], ['this is a test'])).toBeCloseTo(0.223606797749979, 10);
    expect(raw(['test'], ['a test'])).toBeCloseTo(0.3678794411714425, 10);
    expect(raw(['a little test'], ['a test'])).toBeCloseTo(0.03218297948685433, 10);
    const stats = corpusBleu(['am I am a character sequence'], [['I am a symbol string sequence a a']], { tokenize: 'none', smoothMethod: 'floor', smoothValue: 0.01, effectiveOrder: true });
    expect(stats.counts).toEqual([4, 2, 1, 0]);
    expect(stats.totals).toEqual([6, 5, 4, 3]);
    const floor = (v: number) => corpusBleu(['am I am a character sequence'], [['I am a symbol string sequence a a']], { tokenize: 'none', smoothMethod: 'floor', smoothValue: v, effectiveOrder: true });
    expect(floor(0.1).score / 100).toBeCloseTo(0.1555722182, 9);
    expect(floor(0).score).toBe(0);
  });

  it('scores pooled statistics as compute_bleu does, including degenerate ones', () => {
    expect(bleuFromCounts([9, 7, 5, 3], [10, 8, 6, 4], 11, 11).score / 100).toBeCloseTo(0.8375922397, 9);
    expect(bleuFromCounts([0, 0, 0, 0], [4, 4, 2, 1], 0, 1, { smoothMethod: 'floor', smoothValue: 0 }).score).toBe(0);
    expect(bleuFromCounts([6, 5, 4, 0], [6, 5, 4, 3], 6, 6, { smoothMethod: 'floor', smoothValue: 0 }).score).toBe(0);
    expect(bleuFromCounts([0, 0, 0, 0], [0, 0, 0, 0], 1, 5, { smoothMethod: 'floor', smoothValue: 0.01 }).score).toBe(0);
  });

  it('tokenises like mteval-v13a', () => {
    expect(tokenize13a("It wasn't surprising.")).toBe("It wasn't surprising .");
    expect(tokenize13a('costs 3,000.50 in 2019-20 (approx.)')).toBe('costs 3,000.50 in 2019 - 20 ( approx . )');
    expect(tokenize13a('a &amp; b &quot;c&quot;')).toBe('a & b " c "');
    expect(tokenize13a('  spaces\tand\nlines ')).toBe('spaces and lines');
  });

  it('records settings in the signature and rejects bad input', () => {
    expect(corpusBleu(hyps, refs, { smoothMethod: 'floor', lowercase: true }).signature).toContain('case:lc|eff:no|tok:13a|smooth:floor[0.10]');
    expect(corpusBleu(hyps, [['', refs[0]![1]!, refs[0]![2]!], refs[1]!]).signature).toMatch(/^nrefs:var/);
    expect(() => corpusBleu(hyps, [refs[0]!.slice(0, 2)])).toThrow(/stream 0 has 2 segments but there are 3/);
  });
});

describe('chrF (sacreBLEU-compatible)', () => {
  it('reproduces chrF2 = 59.73 of the README example and its signature', () => {
    const r = corpusChrf(hyps, refs);
    expect(r.score).toBeCloseTo(59.73, 2);
    expect(r.signature).toBe('nrefs:2|case:mixed|eff:yes|nc:6|nw:0|space:no|version:genloom-eval-0.1.0');
  });

  it('matches test_chrf.py sentence-level values (β = 2, ε smoothing)', () => {
    const cases: Array<[string, string, number]> = [
      ['Co nás nejvíc trápí, protože lékaři si vybírají, kdo bude žít a kdo zemře.', 'Nejvíce smutní jsme z toho, že musíme rozhodovat o tom, kdo bude žít a kdo zemře.', 39.14078509],
      ['Nebo prostě nemají vybavení, které by jim pomohlo, uvedli lékaři.', 'A někdy nemáme ani potřebný materiál, abychom jim pomohli, popsali lékaři.', 31.22557079],
      ['Lapali po dechu, jejich životy skončily dřív, než skutečně začaly.', 'Lapali po dechu a pak jejich život skončil - dřív, než skutečně mohl začít, připomněli.', 57.15704367],
    ];
    for (const [h, r, want] of cases) expect(Math.abs(sentenceChrf(h, [r], { epsSmoothing: true }).score - want)).toBeLessThan(1e-4);
  });

  it('matches test_chrf.py corpus cases (β = 3) with and without ε smoothing and with whitespace kept', () => {
    const eps: Array<[string[], string[], number]> = [
      [['abcdefg'], ['hijklmnop'], 0],
      [[''], ['ref'], 0],
      [['aa'], ['ab'], 8.3333],
      [['a', 'b'], ['a', 'c'], 8.3333],
      [['a'], ['a'], 16.6667],
      [['a b c'], ['abc'], 50],
      [[' risk assessment must be made of those who are qualified and expertise in the sector - these are the scientists .'], ['risk assessment has to be undertaken by those who are qualified and expert in that area - that is the scientists .'], 63.36173],
      [[' Die    Beziehung zwischen  Obama und Netanjahu ist nicht gerade  freundlich. '], ['Das Verhältnis zwischen Obama und Netanyahu ist nicht gerade freundschaftlich.'], 64.1302698],
      [['Niemand hat die Absicht, eine Mauer zu errichten'], ['Niemand hat die Absicht, eine Mauer zu errichten'], 100],
    ];
    for (const [h, r, want] of eps) expect(Math.abs(corpusChrf(h, [r], { beta: 3, epsSmoothing: true }).score - want)).toBeLessThan(1e-4);
    const eff: Array<[string[], string[], number]> = [
      [['a'], ['a'], 100],
      [[''], ['reference'], 0],
      [['a b c'], ['abc'], 100],
      [['a', 'b'], ['a', 'c'], 50],
      [['aa'], ['ab'], 25],
    ];
    for (const [h, r, want] of eff) expect(Math.abs(corpusChrf(h, [r], { beta: 3 }).score - want)).toBeLessThan(1e-4);
    const ws = corpusChrf(['Die Beziehung zwischen Obama und Netanjahu ist nicht gerade freundlich.'], [['Das Verhältnis zwischen Obama und Netanyahu ist nicht gerade freundschaftlich.']], { beta: 3, whitespace: true });
    expect(Math.abs(ws.score - 67.3481606)).toBeLessThan(1e-4);
  });
});

describe('edit distances and error rates', () => {
  it('computes Levenshtein distances and their edit operations on hand examples', () => {
    expect(levenshtein('kitten', 'sitting')).toBe(3);
    expect(levenshtein('', 'abc')).toBe(3);
    expect(levenshtein('flaw', 'lawn')).toBe(2);
    expect(editCounts('kitten', 'sitting')).toEqual({ distance: 3, substitutions: 2, deletions: 0, insertions: 1, referenceLength: 6 });
    expect(editCounts('abc', '')).toEqual({ distance: 3, substitutions: 0, deletions: 3, insertions: 0, referenceLength: 3 });
  });

  it('gives corpus CER, WER and PER as total edits over total reference length', () => {
    expect(characterErrorRate('kitten', 'sitting').rate).toBeCloseTo(0.5, 12);
    // 1 deletion in 6 words + 1 substitution in 3 words = 2/9
    const wer = wordErrorRate(['the cat sat on the mat', 'hello big world'], ['the cat sat on mat', 'hello small world']);
    expect(wer.rate).toBeCloseTo(2 / 9, 12);
    expect([wer.substitutions, wer.deletions, wer.insertions]).toEqual([1, 1, 0]);
    expect(phonemeErrorRate(['HH AH0 L OW1'], [['HH', 'EH1', 'L', 'OW1']]).rate).toBe(0.25);
    expect(characterErrorRate('né', 'ne').rate).toBe(0.5); // code points, not bytes
    expect(() => wordErrorRate([''], ['x'])).toThrow(/references are empty/);
  });

  it('scores g2p output against every listed pronunciation, the closest one for PER', () => {
    // "either" has two pronunciations and the hypothesis is the second; "cat" has one substitution
    // (3 phonemes); "read" is one deletion from its 3-phoneme first pronunciation, three from the other.
    const refs = [['IY1 DH ER0', 'AY1 DH ER0'], ['K AE1 T'], ['R IY1 D', 'R EH1 D Z']];
    const r = pronunciationErrorRates(refs, ['AY1 DH ER0', 'K AH0 T', 'R IY1']);
    expect(r).toEqual({ wer: 2 / 3, per: 2 / 9, words: 3, wordErrors: 2, edits: 2, referenceLength: 9 });
    // With a single reference per word (the first) "either" would be wrong: 1 substitution more.
    expect(phonemeErrorRate(refs.map((x) => x[0]!), ['AY1 DH ER0', 'K AH0 T', 'R IY1']).rate).toBeCloseTo(3 / 9, 12);
    // Stress only: right once the digits are ignored, wrong otherwise.
    expect(pronunciationErrorRates([['K AE1 T']], [['K', 'AE2', 'T']]).wer).toBe(1);
    expect(pronunciationErrorRates([['K AE1 T']], [['K', 'AE2', 'T']], { ignoreStress: true })).toMatchObject({ wer: 0, per: 0 });
    expect(() => pronunciationErrorRates([['K AE1 T']], [])).toThrow(/1 reference sets but 0 hypotheses/);
    expect(() => pronunciationErrorRates([[]], ['K'])).toThrow(/word 0 has no reference/);
  });
});

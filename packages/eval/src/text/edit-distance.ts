/**
 * Edit distances and the error rates built on them: character (CER), word (WER) and phoneme (PER)
 * error rates, corpus-level: total edits over total reference length.
 */

/** The edits of a minimum-cost alignment of a hypothesis to a reference. */
export interface EditCounts {
  /** Levenshtein distance = substitutions + deletions + insertions. */
  distance: number;
  substitutions: number;
  /** Reference tokens missing from the hypothesis. */
  deletions: number;
  /** Hypothesis tokens not in the reference. */
  insertions: number;
  /** Reference length. */
  referenceLength: number;
}

/**
 * Levenshtein distance between two sequences (strings compare by UTF-16 code unit; use
 * `Array.from(s)` for code points), with the alignment's substitutions, deletions and insertions.
 * Among minimum-cost alignments it prefers substitutions, then deletions, then insertions.
 *
 * @example
 * ```ts
 * editCounts('kitten', 'sitting'); // { distance: 3, substitutions: 2, deletions: 0, insertions: 1, referenceLength: 6 }
 * editCounts(['HH', 'AH0'], ['HH', 'EH1', 'L']); // 1 substitution + 1 insertion
 * ```
 */
export function editCounts<T>(reference: ArrayLike<T>, hypothesis: ArrayLike<T>): EditCounts {
  const n = reference.length;
  const m = hypothesis.length;
  // cost[i][j]: edits turning reference[:i] into hypothesis[:j]; kept whole for the backtrace.
  const w = m + 1;
  const cost = new Int32Array((n + 1) * w);
  for (let j = 0; j <= m; j++) cost[j] = j;
  for (let i = 1; i <= n; i++) {
    cost[i * w] = i;
    const r = reference[i - 1];
    for (let j = 1; j <= m; j++) {
      const sub = cost[(i - 1) * w + j - 1]! + (r === hypothesis[j - 1] ? 0 : 1);
      const del = cost[(i - 1) * w + j]! + 1;
      const ins = cost[i * w + j - 1]! + 1;
      cost[i * w + j] = Math.min(sub, del, ins);
    }
  }
  let substitutions = 0;
  let deletions = 0;
  let insertions = 0;
  let i = n;
  let j = m;
  while (i > 0 || j > 0) {
    const here = cost[i * w + j]!;
    if (i > 0 && j > 0) {
      const same = reference[i - 1] === hypothesis[j - 1];
      if (cost[(i - 1) * w + j - 1]! + (same ? 0 : 1) === here) {
        if (!same) substitutions++;
        i--;
        j--;
        continue;
      }
    }
    if (i > 0 && cost[(i - 1) * w + j]! + 1 === here) {
      deletions++;
      i--;
    } else {
      insertions++;
      j--;
    }
  }
  return { distance: cost[n * w + m]!, substitutions, deletions, insertions, referenceLength: n };
}

/**
 * Levenshtein distance between two sequences, in O(min(n, m)) memory.
 *
 * @example
 * ```ts
 * levenshtein('kitten', 'sitting'); // 3
 * ```
 */
export function levenshtein<T>(a: ArrayLike<T>, b: ArrayLike<T>): number {
  if (a.length < b.length) [a, b] = [b, a];
  let prev = new Int32Array(b.length + 1);
  let curr = new Int32Array(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    curr[0] = i;
    const x = a[i - 1];
    for (let j = 1; j <= b.length; j++) {
      curr[j] = Math.min(prev[j - 1]! + (x === b[j - 1] ? 0 : 1), prev[j]! + 1, curr[j - 1]! + 1);
    }
    [prev, curr] = [curr, prev];
  }
  return prev[b.length]!;
}

/** A corpus error rate with its edit counts. */
export interface ErrorRateResult extends Omit<EditCounts, 'referenceLength'> {
  /** Total edits / total reference tokens (can exceed 1 with many insertions). */
  rate: number;
  referenceLength: number;
}

function corpusRate<T>(references: ArrayLike<T>[], hypotheses: ArrayLike<T>[], what: string): ErrorRateResult {
  if (references.length !== hypotheses.length) throw new Error(`${what}: ${references.length} references but ${hypotheses.length} hypotheses`);
  const total = { distance: 0, substitutions: 0, deletions: 0, insertions: 0, referenceLength: 0 };
  for (let k = 0; k < references.length; k++) {
    const c = editCounts(references[k]!, hypotheses[k]!);
    total.distance += c.distance;
    total.substitutions += c.substitutions;
    total.deletions += c.deletions;
    total.insertions += c.insertions;
    total.referenceLength += c.referenceLength;
  }
  if (total.referenceLength === 0) throw new Error(`${what}: the references are empty; the rate is undefined`);
  return { ...total, rate: total.distance / total.referenceLength };
}

const asList = <T>(x: T | T[]): T[] => (Array.isArray(x) ? x : [x]);
const words = (s: string) => s.trim().split(/\s+/).filter((t) => t.length > 0);

/**
 * Character error rate over Unicode code points: total character edits / total reference characters.
 *
 * @example
 * ```ts
 * characterErrorRate('kitten', 'sitting').rate; // 0.5
 * ```
 */
export function characterErrorRate(references: string | string[], hypotheses: string | string[]): ErrorRateResult {
  return corpusRate(asList(references).map((s) => Array.from(s)), asList(hypotheses).map((s) => Array.from(s)), 'characterErrorRate');
}

/**
 * Word error rate: total word edits / total reference words, words split on whitespace.
 *
 * @example
 * ```ts
 * wordErrorRate('the cat sat', 'the cat sat down').rate; // 1/3
 * ```
 */
export function wordErrorRate(references: string | string[], hypotheses: string | string[]): ErrorRateResult {
  return corpusRate(asList(references).map(words), asList(hypotheses).map(words), 'wordErrorRate');
}

/**
 * Phoneme error rate: phoneme edits / reference phonemes. Each pronunciation is an array of
 * phoneme symbols or a space-separated string (CMUdict style: "HH AH0 L OW1").
 *
 * @example
 * ```ts
 * phonemeErrorRate(['HH AH0 L OW1'], ['HH EH1 L OW1']).rate; // 0.25
 * ```
 */
export function phonemeErrorRate(references: Array<string | string[]>, hypotheses: Array<string | string[]>): ErrorRateResult {
  const toPhones = (p: string | string[]) => (typeof p === 'string' ? words(p) : p);
  return corpusRate(references.map(toPhones), hypotheses.map(toPhones), 'phonemeErrorRate');
}

/** What {@link pronunciationErrorRates} returns. */
export interface PronunciationErrorRates {
  /** Share of words whose hypothesis equals none of their listed pronunciations. */
  wer: number;
  /** Phoneme edits to the closest listed pronunciation / phonemes of those closest pronunciations. */
  per: number;
  words: number;
  wordErrors: number;
  /** Total phoneme edits (to the closest pronunciation of each word). */
  edits: number;
  /** Total phonemes of the closest pronunciations. */
  referenceLength: number;
}

/**
 * Word and phoneme error rates of grapheme-to-phoneme output when a word may have several correct
 * pronunciations (CMUdict lists `either` as `IY1 DH ER0` and `AY1 DH ER0`): a word is right when
 * its hypothesis equals any of them, and its phoneme edits are counted against the closest one —
 * the usual way g2p results on CMUdict are scored. `ignoreStress` drops the stress digit of
 * vowels on both sides first (`AH0` → `AH`), for comparison with results on the 39-phoneme set.
 *
 * @example
 * ```ts
 * const r = pronunciationErrorRates([['IY1 DH ER0', 'AY1 DH ER0'], ['K AE1 T']], ['AY1 DH ER0', 'K AH0 T']);
 * r.wer; // 0.5: "either" matches its second pronunciation, "cat" has one substitution
 * r.per; // 1 / 6
 * pronunciationErrorRates([['K AE1 T']], ['K AE2 T'], { ignoreStress: true }).wer; // 0
 * ```
 */
export function pronunciationErrorRates(
  references: ReadonlyArray<ReadonlyArray<string | readonly string[]>>,
  hypotheses: ReadonlyArray<string | readonly string[]>,
  opts: { ignoreStress?: boolean } = {},
): PronunciationErrorRates {
  if (references.length !== hypotheses.length) throw new Error(`pronunciationErrorRates: ${references.length} reference sets but ${hypotheses.length} hypotheses`);
  const phones = (p: string | readonly string[]) => {
    const list = typeof p === 'string' ? words(p) : [...p];
    return opts.ignoreStress ? list.map((s) => s.replace(/[012]$/, '')) : list;
  };
  let wordErrors = 0;
  let edits = 0;
  let referenceLength = 0;
  for (let k = 0; k < references.length; k++) {
    const options = references[k]!;
    if (options.length === 0) throw new Error(`pronunciationErrorRates: word ${k} has no reference pronunciation`);
    const hypothesis = phones(hypotheses[k]!);
    let best = { distance: Infinity, length: 0 };
    for (const option of options) {
      const reference = phones(option);
      const distance = levenshtein(reference, hypothesis);
      if (distance < best.distance) best = { distance, length: reference.length };
    }
    if (best.distance > 0) wordErrors++;
    edits += best.distance;
    referenceLength += best.length;
  }
  if (referenceLength === 0) throw new Error('pronunciationErrorRates: the references are empty; the rate is undefined');
  return { wer: wordErrors / references.length, per: edits / referenceLength, words: references.length, wordErrors, edits, referenceLength };
}

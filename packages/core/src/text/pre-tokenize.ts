/**
 * Pre-tokenization: cutting text into pieces (words, runs of spaces, punctuation) before byte-level
 * BPE, so merges never cross a word boundary. The pieces always join back to the exact text: text
 * the pattern does not match becomes a piece of its own, and cuts fall only between code points.
 */

/**
 * How to cut text before BPE: `'gpt2'` (GPT-2's pattern: contractions, words with their leading
 * space, numbers, punctuation runs, whitespace), `'none'` (the whole text is one piece), or a regular
 * expression given as its source (and flags; `g` and `u` are always added).
 */
export type PreTokenizerSpec = 'gpt2' | 'none' | { pattern: string; flags?: string };

/**
 * GPT-2's pre-tokenizer pattern. `\s+(?!\S)` leaves the last space of a run to the next word, so
 * `'a  b'` → `'a'`, `' '`, `' b'`.
 */
export const GPT2_PRETOKENIZE_PATTERN = String.raw`'(?:[sdmt]|ll|ve|re)| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`;

/**
 * Checks a {@link PreTokenizerSpec} and returns the regular expression it stands for (null for
 * `'none'`), with a clear error for anything else.
 *
 * @example
 * ```ts
 * compilePreTokenizer('gpt2');                  // /'(?:[sdmt]|ll|ve|re)| ?\p{L}+|…/gu
 * compilePreTokenizer({ pattern: '\\S+|\\s+' });  // /\S+|\s+/gu
 * ```
 */
export function compilePreTokenizer(spec: PreTokenizerSpec): RegExp | null {
  if (spec === 'none') return null;
  if (spec === 'gpt2') return new RegExp(GPT2_PRETOKENIZE_PATTERN, 'gu');
  if (typeof spec === 'object' && spec !== null && typeof spec.pattern === 'string') {
    const flags = new Set([...(spec.flags ?? ''), 'g', 'u']);
    flags.delete('y');
    try {
      return new RegExp(spec.pattern, [...flags].join(''));
    } catch (e) {
      throw new Error(`preTokenize: invalid pattern ${JSON.stringify(spec.pattern)}: ${(e as Error).message}`);
    }
  }
  throw new Error(`preTokenize must be 'gpt2', 'none' or { pattern, flags? }, got ${JSON.stringify(spec)}`);
}

/**
 * Cuts `text` into pieces whose concatenation is exactly `text`.
 *
 * @example
 * ```ts
 * preTokenize("Hello, world! It's 2024.", 'gpt2');
 * // ['Hello', ',', ' world', '!', ' It', "'s", ' 2024', '.']
 * ```
 */
export function preTokenize(text: string, spec: PreTokenizerSpec | RegExp | null): string[] {
  const re = spec instanceof RegExp || spec === null ? spec : compilePreTokenizer(spec);
  if (re === null) return text.length ? [text] : [];
  const pieces: string[] = [];
  re.lastIndex = 0;
  let end = 0; // end of the text already handed out as pieces
  for (;;) {
    const m = re.exec(text);
    if (m === null) break;
    if (m[0].length === 0) {
      // An empty match: step over one code point (never into a surrogate pair) and go on.
      if (m.index >= text.length) break;
      re.lastIndex = m.index + (text.codePointAt(m.index)! > 0xffff ? 2 : 1);
      continue;
    }
    if (m.index > end) pieces.push(text.slice(end, m.index));
    pieces.push(m[0]);
    end = m.index + m[0].length;
  }
  if (end < text.length) pieces.push(text.slice(end));
  return pieces;
}

/**
 * Tokenizers for sequence-to-sequence tasks. Grapheme-to-phoneme: letters in (one character a
 * token), ARPAbet phonemes out (one phoneme a token, `AH0` included). Other pairs (translation,
 * correction): characters on both sides.
 */
import { CharTokenizer, type SpecialTokens } from '@genloom/core';
import type { Seq2SeqTokenizers } from './seq2seq.js';
import { SymbolTokenizer } from './symbol-tokenizer.js';

/** The special tokens of seq2seq vocabularies: padding, start and end of a sequence, unknown. */
export const SEQ2SEQ_SPECIAL_TOKENS: SpecialTokens = { pad: '<pad>', bos: '<s>', eos: '</s>', unk: '<unk>' };

/**
 * Source and target tokenizers of grapheme-to-phoneme data (a `PairSet` from `loadCmudict`): the
 * source characters and the target phonemes, each followed by pad, bos, eos and unk.
 *
 * @example
 * ```ts
 * const { source, target } = g2pTokenizers(await loadCmudict());
 * source.vocabSize; // 29 letters and marks + 4 special tokens
 * target.encode('HH AH0 L OW1').length; // 4
 * ```
 */
export function g2pTokenizers(data: { sourceSymbols: readonly string[]; targetSymbols: readonly string[] }): Seq2SeqTokenizers {
  return {
    source: new CharTokenizer(data.sourceSymbols, { specialTokens: SEQ2SEQ_SPECIAL_TOKENS }),
    target: SymbolTokenizer.fromSymbols(data.targetSymbols, { specialTokens: SEQ2SEQ_SPECIAL_TOKENS }),
  };
}

/**
 * Character tokenizers for text pairs (a TSV of sentence → translation, or text → correction): each
 * side's vocabulary is the characters it uses, followed by pad, bos, eos and unk.
 *
 * @example
 * ```ts
 * const { source, target } = charPairTokenizers([{ source: 'teh cat', target: 'the cat' }]);
 * ```
 */
export function charPairTokenizers(pairs: ReadonlyArray<{ source: string; target: string }>): Seq2SeqTokenizers {
  return {
    source: CharTokenizer.fromCorpus(pairs.map((p) => p.source), { specialTokens: SEQ2SEQ_SPECIAL_TOKENS }),
    target: CharTokenizer.fromCorpus(pairs.map((p) => p.target), { specialTokens: SEQ2SEQ_SPECIAL_TOKENS }),
  };
}

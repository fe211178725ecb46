import { SpecialVocabulary } from './special-tokens.js';
import { checkTokenId } from './tokenizer.js';
import type { DecodeOptions, EncodeOptions, SpecialTokenIds, SpecialTokens, Tokenizer } from './tokenizer.js';

/** What {@link CharTokenizer.encode} does with a character outside its alphabet. */
export type UnknownCharPolicy = 'unk' | 'throw';

/** Options of {@link CharTokenizer}. */
export interface CharTokenizerOptions {
  /**
   * Special tokens, given ids after the alphabet. Default `{ unk: '<unk>' }`; pass `{}` (with
   * `onUnknown: 'throw'`) for exactly nanoGPT's vocabulary.
   */
  specialTokens?: SpecialTokens;
  /** `'unk'` (default) maps an unknown character to the unk id; `'throw'` names it in an error. */
  onUnknown?: UnknownCharPolicy;
}

/** The JSON form of a {@link CharTokenizer}. */
export interface CharTokenizerJSON {
  type: 'char';
  version: 1;
  /** One character (code point) per id, in id order. */
  alphabet: string[];
  specialTokens: SpecialTokens;
  onUnknown: UnknownCharPolicy;
}

const WHERE = 'CharTokenizer';
const utf8 = new TextEncoder();

function describeChar(ch: string): string {
  const cp = ch.codePointAt(0)!;
  return `${JSON.stringify(ch)} (U+${cp.toString(16).toUpperCase().padStart(4, '0')})`;
}

/**
 * One token per character (Unicode code point, so an emoji is one token, not two surrogates).
 * Built from a corpus it has nanoGPT's vocabulary: the corpus's unique characters sorted by code
 * point, ids 0..n-1, then the special tokens.
 *
 * @example
 * ```ts
 * const tok = CharTokenizer.fromCorpus(text);          // unknown characters → <unk>
 * tok.decode(tok.encode('To be')) === 'To be';         // true when every character is known
 * const strict = new CharTokenizer('abc', { specialTokens: {}, onUnknown: 'throw' });
 * strict.encode('abd'); // Error: unknown character "d" (U+0064) at index 2
 * ```
 */
export class CharTokenizer implements Tokenizer {
  readonly type = 'char' as const;
  readonly vocabSize: number;
  readonly specialTokens: Readonly<SpecialTokens>;
  readonly specialIds: Readonly<SpecialTokenIds>;
  readonly onUnknown: UnknownCharPolicy;
  private readonly chars: readonly string[];
  private readonly idOf = new Map<number, number>();
  private readonly specials: SpecialVocabulary;
  private readonly unkId: number;

  /**
   * @param alphabet the characters, in id order: a string (split into code points) or a list of
   *   single characters; each must appear once.
   */
  constructor(alphabet: string | Iterable<string>, options: CharTokenizerOptions = {}) {
    const chars = typeof alphabet === 'string' ? Array.from(alphabet) : [...alphabet];
    chars.forEach((ch, i) => {
      if (typeof ch !== 'string' || Array.from(ch).length !== 1) {
        throw new Error(`${WHERE}: alphabet entry ${i} must be exactly one character, got ${JSON.stringify(ch)}`);
      }
      const cp = ch.codePointAt(0)!;
      const before = this.idOf.get(cp);
      if (before !== undefined) {
        throw new Error(`${WHERE}: alphabet has ${describeChar(ch)} twice (entries ${before} and ${i})`);
      }
      this.idOf.set(cp, i);
    });
    this.chars = Object.freeze(chars);
    this.onUnknown = options.onUnknown ?? 'unk';
    if (this.onUnknown !== 'unk' && this.onUnknown !== 'throw') {
      throw new Error(`${WHERE}: onUnknown must be 'unk' or 'throw', got ${JSON.stringify(this.onUnknown)}`);
    }
    this.specials = new SpecialVocabulary(options.specialTokens ?? { unk: '<unk>' }, chars.length, WHERE);
    this.specialTokens = this.specials.tokens;
    this.specialIds = this.specials.ids;
    this.vocabSize = chars.length + this.specials.size;
    this.unkId = this.onUnknown === 'unk' ? this.specials.require('unk', "onUnknown: 'unk'", WHERE) : -1;
  }

  /**
   * A tokenizer whose alphabet is every character of `corpus`, sorted by code point (nanoGPT's
   * `sorted(set(text))`).
   *
   * @example
   * ```ts
   * const tok = CharTokenizer.fromCorpus('hello'); // alphabet e, h, l, o; then <unk>
   * tok.vocabSize; // 5
   * ```
   */
  static fromCorpus(corpus: string | Iterable<string>, options: CharTokenizerOptions = {}): CharTokenizer {
    const seen = new Set<number>();
    for (const doc of typeof corpus === 'string' ? [corpus] : corpus) {
      for (const ch of doc) seen.add(ch.codePointAt(0)!);
    }
    const sorted = [...seen].sort((a, b) => a - b).map((cp) => String.fromCodePoint(cp));
    return new CharTokenizer(sorted, options);
  }

  /**
   * Rebuilds a tokenizer from {@link CharTokenizer.toJSON}.
   *
   * @example
   * ```ts
   * const again = CharTokenizer.fromJSON(JSON.parse(JSON.stringify(tok.toJSON())));
   * ```
   */
  static fromJSON(json: CharTokenizerJSON): CharTokenizer {
    if (json?.type !== 'char') throw new Error(`${WHERE}.fromJSON: expected type 'char', got ${JSON.stringify(json?.type)}`);
    if (json.version !== 1) throw new Error(`${WHERE}.fromJSON: unsupported format version ${JSON.stringify(json.version)} (this genloom reads version 1)`);
    if (!Array.isArray(json.alphabet)) throw new Error(`${WHERE}.fromJSON: 'alphabet' must be an array of characters`);
    return new CharTokenizer(json.alphabet, { specialTokens: json.specialTokens ?? {}, onUnknown: json.onUnknown });
  }

  /** The characters in id order (special tokens excluded). @example `tok.alphabet.join('')` */
  get alphabet(): readonly string[] {
    return this.chars;
  }

  /**
   * Ids of the characters of `text`.
   *
   * @example
   * ```ts
   * tok.encode('hi', { addEos: true }); // needs an eos special token
   * ```
   */
  encode(text: string, options: EncodeOptions = {}): Int32Array {
    const out: number[] = [];
    let index = 0; // UTF-16 index into `text`, for error messages
    for (const segment of this.specials.split(text, options.allowSpecial ?? false)) {
      if (typeof segment === 'number') {
        out.push(segment);
        index += this.specials.stringOf(segment)!.length;
        continue;
      }
      for (const ch of segment) {
        const id = this.idOf.get(ch.codePointAt(0)!);
        if (id !== undefined) out.push(id);
        else if (this.unkId >= 0) out.push(this.unkId);
        else throw new Error(`${WHERE}.encode: unknown character ${describeChar(ch)} at index ${index}; it is not in the ${this.chars.length}-character alphabet`);
        index += ch.length;
      }
    }
    return this.specials.wrap(out, options.addBos ?? false, options.addEos ?? false, `${WHERE}.encode`);
  }

  /**
   * The text of `ids`; special tokens are written as their strings unless `skipSpecial`.
   *
   * @example
   * ```ts
   * tok.decode([7, 4, 11]);
   * ```
   */
  decode(ids: ArrayLike<number>, options: DecodeOptions = {}): string {
    let out = '';
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      checkTokenId(id, this.vocabSize, `${WHERE}.decode`);
      if (id < this.chars.length) out += this.chars[id]!;
      else if (!options.skipSpecial) out += this.specials.stringOf(id)!;
    }
    return out;
  }

  /** The character (or special string) of `id`. @example `tok.idToToken(0) // '\n' for Shakespeare` */
  idToToken(id: number): string {
    checkTokenId(id, this.vocabSize, `${WHERE}.idToToken`);
    return id < this.chars.length ? this.chars[id]! : this.specials.stringOf(id)!;
  }

  /** The UTF-8 bytes of token `id`. @example `tok.tokenBytes(tok.encode('é')[0]!) // [0xc3, 0xa9]` */
  tokenBytes(id: number): Uint8Array {
    return utf8.encode(this.idToToken(id));
  }

  /** The JSON form; see {@link CharTokenizer.fromJSON}. @example `JSON.stringify(tok.toJSON())` */
  toJSON(): CharTokenizerJSON {
    return {
      type: 'char',
      version: 1,
      alphabet: [...this.chars],
      specialTokens: { ...this.specialTokens },
      onUnknown: this.onUnknown,
    };
  }
}

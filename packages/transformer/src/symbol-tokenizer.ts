import { SpecialVocabulary, checkTokenId, registerTokenizer, type DecodeOptions, type EncodeOptions, type SpecialTokenIds, type SpecialTokens, type Tokenizer } from '@genloom/core';

/** The JSON form of a {@link SymbolTokenizer}. */
export interface SymbolTokenizerJSON {
  type: 'symbol';
  version: 1;
  /** One symbol per id, in id order. */
  symbols: string[];
  specialTokens: SpecialTokens;
  onUnknown: 'unk' | 'throw';
}

const WHERE = 'SymbolTokenizer';
const utf8 = new TextEncoder();

/**
 * One token per whitespace-separated symbol: ARPAbet phonemes (`HH AH0 L OW1` is four tokens), or the
 * words of a closed vocabulary. Text is the symbols joined by single spaces. Like core's
 * `CharTokenizer`, the symbols take ids 0…n−1 and the special tokens (pad, bos, eos, unk) follow.
 *
 * @example
 * ```ts
 * const phones = SymbolTokenizer.fromSymbols(cmudict.targetSymbols, { specialTokens: { pad: '<pad>', bos: '<s>', eos: '</s>', unk: '<unk>' } });
 * phones.encode('HH AH0 L OW1');          // 4 ids
 * phones.decode(phones.encode('HH AH0')); // 'HH AH0'
 * ```
 */
export class SymbolTokenizer implements Tokenizer {
  readonly type = 'symbol' as const;
  readonly vocabSize: number;
  readonly specialTokens: Readonly<SpecialTokens>;
  readonly specialIds: Readonly<SpecialTokenIds>;
  readonly onUnknown: 'unk' | 'throw';
  private readonly symbols: readonly string[];
  private readonly idOf = new Map<string, number>();
  private readonly specials: SpecialVocabulary;
  private readonly unkId: number;

  constructor(symbols: Iterable<string>, options: { specialTokens?: SpecialTokens; onUnknown?: 'unk' | 'throw' } = {}) {
    const list = [...symbols];
    list.forEach((s, i) => {
      if (typeof s !== 'string' || s.length === 0 || /\s/.test(s)) throw new Error(`${WHERE}: symbol ${i} must be a non-empty string without whitespace, got ${JSON.stringify(s)}`);
      if (this.idOf.has(s)) throw new Error(`${WHERE}: symbol ${JSON.stringify(s)} appears twice (entries ${this.idOf.get(s)} and ${i})`);
      this.idOf.set(s, i);
    });
    this.symbols = Object.freeze(list);
    this.onUnknown = options.onUnknown ?? 'unk';
    if (this.onUnknown !== 'unk' && this.onUnknown !== 'throw') throw new Error(`${WHERE}: onUnknown must be 'unk' or 'throw', got ${JSON.stringify(this.onUnknown)}`);
    this.specials = new SpecialVocabulary(options.specialTokens ?? { unk: '<unk>' }, list.length, WHERE);
    this.specialTokens = this.specials.tokens;
    this.specialIds = this.specials.ids;
    this.vocabSize = list.length + this.specials.size;
    this.unkId = this.onUnknown === 'unk' ? this.specials.require('unk', "onUnknown: 'unk'", WHERE) : -1;
  }

  /**
   * A tokenizer over these symbols, sorted (so the same set always gives the same ids).
   *
   * @example
   * ```ts
   * SymbolTokenizer.fromSymbols(['OW1', 'HH', 'AH0', 'L']).decode([0, 1]); // 'AH0 HH'
   * ```
   */
  static fromSymbols(symbols: Iterable<string>, options: { specialTokens?: SpecialTokens; onUnknown?: 'unk' | 'throw' } = {}): SymbolTokenizer {
    return new SymbolTokenizer([...new Set(symbols)].sort(), options);
  }

  /** Rebuilds a tokenizer from {@link SymbolTokenizer.toJSON}. @example `SymbolTokenizer.fromJSON(tok.toJSON())` */
  static fromJSON(json: SymbolTokenizerJSON): SymbolTokenizer {
    if (json?.type !== 'symbol') throw new Error(`${WHERE}.fromJSON: expected type 'symbol', got ${JSON.stringify(json?.type)}`);
    if (json.version !== 1) throw new Error(`${WHERE}.fromJSON: unsupported format version ${JSON.stringify(json.version)} (this genloom reads version 1)`);
    if (!Array.isArray(json.symbols)) throw new Error(`${WHERE}.fromJSON: 'symbols' must be an array of strings`);
    return new SymbolTokenizer(json.symbols, { specialTokens: json.specialTokens ?? {}, onUnknown: json.onUnknown });
  }

  /** Ids of a list of symbols. @example `phones.encodeSymbols(['HH', 'AH0'])` */
  encodeSymbols(symbols: readonly string[], options: EncodeOptions = {}): Int32Array {
    const out = symbols.map((s, i) => {
      const id = this.idOf.get(s) ?? (options.allowSpecial ? this.specialIdOf(s) : undefined);
      if (id !== undefined) return id;
      if (this.unkId >= 0) return this.unkId;
      throw new Error(`${WHERE}.encode: unknown symbol ${JSON.stringify(s)} at position ${i}; it is not among the ${this.symbols.length} symbols`);
    });
    return this.specials.wrap(out, options.addBos ?? false, options.addEos ?? false, `${WHERE}.encode`);
  }

  /** Ids of the whitespace-separated symbols of `text`. @example `phones.encode('HH AH0 L OW1', { addEos: true })` */
  encode(text: string, options: EncodeOptions = {}): Int32Array {
    return this.encodeSymbols(text.split(/\s+/).filter((s) => s.length > 0), options);
  }

  /** The symbols of `ids` joined by spaces; special tokens as their strings unless `skipSpecial`. @example `phones.decode(ids, { skipSpecial: true })` */
  decode(ids: ArrayLike<number>, options: DecodeOptions = {}): string {
    const parts: string[] = [];
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      checkTokenId(id, this.vocabSize, `${WHERE}.decode`);
      if (id < this.symbols.length) parts.push(this.symbols[id]!);
      else if (!options.skipSpecial) parts.push(this.specials.stringOf(id)!);
    }
    return parts.join(' ');
  }

  /** The symbol (or special string) of `id`. @example `phones.idToToken(0) // 'AA0'` */
  idToToken(id: number): string {
    checkTokenId(id, this.vocabSize, `${WHERE}.idToToken`);
    return id < this.symbols.length ? this.symbols[id]! : this.specials.stringOf(id)!;
  }

  /** The UTF-8 bytes of the symbol of `id` (without the separating space that `decode` adds). @example `phones.tokenBytes(3)` */
  tokenBytes(id: number): Uint8Array {
    return utf8.encode(this.idToToken(id));
  }

  /** The JSON form; see {@link SymbolTokenizer.fromJSON}. @example `JSON.stringify(phones.toJSON())` */
  toJSON(): SymbolTokenizerJSON {
    return { type: 'symbol', version: 1, symbols: [...this.symbols], specialTokens: { ...this.specialTokens }, onUnknown: this.onUnknown };
  }

  private specialIdOf(s: string): number | undefined {
    for (const [name, text] of Object.entries(this.specialTokens)) if (text === s) return this.specialIds[name as keyof SpecialTokenIds];
    return undefined;
  }
}

registerTokenizer('symbol', (json: SymbolTokenizerJSON) => SymbolTokenizer.fromJSON(json));

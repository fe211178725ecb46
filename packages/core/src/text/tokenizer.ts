/**
 * The contract every genloom tokenizer keeps, so rnn-lm and transformer work with any of them and a
 * checkpoint can store the tokenizer beside the weights (`genloom.json` → `tokenizer`).
 *
 * Vocabulary layout: a tokenizer's own tokens come first (characters, or bytes then merges), and the
 * special tokens it was given come last, in the fixed order pad, bos, eos, unk. So a character
 * vocabulary keeps nanoGPT's ids and a byte-level BPE keeps GPT-2's (bytes 0–255, merges after them).
 */

/** Roles a special token can play. */
export type SpecialTokenName = 'pad' | 'bos' | 'eos' | 'unk';

/** The roles in the order their ids are assigned at the end of a vocabulary. */
export const SPECIAL_TOKEN_NAMES: readonly SpecialTokenName[] = ['pad', 'bos', 'eos', 'unk'];

/** The text of each special token a tokenizer has, e.g. `{ pad: '<pad>', eos: '<eos>' }`. */
export type SpecialTokens = Partial<Record<SpecialTokenName, string>>;

/** The id of each special token a tokenizer has. */
export type SpecialTokenIds = Partial<Record<SpecialTokenName, number>>;

/** Options of {@link Tokenizer.encode}. */
export interface EncodeOptions {
  /** Put the `bos` token first (the tokenizer must have one). Default false. */
  addBos?: boolean;
  /** Put the `eos` token last (the tokenizer must have one). Default false. */
  addEos?: boolean;
  /**
   * Read special-token strings in the text (`'<eos>'`) as their ids. Default false: text is always
   * literal, so user text can never forge a control token.
   */
  allowSpecial?: boolean;
}

/** Options of {@link Tokenizer.decode}. */
export interface DecodeOptions {
  /** Leave special tokens out of the text instead of writing their strings. Default false. */
  skipSpecial?: boolean;
}

/** What every tokenizer's `toJSON()` has: a `type` discriminator and a format version. */
export interface TokenizerJSONBase {
  type: string;
  version: number;
}

/**
 * Text ↔ token ids.
 *
 * @example
 * ```ts
 * const tok: Tokenizer = CharTokenizer.fromCorpus('hello world');
 * const ids = tok.encode('hello');      // Int32Array
 * tok.decode(ids);                      // 'hello'
 * const json = tok.toJSON();            // store in genloom.json…
 * const again = tokenizerFromJSON(json); // …and rebuild it later
 * ```
 */
export interface Tokenizer {
  /** Discriminator stored in the JSON form (`'char'`, `'bpe'`). */
  readonly type: string;
  /** Number of ids, special tokens included; every id is in [0, vocabSize). */
  readonly vocabSize: number;
  /** The special tokens' strings. */
  readonly specialTokens: Readonly<SpecialTokens>;
  /** The special tokens' ids. */
  readonly specialIds: Readonly<SpecialTokenIds>;
  /** Token ids of `text`. */
  encode(text: string, options?: EncodeOptions): Int32Array;
  /** Text of `ids`; throws on an id outside the vocabulary. */
  decode(ids: ArrayLike<number>, options?: DecodeOptions): string;
  /** A readable form of one token, for display (attention maps, token lists). */
  idToToken(id: number): string;
  /**
   * The UTF-8 bytes one token stands for (a special token: its string's bytes). A byte-level token
   * may hold part of a character; {@link TokenTextStream} joins such parts when streaming.
   */
  tokenBytes(id: number): Uint8Array;
  /** A JSON-serialisable description that {@link tokenizerFromJSON} turns back into the tokenizer. */
  toJSON(): TokenizerJSONBase;
}

/**
 * Throws unless `id` is an integer in [0, vocabSize).
 *
 * @example
 * ```ts
 * checkTokenId(5, 10, 'CharTokenizer.decode'); // fine
 * checkTokenId(12, 10, 'CharTokenizer.decode'); // throws: id 12 is outside the vocabulary [0, 10)
 * ```
 */
export function checkTokenId(id: number, vocabSize: number, where: string): void {
  if (!Number.isInteger(id) || id < 0 || id >= vocabSize) {
    throw new Error(`${where}: token id ${id} is outside the vocabulary [0, ${vocabSize})`);
  }
}

/**
 * Turns token ids into text as they arrive, one at a time: bytes of a character split over two
 * byte-level tokens are held back until the character is complete, so a generation loop can print
 * each step's text without broken characters.
 *
 * @example
 * ```ts
 * const stream = new TokenTextStream(tokenizer);
 * for (const id of generatedIds) process.stdout.write(stream.push(id));
 * process.stdout.write(stream.flush());
 * ```
 */
export class TokenTextStream {
  private readonly decoder = new TextDecoder('utf-8');

  constructor(
    private readonly tokenizer: Tokenizer,
    private readonly options: DecodeOptions = {},
  ) {}

  /** The text that `id` completes (possibly empty while a character is incomplete). */
  push(id: number): string {
    if (this.options.skipSpecial && isSpecialId(this.tokenizer, id)) return '';
    return this.decoder.decode(this.tokenizer.tokenBytes(id), { stream: true });
  }

  /** Ends the stream: returns what is left (an incomplete character becomes U+FFFD). */
  flush(): string {
    return this.decoder.decode();
  }
}

function isSpecialId(tokenizer: Tokenizer, id: number): boolean {
  return Object.values(tokenizer.specialIds).includes(id);
}

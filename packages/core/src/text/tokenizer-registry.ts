import { BpeTokenizer } from './bpe-tokenizer.js';
import type { BpeTokenizerJSON } from './bpe-tokenizer.js';
import { CharTokenizer } from './char-tokenizer.js';
import type { CharTokenizerJSON } from './char-tokenizer.js';
import type { Tokenizer, TokenizerJSONBase } from './tokenizer.js';

/** The JSON form of any tokenizer genloom ships. */
export type TokenizerJSON = CharTokenizerJSON | BpeTokenizerJSON;

type TokenizerReader = (json: never) => Tokenizer;

const readers = new Map<string, TokenizerReader>([
  ['char', CharTokenizer.fromJSON],
  ['bpe', BpeTokenizer.fromJSON],
]);

/**
 * Makes {@link tokenizerFromJSON} read tokenizers of another `type` (one of your own).
 *
 * @example
 * ```ts
 * registerTokenizer('word', (json: WordTokenizerJSON) => WordTokenizer.fromJSON(json));
 * ```
 */
export function registerTokenizer<J extends TokenizerJSONBase>(type: string, fromJSON: (json: J) => Tokenizer): void {
  if (typeof type !== 'string' || type.length === 0) throw new Error('registerTokenizer: type must be a non-empty string');
  readers.set(type, fromJSON as TokenizerReader);
}

/**
 * Rebuilds a tokenizer from the JSON its `toJSON()` wrote (for example `genloom.json`'s `tokenizer`),
 * choosing the class by the `type` field.
 *
 * @example
 * ```ts
 * const meta = JSON.parse(await readFile('runs/gpt/genloom.json', 'utf8'));
 * const tokenizer = tokenizerFromJSON(meta.tokenizer);
 * ```
 */
export function tokenizerFromJSON(json: unknown): Tokenizer {
  if (typeof json !== 'object' || json === null || typeof (json as { type?: unknown }).type !== 'string') {
    throw new Error(`tokenizerFromJSON: expected an object with a string 'type', got ${JSON.stringify(json)?.slice(0, 80)}`);
  }
  const type = (json as TokenizerJSONBase).type;
  const read = readers.get(type);
  if (read === undefined) {
    throw new Error(`tokenizerFromJSON: unknown tokenizer type '${type}'; known types: ${[...readers.keys()].join(', ')}`);
  }
  return read(json as never);
}

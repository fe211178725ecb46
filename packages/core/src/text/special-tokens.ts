import { SPECIAL_TOKEN_NAMES } from './tokenizer.js';
import type { SpecialTokenIds, SpecialTokenName, SpecialTokens } from './tokenizer.js';

const utf8 = new TextEncoder();

/** A piece of text to tokenize normally, or a special token's id (see {@link SpecialVocabulary.split}). */
export type TextSegment = string | number;

/**
 * The special tokens of one tokenizer: validates them, gives them the ids after the tokenizer's own
 * `baseSize` tokens (in the order pad, bos, eos, unk), and does the special-token parts of
 * encode/decode that every tokenizer shares.
 *
 * @example
 * ```ts
 * const sv = new SpecialVocabulary({ eos: '<eos>', pad: '<pad>' }, 65, 'CharTokenizer');
 * sv.ids;       // { pad: 65, eos: 66 }
 * sv.size;      // 2
 * sv.split('a<eos>b', true); // ['a', 66, 'b']
 * ```
 */
export class SpecialVocabulary {
  /** The special tokens' strings, only the roles given. */
  readonly tokens: Readonly<SpecialTokens>;
  /** The special tokens' ids. */
  readonly ids: Readonly<SpecialTokenIds>;
  /** How many special tokens there are. */
  readonly size: number;
  private readonly byId = new Map<number, string>();
  private readonly bytesById = new Map<number, Uint8Array>();
  /** Special strings longest first, so `'<eos>'` wins over a prefix of it. */
  private readonly byLength: Array<[string, number]>;

  constructor(tokens: SpecialTokens | undefined, baseSize: number, where: string) {
    const given = tokens ?? {};
    if (typeof given !== 'object' || given === null || Array.isArray(given)) {
      throw new Error(`${where}: specialTokens must be an object like { eos: '<eos>' }`);
    }
    for (const key of Object.keys(given)) {
      if (!(SPECIAL_TOKEN_NAMES as readonly string[]).includes(key)) {
        throw new Error(`${where}: unknown special token role '${key}'; the roles are ${SPECIAL_TOKEN_NAMES.join(', ')}`);
      }
    }
    const kept: SpecialTokens = {};
    const ids: SpecialTokenIds = {};
    const seen = new Map<string, SpecialTokenName>();
    let next = baseSize;
    for (const name of SPECIAL_TOKEN_NAMES) {
      const text = given[name];
      if (text === undefined) continue;
      if (typeof text !== 'string' || text.length === 0) {
        throw new Error(`${where}: special token '${name}' must be a non-empty string, got ${JSON.stringify(text)}`);
      }
      const other = seen.get(text);
      if (other !== undefined) {
        throw new Error(`${where}: special tokens '${other}' and '${name}' are both ${JSON.stringify(text)}; each needs its own string`);
      }
      seen.set(text, name);
      kept[name] = text;
      ids[name] = next;
      this.byId.set(next, text);
      this.bytesById.set(next, utf8.encode(text));
      next++;
    }
    this.tokens = Object.freeze(kept);
    this.ids = Object.freeze(ids);
    this.size = next - baseSize;
    this.byLength = [...this.byId].map(([id, text]): [string, number] => [text, id]).sort((a, b) => b[0].length - a[0].length);
  }

  /** The special string of `id`, or undefined when `id` is not special. */
  stringOf(id: number): string | undefined {
    return this.byId.get(id);
  }

  /** The UTF-8 bytes of special token `id`, or undefined when `id` is not special. */
  bytesOf(id: number): Uint8Array | undefined {
    return this.bytesById.get(id);
  }

  /**
   * Cuts `text` at special-token strings when `allowSpecial` is set: plain text stays a string, each
   * special token becomes its id. Without `allowSpecial` the whole text is one plain segment.
   */
  split(text: string, allowSpecial: boolean): TextSegment[] {
    if (!allowSpecial || this.size === 0 || text.length === 0) return text.length ? [text] : [];
    const out: TextSegment[] = [];
    let start = 0;
    let i = 0;
    outer: while (i < text.length) {
      for (const [special, id] of this.byLength) {
        if (text.startsWith(special, i)) {
          if (i > start) out.push(text.slice(start, i));
          out.push(id);
          i += special.length;
          start = i;
          continue outer;
        }
      }
      i++;
    }
    if (start < text.length) out.push(text.slice(start));
    return out;
  }

  /** The id of role `name`, or a clear error when this tokenizer has no such token. */
  require(name: SpecialTokenName, why: string, where: string): number {
    const id = this.ids[name];
    if (id === undefined) {
      throw new Error(`${where}: ${why} needs the special token '${name}', and this tokenizer has none (pass specialTokens: { ${name}: '<${name}>' })`);
    }
    return id;
  }

  /** `ids` with bos/eos added as `options` ask. */
  wrap(ids: ArrayLike<number>, addBos: boolean, addEos: boolean, where: string): Int32Array {
    const bos = addBos ? this.require('bos', 'addBos', where) : -1;
    const eos = addEos ? this.require('eos', 'addEos', where) : -1;
    const out = new Int32Array(ids.length + (addBos ? 1 : 0) + (addEos ? 1 : 0));
    let k = 0;
    if (addBos) out[k++] = bos;
    for (let i = 0; i < ids.length; i++) out[k++] = ids[i]!;
    if (addEos) out[k] = eos;
    return out;
  }
}

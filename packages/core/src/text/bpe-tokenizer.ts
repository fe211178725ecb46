import { MAX_BPE_VOCAB, learnMerges, pairKey } from './bpe-train.js';
import { compilePreTokenizer, preTokenize } from './pre-tokenize.js';
import type { PreTokenizerSpec } from './pre-tokenize.js';
import { SpecialVocabulary } from './special-tokens.js';
import { checkTokenId } from './tokenizer.js';
import type { DecodeOptions, EncodeOptions, SpecialTokenIds, SpecialTokens, Tokenizer } from './tokenizer.js';

/** Options of {@link BpeTokenizer}'s constructor. */
export interface BpeTokenizerOptions {
  /** Special tokens, given ids after the merges. Default none (byte-level BPE needs no unk). */
  specialTokens?: SpecialTokens;
  /** How text is cut before merging. Default `'gpt2'`. */
  preTokenize?: PreTokenizerSpec;
}

/** Options of {@link BpeTokenizer.train}. */
export interface BpeTrainOptions extends BpeTokenizerOptions {
  /**
   * Vocabulary size wanted, the 256 byte tokens and the special tokens included. Training stops
   * earlier when no pair reaches `minFrequency`; `vocabSize` of the result says what was reached.
   */
  vocabSize: number;
  /** A pair is merged only if it occurs at least this often. Default 2. */
  minFrequency?: number;
}

/** The JSON form of a {@link BpeTokenizer}. */
export interface BpeTokenizerJSON {
  type: 'bpe';
  version: 1;
  /** Merge i joins the two ids into id 256 + i (ids 0–255 are bytes). */
  merges: Array<[number, number]>;
  specialTokens: SpecialTokens;
  preTokenize: PreTokenizerSpec;
}

const WHERE = 'BpeTokenizer';
const utf8 = new TextEncoder();
const CACHE_LIMIT = 50_000;
const POS_RANGE = 2 ** 32;

/** Min-heap of numbers; the encoder stores `rank * 2^32 + position` in it. */
class MinHeap {
  private readonly a: number[] = [];
  get size(): number {
    return this.a.length;
  }
  push(v: number): void {
    const a = this.a;
    let i = a.length;
    a.push(v);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p]! <= v) break;
      a[i] = a[p]!;
      i = p;
    }
    a[i] = v;
  }
  pop(): number {
    const a = this.a;
    const top = a[0]!;
    const last = a.pop()!;
    const n = a.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const m = l + 1 < n && a[l + 1]! < a[l]! ? l + 1 : l;
        if (a[m]! >= last) break;
        a[i] = a[m]!;
        i = m;
      }
      a[i] = last;
    }
    return top;
  }
}

/**
 * Byte-level BPE in the manner of GPT-2: text is pre-tokenized, each piece becomes its UTF-8
 * bytes (256 base tokens), and learned merges join frequent pairs. Any string encodes — there is no
 * unknown token — and decoding gives it back exactly (a JS string holding a lone surrogate, which
 * is not Unicode, comes back with U+FFFD in its place, as `TextEncoder` writes it).
 *
 * @example
 * ```ts
 * const bpe = BpeTokenizer.train(corpus, { vocabSize: 512, specialTokens: { eos: '<|endoftext|>' } });
 * const ids = bpe.encode('To be, or not to be');
 * bpe.decode(ids); // 'To be, or not to be'
 * const again = BpeTokenizer.fromJSON(bpe.toJSON());
 * ```
 */
export class BpeTokenizer implements Tokenizer {
  readonly type = 'bpe' as const;
  readonly vocabSize: number;
  readonly specialTokens: Readonly<SpecialTokens>;
  readonly specialIds: Readonly<SpecialTokenIds>;
  readonly preTokenizeSpec: PreTokenizerSpec;
  private readonly mergeList: ReadonlyArray<readonly [number, number]>;
  private readonly ranks = new Map<number, number>();
  private readonly bytesOf: Uint8Array[] = [];
  private readonly specials: SpecialVocabulary;
  private readonly pattern: RegExp | null;
  private readonly cache = new Map<string, Int32Array>();
  private readonly display = new TextDecoder('utf-8');

  /**
   * @param merges merge i joins its two ids into id 256 + i; each id must already exist.
   */
  constructor(merges: ReadonlyArray<readonly [number, number]>, options: BpeTokenizerOptions = {}) {
    if (!Array.isArray(merges)) throw new Error(`${WHERE}: merges must be an array of [id, id] pairs`);
    if (256 + merges.length > MAX_BPE_VOCAB) throw new Error(`${WHERE}: at most ${MAX_BPE_VOCAB - 256} merges, got ${merges.length}`);
    for (let b = 0; b < 256; b++) this.bytesOf.push(Uint8Array.of(b));
    merges.forEach((pair, i) => {
      const ok = Array.isArray(pair) && pair.length === 2 && pair.every((id) => Number.isInteger(id) && id >= 0 && id < 256 + i);
      if (!ok) throw new Error(`${WHERE}: merge ${i} must be two ids below ${256 + i} (the tokens that exist before it), got ${JSON.stringify(pair)}`);
      const [a, b] = pair;
      const key = pairKey(a, b);
      const before = this.ranks.get(key);
      if (before !== undefined) throw new Error(`${WHERE}: merge ${i} repeats merge ${before} ${JSON.stringify(pair)}`);
      this.ranks.set(key, i);
      const left = this.bytesOf[a]!, right = this.bytesOf[b]!;
      const joined = new Uint8Array(left.length + right.length);
      joined.set(left);
      joined.set(right, left.length);
      this.bytesOf.push(joined);
    });
    this.mergeList = Object.freeze(merges.map(([a, b]) => Object.freeze([a, b] as const)));
    this.preTokenizeSpec = options.preTokenize ?? 'gpt2';
    this.pattern = compilePreTokenizer(this.preTokenizeSpec);
    this.specials = new SpecialVocabulary(options.specialTokens, this.bytesOf.length, WHERE);
    this.specialTokens = this.specials.tokens;
    this.specialIds = this.specials.ids;
    this.vocabSize = this.bytesOf.length + this.specials.size;
  }

  /**
   * Learns merges from `corpus` (one string, or many documents: pieces never span two documents).
   * Takes about 1–2 s for 1 MB of English with `vocabSize` 512–2048 on one core.
   *
   * @example
   * ```ts
   * const bpe = BpeTokenizer.train(text, { vocabSize: 1024, minFrequency: 2, preTokenize: 'gpt2' });
   * ```
   */
  static train(corpus: string | Iterable<string>, options: BpeTrainOptions): BpeTokenizer {
    const { vocabSize } = options;
    const minFrequency = options.minFrequency ?? 2;
    const nSpecial = new SpecialVocabulary(options.specialTokens, 256, `${WHERE}.train`).size;
    if (!Number.isInteger(vocabSize) || vocabSize < 256 + nSpecial || vocabSize > MAX_BPE_VOCAB) {
      throw new Error(`${WHERE}.train: vocabSize must be an integer in [${256 + nSpecial}, ${MAX_BPE_VOCAB}] (256 bytes + ${nSpecial} special tokens at least), got ${vocabSize}`);
    }
    if (!Number.isInteger(minFrequency) || minFrequency < 1) {
      throw new Error(`${WHERE}.train: minFrequency must be an integer >= 1, got ${minFrequency}`);
    }
    const pattern = compilePreTokenizer(options.preTokenize ?? 'gpt2');
    const counts = new Map<string, number>();
    for (const doc of typeof corpus === 'string' ? [corpus] : corpus) {
      for (const piece of preTokenize(doc, pattern)) counts.set(piece, (counts.get(piece) ?? 0) + 1);
    }
    const merges = learnMerges(counts, { numMerges: vocabSize - 256 - nSpecial, minFrequency });
    return new BpeTokenizer(merges, options);
  }

  /**
   * Rebuilds a tokenizer from {@link BpeTokenizer.toJSON}.
   *
   * @example
   * ```ts
   * const bpe = BpeTokenizer.fromJSON(JSON.parse(fs.readFileSync('tokenizer.json', 'utf8')));
   * ```
   */
  static fromJSON(json: BpeTokenizerJSON): BpeTokenizer {
    if (json?.type !== 'bpe') throw new Error(`${WHERE}.fromJSON: expected type 'bpe', got ${JSON.stringify(json?.type)}`);
    if (json.version !== 1) throw new Error(`${WHERE}.fromJSON: unsupported format version ${JSON.stringify(json.version)} (this genloom reads version 1)`);
    return new BpeTokenizer(json.merges, { specialTokens: json.specialTokens ?? {}, preTokenize: json.preTokenize ?? 'gpt2' });
  }

  /** The learned merges, in order. @example `bpe.merges[0] // [32, 116]: ' ' + 't', on Shakespeare` */
  get merges(): ReadonlyArray<readonly [number, number]> {
    return this.mergeList;
  }

  /**
   * Token ids of `text`.
   *
   * @example
   * ```ts
   * bpe.encode('hello <|endoftext|>', { allowSpecial: true }); // the special string → its id
   * ```
   */
  encode(text: string, options: EncodeOptions = {}): Int32Array {
    const out: number[] = [];
    for (const segment of this.specials.split(text, options.allowSpecial ?? false)) {
      if (typeof segment === 'number') {
        out.push(segment);
        continue;
      }
      for (const piece of preTokenize(segment, this.pattern)) {
        const ids = this.encodePiece(piece);
        for (let i = 0; i < ids.length; i++) out.push(ids[i]!);
      }
    }
    return this.specials.wrap(out, options.addBos ?? false, options.addEos ?? false, `${WHERE}.encode`);
  }

  /**
   * The text of `ids`. Invalid UTF-8 (an id sequence cut inside a character) becomes U+FFFD.
   *
   * @example
   * ```ts
   * bpe.decode(bpe.encode('naïve café ☕')); // 'naïve café ☕'
   * ```
   */
  decode(ids: ArrayLike<number>, options: DecodeOptions = {}): string {
    const parts: Uint8Array[] = [];
    let length = 0;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      checkTokenId(id, this.vocabSize, `${WHERE}.decode`);
      const bytes = id < this.bytesOf.length ? this.bytesOf[id]! : options.skipSpecial ? null : this.specials.bytesOf(id)!;
      if (bytes === null) continue;
      parts.push(bytes);
      length += bytes.length;
    }
    const all = new Uint8Array(length);
    let at = 0;
    for (const p of parts) {
      all.set(p, at);
      at += p.length;
    }
    return new TextDecoder('utf-8').decode(all);
  }

  /**
   * A readable form of token `id`: its bytes as text (a part of a character shows as U+FFFD), or
   * the special string.
   *
   * @example
   * ```ts
   * bpe.idToToken(bpe.encode(' the')[0]!); // ' the' once that merge is learned
   * ```
   */
  idToToken(id: number): string {
    checkTokenId(id, this.vocabSize, `${WHERE}.idToToken`);
    return id < this.bytesOf.length ? this.display.decode(this.bytesOf[id]!) : this.specials.stringOf(id)!;
  }

  /** The bytes token `id` stands for (a copy). @example `bpe.tokenBytes(104) // Uint8Array [104] ('h')` */
  tokenBytes(id: number): Uint8Array {
    checkTokenId(id, this.vocabSize, `${WHERE}.tokenBytes`);
    return (id < this.bytesOf.length ? this.bytesOf[id]! : this.specials.bytesOf(id)!).slice();
  }

  /** The JSON form; see {@link BpeTokenizer.fromJSON}. @example `JSON.stringify(bpe.toJSON())` */
  toJSON(): BpeTokenizerJSON {
    return {
      type: 'bpe',
      version: 1,
      merges: this.mergeList.map(([a, b]): [number, number] => [a, b]),
      specialTokens: { ...this.specialTokens },
      preTokenize: typeof this.preTokenizeSpec === 'string' ? this.preTokenizeSpec : { ...this.preTokenizeSpec },
    };
  }

  /** Ids of one pre-tokenized piece, with a cache because words repeat. */
  private encodePiece(piece: string): Int32Array {
    const hit = this.cache.get(piece);
    if (hit !== undefined) return hit;
    const ids = this.mergeBytes(utf8.encode(piece));
    if (piece.length <= 256) {
      if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
      this.cache.set(piece, ids);
    }
    return ids;
  }

  /**
   * Applies the merges to `bytes`, lowest rank first and, within a rank, left to right — the order
   * training used. A linked list over the positions and a heap of (rank, position) make this
   * O(n log n), so even a text that is one long piece (`preTokenize: 'none'`) encodes quickly.
   */
  private mergeBytes(bytes: Uint8Array): Int32Array {
    const n = bytes.length;
    if (n < 2) return Int32Array.from(bytes);
    const tok = Int32Array.from(bytes);
    const next = new Int32Array(n);
    const prev = new Int32Array(n);
    const dead = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      next[i] = i + 1;
      prev[i] = i - 1;
    }
    const heap = new MinHeap();
    const offer = (i: number): void => {
      const j = next[i]!;
      if (j >= n) return;
      const rank = this.ranks.get(pairKey(tok[i]!, tok[j]!));
      if (rank !== undefined) heap.push(rank * POS_RANGE + i);
    };
    for (let i = 0; i + 1 < n; i++) offer(i);
    while (heap.size > 0) {
      const v = heap.pop();
      const rank = Math.floor(v / POS_RANGE);
      const i = v - rank * POS_RANGE;
      const j = next[i]!;
      if (dead[i] || j >= n || this.ranks.get(pairKey(tok[i]!, tok[j]!)) !== rank) continue; // stale
      tok[i] = 256 + rank;
      dead[j] = 1;
      next[i] = next[j]!;
      if (next[j]! < n) prev[next[j]!] = i;
      if (prev[i]! >= 0) offer(prev[i]!);
      offer(i);
    }
    const out: number[] = [];
    for (let i = 0; i < n; i = next[i]!) out.push(tok[i]!);
    return Int32Array.from(out);
  }
}

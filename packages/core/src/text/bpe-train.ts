/**
 * Learning byte-level BPE merges. Each distinct pre-tokenized piece is a "word": a sequence of token
 * ids (its UTF-8 bytes at first) with a count. Every round merges the most frequent adjacent pair
 * into a new token. Counting all pairs once and then updating only the words that hold the merged
 * pair keeps a round proportional to those words, not to the corpus; a lazy max-heap finds the most
 * frequent pair (stale heap entries are skipped when popped).
 */

/** Largest vocabulary the pair keys can address (ids are packed as `a * MAX_VOCAB + b`). */
export const MAX_BPE_VOCAB = 1 << 21;

/** Packs a pair of token ids into one exact number key (< 2^42). @example `pairKey(104, 101) // 104 * 2^21 + 101` */
export function pairKey(a: number, b: number): number {
  return a * MAX_BPE_VOCAB + b;
}

/**
 * Max-heap of (count, pair key): highest count first, the smaller key first on equal counts, so
 * the merges learned do not depend on the order of the corpus's words.
 */
class PairHeap {
  private counts: number[] = [];
  private keys: number[] = [];

  get size(): number {
    return this.keys.length;
  }

  push(count: number, key: number): void {
    const c = this.counts, k = this.keys;
    let i = k.length;
    c.push(count);
    k.push(key);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.before(count, key, c[p]!, k[p]!)) break;
      c[i] = c[p]!;
      k[i] = k[p]!;
      i = p;
    }
    c[i] = count;
    k[i] = key;
  }

  /** Removes the top entry and returns it as [count, key]. */
  pop(): [number, number] {
    const c = this.counts, k = this.keys;
    const top: [number, number] = [c[0]!, k[0]!];
    const lastC = c.pop()!, lastK = k.pop()!;
    const n = k.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const m = r < n && this.before(c[r]!, k[r]!, c[l]!, k[l]!) ? r : l;
        if (!this.before(c[m]!, k[m]!, lastC, lastK)) break;
        c[i] = c[m]!;
        k[i] = k[m]!;
        i = m;
      }
      c[i] = lastC;
      k[i] = lastK;
    }
    return top;
  }

  private before(ca: number, ka: number, cb: number, kb: number): boolean {
    return ca > cb || (ca === cb && ka < kb);
  }
}

/**
 * Merges `seq`'s occurrences of (a, b), left to right and without overlap, into `merged` — the same
 * rule the encoder applies, so training and encoding agree. With `delta`, records how the word's
 * pair counts change (times `count`), looking only around each occurrence: the left neighbour is
 * read from the output, so runs like `a b a b` → `t t` come out right.
 *
 * @example
 * ```ts
 * mergePair(Int32Array.of(97, 97, 97), 97, 97, 256); // Int32Array [256, 97]
 * ```
 */
export function mergePair(
  seq: Int32Array,
  a: number,
  b: number,
  merged: number,
  delta?: { add(x: number, y: number, d: number): void },
  count = 1,
): Int32Array {
  const out = new Int32Array(seq.length);
  let n = 0;
  for (let i = 0; i < seq.length; i++) {
    if (i + 1 < seq.length && seq[i] === a && seq[i + 1] === b) {
      if (delta) {
        delta.add(a, b, -count);
        if (n > 0) {
          delta.add(out[n - 1]!, a, -count);
          delta.add(out[n - 1]!, merged, count);
        }
        if (i + 2 < seq.length) {
          delta.add(b, seq[i + 2]!, -count);
          delta.add(merged, seq[i + 2]!, count);
        }
      }
      out[n++] = merged;
      i++;
    } else {
      out[n++] = seq[i]!;
    }
  }
  return n === seq.length ? seq : out.slice(0, n);
}

/** Options of {@link learnMerges}. */
export interface LearnMergesOptions {
  /** How many merges to learn at most. */
  numMerges: number;
  /** Stop when the most frequent pair occurs fewer times than this. Default 2. */
  minFrequency?: number;
}

/**
 * Learns BPE merges from word counts. Token ids 0–255 are bytes; merge i creates id 256 + i.
 *
 * @example
 * ```ts
 * const counts = new Map([['low', 5], [' lower', 2], [' newest', 6]]);
 * const merges = learnMerges(counts, { numMerges: 10 }); // [[119, 101], …]: 'w'+'e' (8 times) first
 * ```
 */
export function learnMerges(wordCounts: Map<string, number>, options: LearnMergesOptions): Array<[number, number]> {
  const { numMerges } = options;
  const minFrequency = options.minFrequency ?? 2;
  if (256 + numMerges > MAX_BPE_VOCAB) throw new Error(`learnMerges: at most ${MAX_BPE_VOCAB - 256} merges, asked for ${numMerges}`);

  const utf8 = new TextEncoder();
  const words: Int32Array[] = [];
  const counts: number[] = [];
  for (const [piece, count] of wordCounts) {
    const bytes = utf8.encode(piece);
    if (bytes.length < 2 || count <= 0) continue; // a single byte has no pair to merge
    words.push(Int32Array.from(bytes));
    counts.push(count);
  }

  // Initial pair counts, and for each pair the words it occurs in (may list a word twice, or a
  // word that no longer holds the pair: both are harmless, each word is re-read when visited).
  const pairCounts = new Map<number, number>();
  const pairWords = new Map<number, number[]>();
  for (let w = 0; w < words.length; w++) {
    const seq = words[w]!, c = counts[w]!;
    for (let i = 0; i + 1 < seq.length; i++) {
      const key = pairKey(seq[i]!, seq[i + 1]!);
      pairCounts.set(key, (pairCounts.get(key) ?? 0) + c);
      const list = pairWords.get(key);
      if (list === undefined) pairWords.set(key, [w]);
      else if (list[list.length - 1] !== w) list.push(w);
    }
  }
  const heap = new PairHeap();
  for (const [key, count] of pairCounts) heap.push(count, key);

  const merges: Array<[number, number]> = [];
  const visited = new Int32Array(words.length).fill(-1);
  const delta = new Map<number, number>();
  const recorder = {
    add(x: number, y: number, d: number): void {
      const k = pairKey(x, y);
      delta.set(k, (delta.get(k) ?? 0) + d);
    },
  };
  while (merges.length < numMerges && heap.size > 0) {
    const [count, key] = heap.pop();
    if (pairCounts.get(key) !== count) continue; // stale entry
    if (count < minFrequency) break;
    const a = Math.floor(key / MAX_BPE_VOCAB), b = key - a * MAX_BPE_VOCAB;
    const merged = 256 + merges.length;
    merges.push([a, b]);

    delta.clear();
    for (const w of pairWords.get(key) ?? []) {
      if (visited[w] === merged) continue;
      visited[w] = merged;
      const old = words[w]!;
      const next = mergePair(old, a, b, merged, recorder, counts[w]!);
      if (next === old) continue; // no longer holds the pair
      words[w] = next;
      for (let i = 0; i + 1 < next.length; i++) {
        // A pair with the new token is new in this word: index it.
        if (next[i] !== merged && next[i + 1] !== merged) continue;
        const k = pairKey(next[i]!, next[i + 1]!);
        const list = pairWords.get(k);
        if (list === undefined) pairWords.set(k, [w]);
        else if (list[list.length - 1] !== w) list.push(w);
      }
    }
    for (const [k, d] of delta) {
      if (d === 0) continue;
      const updated = (pairCounts.get(k) ?? 0) + d;
      if (updated > 0) {
        pairCounts.set(k, updated);
        heap.push(updated, k);
      } else {
        pairCounts.delete(k);
        pairWords.delete(k);
      }
    }
    pairCounts.delete(key);
    pairWords.delete(key);
  }
  return merges;
}

/**
 * Beam search for sequence-to-sequence decoding, on the host: the network only answers "the logits
 * of the next token for each row", and the search keeps the bookkeeping (scores, back-pointers,
 * finished hypotheses) in plain arrays. GNMT's length penalty (Wu et al. 2016) ranks hypotheses of
 * different lengths: `score = log P(y | x) / lp(|y|)` with `lp(n) = ((5 + n) / 6)^α`.
 */
import { logSoftmax } from '@genloom/core';

/** One decoded sequence: its tokens (no bos, no eos), log-probability and length-normalised score. */
export interface Hypothesis {
  ids: number[];
  /** Sum of the log-probabilities (nats) of its tokens, eos included when it ended with one. */
  logProb: number;
  /** `logProb / lp(length)`: what beam search ranks by. */
  score: number;
  /** Whether it ended with eos (false: cut at maxLength). */
  finished: boolean;
}

/**
 * The next-token logits of every row, `rows × V` row-major. `tokens[r]` is the token just appended
 * to row r; `parents[r]` is the row that row r continues (its prefix and cache), or null on the
 * first step and whenever every row continues itself.
 */
export type NextLogits = (tokens: number[], parents: number[] | null) => Promise<Float32Array>;

/** Options of {@link beamSearch}. */
export interface BeamSearchOptions {
  /** Sources decoded together (B); the rows are B × beamSize, row = b·beamSize + k. */
  batchSize: number;
  beamSize: number;
  vocabSize: number;
  bos: number;
  eos: number;
  /** Most tokens generated per hypothesis, eos included. */
  maxLength: number;
  /** α of GNMT's length penalty; 0 ranks by plain log-probability (default 0.6). */
  lengthPenalty?: number;
}

/**
 * GNMT's length penalty `((5 + length) / 6)^α`.
 *
 * @example
 * ```ts
 * gnmtLengthPenalty(1, 0.6);  // 1
 * gnmtLengthPenalty(7, 1);    // 2
 * ```
 */
export function gnmtLengthPenalty(length: number, alpha: number): number {
  return ((5 + length) / 6) ** alpha;
}

/**
 * Beam search over `batchSize` sources at once. Each step the `2·beamSize` best continuations of a
 * source's live beams are ranked; an eos continuation among the first `beamSize` becomes a finished
 * hypothesis, and the best other continuations stay live. A source is done when it has `beamSize`
 * finished hypotheses (early stopping) or after `maxLength` tokens, when its live beams join the
 * finished ones. Returns each source's hypotheses, best score first. With `beamSize` 1 this is
 * greedy decoding (ties go to the lower token id, like argmax).
 *
 * @example
 * ```ts
 * const hyps = await beamSearch(next, { batchSize: 2, beamSize: 4, vocabSize: 73, bos: 70, eos: 71, maxLength: 30 });
 * hyps[0][0].ids; // the best hypothesis of source 0
 * ```
 */
export async function beamSearch(next: NextLogits, options: BeamSearchOptions): Promise<Hypothesis[][]> {
  const { batchSize: b, beamSize: k, vocabSize: v, bos, eos, maxLength } = options;
  const alpha = options.lengthPenalty ?? 0.6;
  if (!Number.isInteger(k) || k < 1) throw new Error(`beamSearch: beamSize must be a positive integer, got ${k}`);
  if (!Number.isInteger(maxLength) || maxLength < 1) throw new Error(`beamSearch: maxLength must be a positive integer, got ${maxLength}`);
  if (!(alpha >= 0) || !Number.isFinite(alpha)) throw new Error(`beamSearch: lengthPenalty must be a number >= 0, got ${alpha}`);
  const rows = b * k;
  // Live beams: prefix and log-probability per row. At the start only beam 0 of a source is live
  // (the others would repeat it).
  let prefixes: number[][] = Array.from({ length: rows }, () => []);
  let logProbs = Array.from({ length: rows }, (_, r) => (r % k === 0 ? 0 : -Infinity));
  const finished: Hypothesis[][] = Array.from({ length: b }, () => []);
  const done = new Array<boolean>(b).fill(false);
  let tokens = new Array<number>(rows).fill(bos);
  let parents: number[] | null = null;

  for (let step = 0; step < maxLength && done.includes(false); step++) {
    const logits = await next(tokens, parents);
    if (logits.length !== rows * v) throw new Error(`beamSearch: expected ${rows}×${v} logits, got ${logits.length}`);
    const nextPrefixes: number[][] = new Array(rows);
    const nextLogProbs = new Array<number>(rows).fill(-Infinity);
    const nextTokens = new Array<number>(rows).fill(eos);
    const nextParents = Array.from({ length: rows }, (_, r) => r);
    for (let s = 0; s < b; s++) {
      if (done[s]) {
        for (let j = 0; j < k; j++) nextPrefixes[s * k + j] = prefixes[s * k + j]!;
        continue;
      }
      const candidates: Array<{ score: number; beam: number; token: number }> = [];
      for (let j = 0; j < k; j++) {
        const row = s * k + j;
        if (logProbs[row] === -Infinity) continue;
        const lp = logSoftmax(logits.subarray(row * v, (row + 1) * v));
        for (let t = 0; t < v; t++) candidates.push({ score: logProbs[row]! + lp[t]!, beam: j, token: t });
      }
      // Best first; ties to the lower (beam, token), so beam size 1 matches argmax.
      candidates.sort((x, y) => y.score - x.score || x.beam - y.beam || x.token - y.token);
      let live = 0;
      for (let rank = 0; rank < candidates.length && live < k; rank++) {
        const cand = candidates[rank]!;
        const prefix = prefixes[s * k + cand.beam]!;
        if (cand.token === eos) {
          if (rank < k) finished[s]!.push({ ids: prefix.slice(), logProb: cand.score, score: cand.score / gnmtLengthPenalty(prefix.length + 1, alpha), finished: true });
          continue;
        }
        const row = s * k + live;
        nextPrefixes[row] = [...prefix, cand.token];
        nextLogProbs[row] = cand.score;
        nextTokens[row] = cand.token;
        nextParents[row] = s * k + cand.beam;
        live++;
      }
      for (let j = live; j < k; j++) nextPrefixes[s * k + j] = [];
      if (finished[s]!.length >= k) done[s] = true;
    }
    prefixes = nextPrefixes;
    logProbs = nextLogProbs;
    tokens = nextTokens;
    parents = nextParents.every((p, r) => p === r) ? null : nextParents;
  }
  // Sources cut at maxLength: their live beams are hypotheses too.
  for (let s = 0; s < b; s++) {
    if (done[s]) continue;
    for (let j = 0; j < k; j++) {
      const row = s * k + j;
      if (logProbs[row] === -Infinity) continue;
      const ids = prefixes[row]!;
      finished[s]!.push({ ids, logProb: logProbs[row]!, score: logProbs[row]! / gnmtLengthPenalty(ids.length, alpha), finished: false });
    }
  }
  return finished.map((hyps) => hyps.sort((x, y) => y.score - x.score).slice(0, k));
}

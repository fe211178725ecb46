/**
 * chrF (Popović, 2015): an F-score over character n-grams, n = 1…6, recall weighted β = 2 times
 * as much as precision; computed as sacreBLEU 2 does (whitespace removed, statistics pooled over
 * the corpus, the best reference per segment).
 */
import { TEXT_METRICS_VERSION } from './bleu.js';

/** Options of {@link corpusChrf}; the defaults are sacreBLEU's. */
export interface ChrfOptions {
  /** Character n-gram order (default 6). */
  charOrder?: number;
  /** Recall weight (default 2). */
  beta?: number;
  /** Lowercase both sides (default false). */
  lowercase?: boolean;
  /** Keep whitespace inside n-grams (default false: whitespace is removed first). */
  whitespace?: boolean;
  /**
   * Average the per-order F-scores with ε for orders that cannot be matched (chrF++.py / NLTK style),
   * instead of averaging precision and recall over the orders both sides have (default false).
   */
  epsSmoothing?: boolean;
}

/** The result of {@link corpusChrf}. */
export interface ChrfResult {
  /** chrF on a 0–100 scale. */
  score: number;
  /** `nrefs:1|case:mixed|eff:yes|nc:6|nw:0|space:no|version:…` (sacreBLEU's format). */
  signature: string;
}

const EPS = 1e-16;

function charNgrams(text: string, order: number, whitespace: boolean): Array<Map<string, number>> {
  const chars = Array.from(whitespace ? text : text.split(/\s+/).join(''));
  const out: Array<Map<string, number>> = [];
  for (let n = 1; n <= order; n++) {
    const m = new Map<string, number>();
    for (let i = 0; i + n <= chars.length; i++) {
      const g = chars.slice(i, i + n).join('');
      m.set(g, (m.get(g) ?? 0) + 1);
    }
    out.push(m);
  }
  return out;
}

/** Per order: [hypothesis n-grams, reference n-grams, matches]. */
function segmentStats(hyp: Array<Map<string, number>>, ref: Array<Map<string, number>>): number[] {
  const stats: number[] = [];
  for (let n = 0; n < hyp.length; n++) {
    let h = 0;
    let r = 0;
    let match = 0;
    for (const c of hyp[n]!.values()) h += c;
    for (const [g, c] of ref[n]!) {
      r += c;
      match += Math.min(c, hyp[n]!.get(g) ?? 0);
    }
    stats.push(h, r, match);
  }
  return stats;
}

function fScore(stats: number[], beta: number, epsSmoothing: boolean): number {
  const order = stats.length / 3;
  const factor = beta * beta;
  let score = 0;
  let effective = 0;
  let avgP = 0;
  let avgR = 0;
  for (let n = 0; n < order; n++) {
    const [h, r, m] = [stats[3 * n]!, stats[3 * n + 1]!, stats[3 * n + 2]!];
    const p = h > 0 ? m / h : EPS;
    const rec = r > 0 ? m / r : EPS;
    const denom = factor * p + rec;
    score += denom > 0 ? ((1 + factor) * p * rec) / denom : EPS;
    if (h > 0 && r > 0) effective += 1;
    avgP += p;
    avgR += rec;
  }
  if (epsSmoothing) return (100 * score) / order;
  if (effective === 0) return 0;
  avgP /= effective;
  avgR /= effective;
  if (avgP + avgR === 0) return 0;
  return (100 * (1 + factor) * avgP * avgR) / (factor * avgP + avgR);
}

/**
 * Corpus-level chrF with sacreBLEU's defaults (chrF2: 6-gram characters, β = 2, whitespace removed).
 * `references` are reference streams (`references[r][i]`), as in {@link corpusBleu}.
 *
 * @example
 * ```ts
 * corpusChrf(hyps, refs).score; // 59.73 on sacreBLEU's README example
 * ```
 */
export function corpusChrf(hypotheses: string[], references: Array<Array<string | null>>, opts: ChrfOptions = {}): ChrfResult {
  const order = opts.charOrder ?? 6;
  const beta = opts.beta ?? 2;
  const whitespace = opts.whitespace ?? false;
  const eps = opts.epsSmoothing ?? false;
  if (!Number.isInteger(order) || order < 1) throw new Error(`corpusChrf: charOrder must be a positive integer, got ${order}`);
  if (!(beta > 0)) throw new Error(`corpusChrf: beta must be positive, got ${beta}`);
  if (references.length === 0) throw new Error('corpusChrf needs at least one reference stream');
  for (const [r, stream] of references.entries()) {
    if (stream.length !== hypotheses.length) throw new Error(`corpusChrf: reference stream ${r} has ${stream.length} segments but there are ${hypotheses.length} hypotheses`);
  }
  const prep = (s: string) => (opts.lowercase ? s.toLowerCase() : s);
  const totals = new Array<number>(3 * order).fill(0);
  let variable = false;
  for (let i = 0; i < hypotheses.length; i++) {
    const hyp = charNgrams(prep(hypotheses[i]!), order, whitespace);
    const refs = references.map((s) => s[i]).filter((x): x is string => typeof x === 'string' && x.length > 0);
    if (refs.length !== references.length) variable = true;
    if (refs.length === 0) throw new Error(`corpusChrf: hypothesis ${i} has no reference`);
    // The reference that gives this segment the best F-score provides its statistics.
    let best: number[] = [];
    let bestF = -1;
    for (const ref of refs) {
      const stats = segmentStats(hyp, charNgrams(prep(ref), order, whitespace));
      const f = fScore(stats, beta, eps);
      if (f > bestF) {
        bestF = f;
        best = stats;
      }
    }
    for (let k = 0; k < best.length; k++) totals[k]! += best[k]!;
  }
  const signature = [
    `nrefs:${variable ? 'var' : references.length}`,
    `case:${opts.lowercase ? 'lc' : 'mixed'}`,
    `eff:${eps ? 'no' : 'yes'}`,
    `nc:${order}`,
    'nw:0',
    `space:${whitespace ? 'yes' : 'no'}`,
    `version:${TEXT_METRICS_VERSION}`,
  ].join('|');
  return { score: fScore(totals, beta, eps), signature };
}

/**
 * chrF of one hypothesis against its references.
 *
 * @example
 * ```ts
 * sentenceChrf('Lapali po dechu.', ['Lapali po dechu a pak…']).score;
 * ```
 */
export function sentenceChrf(hypothesis: string, references: string[], opts: ChrfOptions = {}): ChrfResult {
  return corpusChrf([hypothesis], references.map((r) => [r]), opts);
}

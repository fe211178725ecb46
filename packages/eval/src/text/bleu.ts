/**
 * Corpus BLEU as sacreBLEU computes it (Post, 2018): the 13a tokenisation of mteval-v13a.pl,
 * clipped n-gram precisions up to 4-grams pooled over the corpus, the brevity penalty against the
 * closest reference length, and sacreBLEU's smoothing methods; plus the signature string that
 * records every setting.
 */

/** Tokenisers known to {@link corpusBleu}. */
export type BleuTokenize = '13a' | 'none';

/** Smoothing of zero n-gram matches (sacreBLEU's `smooth_method`). */
export type BleuSmoothing = 'exp' | 'floor' | 'add-k' | 'none';

/** Options of {@link corpusBleu}; the defaults are sacreBLEU's. */
export interface BleuOptions {
  /** Default '13a'. */
  tokenize?: BleuTokenize;
  /** Lowercase hypotheses and references (default false). */
  lowercase?: boolean;
  /** Default 'exp'. */
  smoothMethod?: BleuSmoothing;
  /** Value for 'floor' (default 0.1) and 'add-k' (default 1). */
  smoothValue?: number;
  /** Highest n-gram order (default 4). */
  maxNgramOrder?: number;
  /** Average only the orders the hypothesis has n-grams for (for sentence-level BLEU; default false). */
  effectiveOrder?: boolean;
}

/** The result of {@link corpusBleu}. */
export interface BleuResult {
  /** BLEU on a 0–100 scale. */
  score: number;
  /** n-gram precisions in percent (after smoothing), n = 1…maxNgramOrder. */
  precisions: number[];
  /** Brevity penalty. */
  bp: number;
  /** hypLen / refLen. */
  ratio: number;
  hypLen: number;
  refLen: number;
  /** Clipped matches per order. */
  counts: number[];
  /** Hypothesis n-grams per order. */
  totals: number[];
  /** Settings, in sacreBLEU's format: `nrefs:2|case:mixed|eff:no|tok:13a|smooth:exp|version:…`. */
  signature: string;
}

/** The version recorded in signatures: this implementation, not sacreBLEU's. */
export const TEXT_METRICS_VERSION = 'genloom-eval-0.1.0';

// mteval-v13a's regular expressions, in the order sacreBLEU applies them.
const PUNCT_13A = /([\{-\~\[-\` -\&\(-\+\:-\@\/])/g; // separate most punctuation and symbols
const PERIOD_COMMA_AFTER_NONDIGIT = /([^0-9])([\.,])/g;
const PERIOD_COMMA_BEFORE_NONDIGIT = /([\.,])([^0-9])/g;
const DASH_AFTER_DIGIT = /([0-9])(-)/g;

/**
 * The 13a tokenisation (mteval-v13a.pl, sacreBLEU's default): unescapes a few HTML entities,
 * separates punctuation and symbols, splits periods and commas that are not inside numbers, and
 * splits a dash after a digit.
 *
 * @example
 * ```ts
 * tokenize13a("It wasn't surprising."); // "It wasn't surprising ."
 * ```
 */
export function tokenize13a(line: string): string {
  let s = line.replaceAll('<skipped>', '').replaceAll('-\n', '').replaceAll('\n', ' ');
  if (s.includes('&')) s = s.replaceAll('&quot;', '"').replaceAll('&amp;', '&').replaceAll('&lt;', '<').replaceAll('&gt;', '>');
  s = ` ${s} `;
  s = s.replace(PUNCT_13A, ' $1 ');
  s = s.replace(PERIOD_COMMA_AFTER_NONDIGIT, '$1 $2 ');
  s = s.replace(PERIOD_COMMA_BEFORE_NONDIGIT, ' $1 $2');
  s = s.replace(DASH_AFTER_DIGIT, '$1 $2 ');
  return s.split(/\s+/).filter((t) => t.length > 0).join(' ');
}

function ngramCounts(tokens: string[], maxOrder: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let n = 1; n <= maxOrder; n++) {
    for (let i = 0; i + n <= tokens.length; i++) {
      // Key: the order, then the tokens, joined by a control character that text does not contain.
      const key = `${n}\u0001${tokens.slice(i, i + n).join('\u0001')}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  return counts;
}

/** Precision of a zero count to keep log() finite, as sacreBLEU's `my_log(0)`. */
const LOG_ZERO = -9999999999;

/**
 * BLEU from pooled statistics (sacreBLEU's `compute_bleu`): exposed so corpus statistics can be
 * accumulated elsewhere and scored once.
 *
 * @example
 * ```ts
 * bleuFromCounts([9, 7, 5, 3], [10, 8, 6, 4], 11, 11).score; // 83.759
 * ```
 */
export function bleuFromCounts(
  counts: number[],
  totals: number[],
  hypLen: number,
  refLen: number,
  opts: Pick<BleuOptions, 'smoothMethod' | 'smoothValue' | 'effectiveOrder'> = {},
): Omit<BleuResult, 'signature'> {
  const order = counts.length;
  const method = opts.smoothMethod ?? 'exp';
  const smoothValue = opts.smoothValue ?? (method === 'floor' ? 0.1 : method === 'add-k' ? 1 : 0);
  const correct = counts.slice();
  const total = totals.slice();
  const precisions = new Array<number>(order).fill(0);
  const bp = hypLen < refLen ? (hypLen > 0 ? Math.exp(1 - refLen / hypLen) : 0) : 1;
  const base = { precisions, bp, ratio: refLen > 0 ? hypLen / refLen : 0, hypLen, refLen, counts: counts.slice(), totals: totals.slice() };
  if (hypLen === 0) return { score: 0, ...base };
  let smoothMteval = 1;
  let effOrder = order;
  for (let n = 1; n <= order; n++) {
    if (method === 'add-k' && n > 1) {
      correct[n - 1]! += smoothValue;
      total[n - 1]! += smoothValue;
    }
    if (total[n - 1] === 0) break;
    if (opts.effectiveOrder) effOrder = n;
    if (correct[n - 1] === 0) {
      if (method === 'exp') {
        smoothMteval *= 2;
        precisions[n - 1] = 100 / (smoothMteval * total[n - 1]!);
      } else if (method === 'floor') {
        precisions[n - 1] = (100 * smoothValue) / total[n - 1]!;
      }
    } else {
      precisions[n - 1] = (100 * correct[n - 1]!) / total[n - 1]!;
    }
  }
  let logSum = 0;
  for (let n = 0; n < effOrder; n++) logSum += precisions[n]! > 0 ? Math.log(precisions[n]!) : LOG_ZERO;
  return { score: bp * Math.exp(logSum / effOrder), ...base };
}

/**
 * Corpus-level BLEU with sacreBLEU's defaults (13a tokens, exp smoothing, 4-grams, mixed case).
 * `references` are reference *streams*, as in sacreBLEU: `references[r][i]` is the r-th reference
 * of hypothesis i. An empty string (or null) marks a missing reference (`nrefs:var`).
 *
 * @example
 * ```ts
 * const refs = [
 *   ['The dog bit the man.', 'It was not unexpected.', 'The man bit him first.'],
 *   ['The dog had bit the man.', 'No one was surprised.', 'The man had bitten the dog.'],
 * ];
 * const hyps = ['The dog bit the man.', "It wasn't surprising.", 'The man had just bitten him.'];
 * corpusBleu(hyps, refs).score;   // 48.53
 * corpusBleu(hyps, refs).signature; // nrefs:2|case:mixed|eff:no|tok:13a|smooth:exp|version:genloom-eval-0.1.0
 * ```
 */
export function corpusBleu(hypotheses: string[], references: Array<Array<string | null>>, opts: BleuOptions = {}): BleuResult {
  const maxOrder = opts.maxNgramOrder ?? 4;
  const tokenize = opts.tokenize ?? '13a';
  const method = opts.smoothMethod ?? 'exp';
  if (!['13a', 'none'].includes(tokenize)) throw new Error(`corpusBleu: unknown tokenize "${tokenize}"; expected 13a or none`);
  if (!['exp', 'floor', 'add-k', 'none'].includes(method)) throw new Error(`corpusBleu: unknown smoothMethod "${method}"; expected exp, floor, add-k or none`);
  if (!Number.isInteger(maxOrder) || maxOrder < 1) throw new Error(`corpusBleu: maxNgramOrder must be a positive integer, got ${maxOrder}`);
  if (references.length === 0) throw new Error('corpusBleu needs at least one reference stream');
  for (const [r, stream] of references.entries()) {
    if (stream.length !== hypotheses.length) throw new Error(`corpusBleu: reference stream ${r} has ${stream.length} segments but there are ${hypotheses.length} hypotheses`);
  }
  const prep = (s: string) => {
    const t = opts.lowercase ? s.toLowerCase() : s;
    const tok = tokenize === '13a' ? tokenize13a(t) : t;
    return tok.split(/\s+/).filter((x) => x.length > 0);
  };
  const counts = new Array<number>(maxOrder).fill(0);
  const totals = new Array<number>(maxOrder).fill(0);
  let hypLen = 0;
  let refLen = 0;
  let variable = false;
  for (let i = 0; i < hypotheses.length; i++) {
    const hyp = prep(hypotheses[i]!);
    const refs = references.map((stream) => stream[i]).filter((x): x is string => typeof x === 'string' && x.length > 0);
    if (refs.length !== references.length) variable = true;
    if (refs.length === 0) throw new Error(`corpusBleu: hypothesis ${i} has no reference`);
    // Clip each n-gram by its largest count in any one reference; brevity against the closest length.
    const maxRef = new Map<string, number>();
    let closestLen = -1;
    let closestDiff = -1;
    for (const ref of refs) {
      const tokens = prep(ref);
      const diff = Math.abs(hyp.length - tokens.length);
      if (closestDiff === -1 || diff < closestDiff || (diff === closestDiff && tokens.length < closestLen)) {
        closestDiff = diff;
        closestLen = tokens.length;
      }
      for (const [g, c] of ngramCounts(tokens, maxOrder)) maxRef.set(g, Math.max(maxRef.get(g) ?? 0, c));
    }
    hypLen += hyp.length;
    refLen += closestLen;
    for (const [g, c] of ngramCounts(hyp, maxOrder)) {
      const n = Number(g.slice(0, g.indexOf('\u0001')));
      counts[n - 1]! += Math.min(c, maxRef.get(g) ?? 0);
    }
    for (let n = 1; n <= maxOrder; n++) totals[n - 1]! += Math.max(0, hyp.length - n + 1);
  }
  const result = bleuFromCounts(counts, totals, hypLen, refLen, opts);
  const smoothDefault = method === 'floor' ? 0.1 : method === 'add-k' ? 1 : null;
  const smooth = smoothDefault === null ? method : `${method}[${(opts.smoothValue ?? smoothDefault).toFixed(2)}]`;
  const signature = [
    `nrefs:${variable ? 'var' : references.length}`,
    `case:${opts.lowercase ? 'lc' : 'mixed'}`,
    `eff:${opts.effectiveOrder ? 'yes' : 'no'}`,
    `tok:${tokenize}`,
    `smooth:${smooth}`,
    `version:${TEXT_METRICS_VERSION}`,
  ].join('|');
  return { ...result, signature };
}

/**
 * Scores from human judgements: Bradley–Terry strengths and Elo ratings from pairwise
 * comparisons, and agreement between raters (pairwise agreement, Cohen's and Fleiss' kappa).
 * Pure functions, usable in a browser.
 */
import { Rng } from '@genloom/core';

/** One comparison between two players (checkpoints): `a` beat `b`, or a tie. */
export interface Comparison {
  a: string;
  b: string;
  /** 1: a won, 0: b won, 0.5: tie. */
  outcome: 1 | 0 | 0.5;
}

/** A player's Bradley–Terry result. */
export interface BradleyTerryScore {
  /** Strength πᵢ, normalised to geometric mean 1: P(i beats j) = πᵢ / (πᵢ + πⱼ). */
  strength: number;
  /** ln πᵢ (the "logit" scale; differences are log-odds). */
  logStrength: number;
  wins: number;
  losses: number;
  ties: number;
}

function checkComparisons(comparisons: readonly Comparison[], what: string): string[] {
  const names = new Set<string>();
  comparisons.forEach((c, i) => {
    if (typeof c.a !== 'string' || typeof c.b !== 'string' || c.a.length === 0 || c.b.length === 0) throw new Error(`${what}: comparison ${i} needs non-empty player names a and b`);
    if (c.a === c.b) throw new Error(`${what}: comparison ${i} compares "${c.a}" with itself`);
    if (c.outcome !== 1 && c.outcome !== 0 && c.outcome !== 0.5) throw new Error(`${what}: comparison ${i} has outcome ${String(c.outcome)}; expected 1 (a won), 0 (b won) or 0.5 (tie)`);
    names.add(c.a);
    names.add(c.b);
  });
  return [...names].sort();
}

/**
 * Bradley–Terry strengths by Hunter's MM algorithm: πᵢ ← Wᵢ / Σⱼ nᵢⱼ / (πᵢ + πⱼ), ties counting
 * half a win to each side. A weak prior (`prior` virtual wins and losses against a player of
 * strength 1) keeps the estimate finite for undefeated or winless players and disconnected
 * comparison graphs.
 *
 * @example
 * ```ts
 * const scores = bradleyTerry([{ a: 'ckpt-2', b: 'ckpt-1', outcome: 1 }, …]);
 * scores['ckpt-2'].strength; // > scores['ckpt-1'].strength
 * ```
 */
export function bradleyTerry(comparisons: readonly Comparison[], opts: { prior?: number; maxIterations?: number; tolerance?: number } = {}): Record<string, BradleyTerryScore> {
  const names = checkComparisons(comparisons, 'bradleyTerry');
  const prior = opts.prior ?? 0.1;
  if (!(prior >= 0)) throw new Error(`bradleyTerry: prior must be ≥ 0, got ${prior}`);
  const index = new Map(names.map((n, i) => [n, i]));
  const k = names.length;
  const wins = new Float64Array(k);
  const record = names.map(() => ({ wins: 0, losses: 0, ties: 0 }));
  // Games between each pair, kept sparse.
  const games = new Map<number, number>();
  for (const c of comparisons) {
    const i = index.get(c.a)!;
    const j = index.get(c.b)!;
    wins[i]! += c.outcome;
    wins[j]! += 1 - c.outcome;
    if (c.outcome === 1) {
      record[i]!.wins++;
      record[j]!.losses++;
    } else if (c.outcome === 0) {
      record[j]!.wins++;
      record[i]!.losses++;
    } else {
      record[i]!.ties++;
      record[j]!.ties++;
    }
    const key = Math.min(i, j) * k + Math.max(i, j);
    games.set(key, (games.get(key) ?? 0) + 1);
  }
  const pairs = [...games].map(([key, n]) => [Math.floor(key / k), key % k, n] as const);
  let p = new Float64Array(k).fill(1);
  const maxIterations = opts.maxIterations ?? 10_000;
  const tolerance = opts.tolerance ?? 1e-10;
  for (let iter = 0; iter < maxIterations; iter++) {
    const denom = new Float64Array(k);
    for (const [i, j, n] of pairs) {
      const t = n / (p[i]! + p[j]!);
      denom[i]! += t;
      denom[j]! += t;
    }
    const next = new Float64Array(k);
    let logMean = 0;
    for (let i = 0; i < k; i++) {
      next[i] = (wins[i]! + prior) / (denom[i]! + (2 * prior) / (p[i]! + 1));
      logMean += Math.log(next[i]!);
    }
    // Normalise to geometric mean 1 (the scale is not identified by the data).
    const g = Math.exp(logMean / k);
    let change = 0;
    for (let i = 0; i < k; i++) {
      next[i]! /= g;
      change = Math.max(change, Math.abs(Math.log(next[i]!) - Math.log(p[i]!)));
    }
    p = next;
    if (change < tolerance) break;
  }
  return Object.fromEntries(names.map((n, i) => [n, { strength: p[i]!, logStrength: Math.log(p[i]!), ...record[i]! }]));
}

/**
 * Elo ratings from comparisons played in order (expected score 1 / (1 + 10^((Rb − Ra)/400)),
 * update K·(result − expected)). Because Elo depends on the order of games, `shuffles > 0` averages
 * the ratings over that many seeded random orders instead of the given one.
 *
 * @example
 * ```ts
 * elo(comparisons, { k: 16, shuffles: 100 }); // { 'ckpt-2': 1540.2, 'ckpt-1': 1459.8 }
 * ```
 */
export function elo(comparisons: readonly Comparison[], opts: { k?: number; initial?: number; shuffles?: number; seed?: number } = {}): Record<string, number> {
  const names = checkComparisons(comparisons, 'elo');
  const kFactor = opts.k ?? 32;
  const initial = opts.initial ?? 1500;
  const shuffles = opts.shuffles ?? 0;
  const play = (order: readonly Comparison[]) => {
    const r = new Map(names.map((n) => [n, initial]));
    for (const c of order) {
      const ra = r.get(c.a)!;
      const rb = r.get(c.b)!;
      const expected = 1 / (1 + 10 ** ((rb - ra) / 400));
      const delta = kFactor * (c.outcome - expected);
      r.set(c.a, ra + delta);
      r.set(c.b, rb - delta);
    }
    return r;
  };
  if (shuffles <= 0) return Object.fromEntries(play(comparisons));
  const rng = new Rng(opts.seed ?? 0);
  const sum = new Map(names.map((n) => [n, 0]));
  for (let s = 0; s < shuffles; s++) {
    for (const [n, v] of play(rng.shuffle([...comparisons]))) sum.set(n, sum.get(n)! + v);
  }
  return Object.fromEntries(names.map((n) => [n, sum.get(n)! / shuffles]));
}

/**
 * Cohen's kappa between two raters who labelled the same items: (pₒ − pₑ) / (1 − pₑ).
 *
 * @example
 * ```ts
 * cohenKappa(['y', 'y', 'n', 'n'], ['y', 'n', 'n', 'n']); // 0.5
 * ```
 */
export function cohenKappa<T>(a: readonly T[], b: readonly T[]): number {
  if (a.length !== b.length) throw new Error(`cohenKappa: rater A labelled ${a.length} items and rater B ${b.length}; they must label the same items`);
  if (a.length === 0) throw new Error('cohenKappa needs at least one item');
  const n = a.length;
  let agree = 0;
  const ca = new Map<T, number>();
  const cb = new Map<T, number>();
  for (let i = 0; i < n; i++) {
    if (a[i] === b[i]) agree++;
    ca.set(a[i]!, (ca.get(a[i]!) ?? 0) + 1);
    cb.set(b[i]!, (cb.get(b[i]!) ?? 0) + 1);
  }
  let pe = 0;
  for (const [label, count] of ca) pe += (count / n) * ((cb.get(label) ?? 0) / n);
  const po = agree / n;
  return pe === 1 ? 1 : (po - pe) / (1 - pe);
}

/**
 * Fleiss' kappa from a count table: `counts[i][j]` raters put item i in category j. Items may have
 * different numbers of raters (≥ 2 each); with equal numbers this is Fleiss' original statistic.
 *
 * @example
 * ```ts
 * fleissKappa([[0, 3], [3, 0], [1, 2]]); // 3 items, 3 raters each, 2 categories
 * ```
 */
export function fleissKappa(counts: readonly (readonly number[])[]): number {
  if (counts.length === 0) throw new Error('fleissKappa needs at least one item');
  const categories = counts[0]!.length;
  const totals = new Float64Array(categories);
  let ratings = 0;
  let agreement = 0;
  counts.forEach((row, i) => {
    if (row.length !== categories) throw new Error(`fleissKappa: item ${i} has ${row.length} categories, item 0 has ${categories}`);
    const n = row.reduce((s, v) => s + v, 0);
    if (row.some((v) => !Number.isInteger(v) || v < 0)) throw new Error(`fleissKappa: item ${i} has a count that is not a non-negative integer: [${row}]`);
    if (n < 2) throw new Error(`fleissKappa: item ${i} has ${n} ratings; every item needs at least 2`);
    let same = 0;
    row.forEach((v, j) => {
      same += v * (v - 1);
      totals[j]! += v;
    });
    agreement += same / (n * (n - 1));
    ratings += n;
  });
  const pBar = agreement / counts.length;
  let pe = 0;
  for (let j = 0; j < categories; j++) pe += (totals[j]! / ratings) ** 2;
  return pe === 1 ? 1 : (pBar - pe) / (1 - pe);
}

/**
 * The share of agreeing pairs among all pairs of ratings given to the same item, over items
 * with at least two ratings (NaN when there are none).
 *
 * @example
 * ```ts
 * pairwiseAgreement([['a', 'a', 'b'], ['b', 'b']]); // (1 of 3 pairs + 1 of 1) / 4 = 0.5
 * ```
 */
export function pairwiseAgreement<T>(items: readonly (readonly T[])[]): number {
  let agree = 0;
  let pairs = 0;
  for (const labels of items) {
    for (let i = 0; i < labels.length; i++) {
      for (let j = i + 1; j < labels.length; j++) {
        pairs++;
        if (labels[i] === labels[j]) agree++;
      }
    }
  }
  return pairs === 0 ? NaN : agree / pairs;
}

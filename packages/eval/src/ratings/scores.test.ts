import { Rng } from '@genloom/core';
import { describe, expect, it } from 'vitest';
import { bradleyTerry, cohenKappa, elo, fleissKappa, pairwiseAgreement, type Comparison } from './scores.js';

/** Comparisons drawn from a Bradley–Terry model with known strengths. */
function planted(strengths: Record<string, number>, games: number, seed: number): Comparison[] {
  const names = Object.keys(strengths);
  const rng = new Rng(seed);
  const out: Comparison[] = [];
  for (let g = 0; g < games; g++) {
    const i = rng.int(names.length);
    let j = rng.int(names.length - 1);
    if (j >= i) j++;
    const [a, b] = [names[i]!, names[j]!];
    out.push({ a, b, outcome: rng.float() < strengths[a]! / (strengths[a]! + strengths[b]!) ? 1 : 0 });
  }
  return out;
}

describe('Bradley–Terry and Elo', () => {
  it('Bradley–Terry gives the exact MLE on a hand example (3 wins to 1 → strength ratio 3)', () => {
    const games: Comparison[] = [
      { a: 'x', b: 'y', outcome: 1 },
      { a: 'x', b: 'y', outcome: 1 },
      { a: 'y', b: 'x', outcome: 0 },
      { a: 'y', b: 'x', outcome: 1 },
    ];
    const s = bradleyTerry(games, { prior: 0 });
    expect(s.x!.strength / s.y!.strength).toBeCloseTo(3, 8);
    expect(s.x!.strength * s.y!.strength).toBeCloseTo(1, 8); // geometric mean 1
    expect([s.x!.wins, s.x!.losses, s.y!.wins]).toEqual([3, 1, 1]);
  });

  it('both recover a planted ranking of five checkpoints', () => {
    const truth = { e: 0.25, d: 0.5, c: 1, b: 2, a: 4 };
    const games = planted(truth, 3000, 5);
    const bt = bradleyTerry(games);
    const ranked = Object.entries(bt).sort((p, q) => q[1].strength - p[1].strength).map(([n]) => n);
    expect(ranked).toEqual(['a', 'b', 'c', 'd', 'e']);
    // Log-strength gaps are ln 2 apart in the truth.
    for (const [hi, lo] of [['a', 'b'], ['b', 'c'], ['c', 'd'], ['d', 'e']] as const) {
      expect(bt[hi]!.logStrength - bt[lo]!.logStrength).toBeGreaterThan(Math.LN2 - 0.25);
      expect(bt[hi]!.logStrength - bt[lo]!.logStrength).toBeLessThan(Math.LN2 + 0.25);
    }
    const ratings = elo(games, { k: 16, shuffles: 20, seed: 1 });
    expect(Object.entries(ratings).sort((p, q) => q[1] - p[1]).map(([n]) => n)).toEqual(['a', 'b', 'c', 'd', 'e']);
    // 400·log10(2) ≈ 120 Elo points per doubling of strength.
    expect(ratings.a! - ratings.e!).toBeGreaterThan(300);
    expect(ratings.a! - ratings.e!).toBeLessThan(650);
  });

  it('is finite for an undefeated player and rejects bad comparisons', () => {
    const s = bradleyTerry([{ a: 'p', b: 'q', outcome: 1 }]);
    expect(Number.isFinite(s.p!.strength)).toBe(true);
    expect(s.p!.strength).toBeGreaterThan(s.q!.strength);
    expect(elo([{ a: 'p', b: 'q', outcome: 1 }], { k: 32 })).toEqual({ p: 1516, q: 1484 });
    expect(() => bradleyTerry([{ a: 'p', b: 'p', outcome: 1 }])).toThrow(/compares "p" with itself/);
    expect(() => elo([{ a: 'p', b: 'q', outcome: 2 as never }])).toThrow(/outcome 2/);
  });
});

describe('agreement statistics', () => {
  it("Cohen's kappa on Wikipedia's 50-item example is 0.4", () => {
    // 20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no.
    const a = [...Array(25).fill('y'), ...Array(25).fill('n')];
    const b = [...Array(20).fill('y'), ...Array(5).fill('n'), ...Array(10).fill('y'), ...Array(15).fill('n')];
    expect(cohenKappa(a, b)).toBeCloseTo(0.4, 12);
    expect(cohenKappa(['y', 'y', 'n', 'n'], ['y', 'n', 'n', 'n'])).toBeCloseTo(0.5, 12);
  });

  it("Fleiss' kappa on Wikipedia's 10-item, 14-rater example is 0.210", () => {
    const table = [
      [0, 0, 0, 0, 14],
      [0, 2, 6, 4, 2],
      [0, 0, 3, 5, 6],
      [0, 3, 9, 2, 0],
      [2, 2, 8, 1, 1],
      [7, 7, 0, 0, 0],
      [3, 2, 6, 3, 0],
      [2, 5, 3, 2, 2],
      [6, 5, 2, 1, 0],
      [0, 2, 2, 3, 7],
    ];
    expect(fleissKappa(table)).toBeCloseTo(0.21, 3);
    expect(fleissKappa([[3, 0], [0, 3]])).toBe(1);
    expect(() => fleissKappa([[1, 0]])).toThrow(/item 0 has 1 ratings/);
  });

  it('pairwise agreement counts agreeing pairs of ratings per item', () => {
    expect(pairwiseAgreement([['a', 'a', 'b'], ['b', 'b']])).toBe(0.5);
    expect(pairwiseAgreement([['a']])).toBeNaN();
  });
});

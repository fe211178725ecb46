import { describe, expect, it } from 'vitest';
import { Rng, deriveSeed } from './rng.js';

describe('Rng', () => {
  it('is reproducible from a seed and differs across seeds', () => {
    const a = new Rng(42), b = new Rng(42), c = new Rng(43);
    const xs = Array.from({ length: 5 }, () => a.nextUint32());
    expect(Array.from({ length: 5 }, () => b.nextUint32())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c.nextUint32())).not.toEqual(xs);
  });

  it('resumes the same stream from a saved state', () => {
    const a = new Rng(7);
    for (let i = 0; i < 10; i++) a.float();
    const b = Rng.fromState(a.getState());
    expect(Array.from({ length: 8 }, () => b.float())).toEqual(Array.from({ length: 8 }, () => a.float()));
  });

  it('has the moments of the uniform and normal distributions', () => {
    const rng = new Rng(1);
    const n = 100_000;
    let su = 0, sn = 0, sn2 = 0;
    for (let i = 0; i < n; i++) {
      su += rng.float();
      const z = rng.normal();
      sn += z;
      sn2 += z * z;
    }
    expect(su / n).toBeCloseTo(0.5, 2);
    expect(sn / n).toBeCloseTo(0, 1);
    expect(sn2 / n).toBeCloseTo(1, 1);
  });

  it('draws unbiased integers and valid permutations', () => {
    const rng = new Rng(5);
    const counts = new Array(6).fill(0);
    for (let i = 0; i < 60_000; i++) counts[rng.int(6)]++;
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(400);
    const p = Array.from(rng.permutation(100)).sort((x, y) => x - y);
    expect(p).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  it('samples a categorical distribution in proportion to its weights', () => {
    const rng = new Rng(9);
    const counts = [0, 0, 0];
    for (let i = 0; i < 30_000; i++) counts[rng.categorical([1, 2, 7])]!++;
    expect(counts[2]! / 30_000).toBeCloseTo(0.7, 1);
    expect(() => rng.categorical([0, 0])).toThrow(/sum to 0/);
    expect(() => rng.categorical([1, NaN])).toThrow(/weight 1 is NaN/);
  });

  it('rejects bad seeds, bounds and states with clear errors', () => {
    expect(() => new Rng(NaN)).toThrow(/finite/);
    expect(() => new Rng(1).int(0)).toThrow(/integer n/);
    expect(() => new Rng(1).setState([1, 2, 3] as never)).toThrow(/four unsigned/);
  });

  it('derives distinct, stable seeds from coordinates', () => {
    expect(deriveSeed(1, 2, 3)).toBe(deriveSeed(1, 2, 3));
    expect(deriveSeed(1, 2, 3)).not.toBe(deriveSeed(1, 3, 2));
  });
});

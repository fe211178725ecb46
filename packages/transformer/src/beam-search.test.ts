import { describe, expect, it } from 'vitest';
import { beamSearch, gnmtLengthPenalty, type NextLogits } from './beam-search.js';

const [A, B, EOS, BOS] = [0, 1, 2, 3];

/** A toy "model": next-token probabilities as a function of the prefix, tracked through the back-pointers. */
function toyModel(probs: (prefix: number[]) => [number, number, number]): { next: NextLogits; calls: number[][][] } {
  let prefixes: number[][] = [];
  const calls: number[][][] = [];
  const next: NextLogits = async (tokens, parents) => {
    prefixes = tokens.map((t, r) => (t === BOS ? [] : [...(prefixes[parents ? parents[r]! : r] ?? []), t]));
    calls.push(prefixes.map((p) => p.slice()));
    const out = new Float32Array(tokens.length * 4);
    prefixes.forEach((p, r) => {
      const [pa, pb, pe] = probs(p);
      out.set([Math.log(pa), Math.log(pb), Math.log(pe), Math.log(1e-9)], r * 4);
    });
    return out;
  };
  return { next, calls };
}

const options = { batchSize: 1, vocabSize: 4, bos: BOS, eos: EOS, maxLength: 6 };

describe('beamSearch', () => {
  it("GNMT's length penalty by hand", () => {
    expect(gnmtLengthPenalty(1, 0.6)).toBe(1);
    expect(gnmtLengthPenalty(7, 1)).toBe(2);
    expect(gnmtLengthPenalty(3, 0)).toBe(1);
  });

  it('finds the more likely sequence that greedy decoding misses', async () => {
    // Greedy takes A (0.5) and then ends (0.34): P = 0.17. B (0.4) then eos (0.9) has P = 0.36.
    const probs = (p: number[]): [number, number, number] => (p.length === 0 ? [0.5, 0.4, 0.1] : p[0] === A ? [0.33, 0.33, 0.34] : [0.05, 0.05, 0.9]);
    const greedy = await beamSearch(toyModel(probs).next, { ...options, beamSize: 1, lengthPenalty: 0 });
    expect(greedy[0]![0]!.ids).toEqual([A]);
    expect(greedy[0]![0]!.logProb).toBeCloseTo(Math.log(0.5 * 0.34), 5);
    const beam = await beamSearch(toyModel(probs).next, { ...options, beamSize: 2, lengthPenalty: 0 });
    expect(beam[0]![0]!.ids).toEqual([B]);
    expect(beam[0]![0]!.logProb).toBeCloseTo(Math.log(0.4 * 0.9), 5);
    expect(beam[0]![1]!.ids).toEqual([A]);
  });

  it('the length penalty lets a longer hypothesis win', async () => {
    // [] ends at once with P = 0.45; [A] has P = 0.55 · 0.6 = 0.33.
    const probs = (p: number[]): [number, number, number] => (p.length === 0 ? [0.55, 1e-6, 0.45] : p.length === 1 ? [0.4, 1e-6, 0.6] : [1e-6, 1e-6, 1]);
    const plain = await beamSearch(toyModel(probs).next, { ...options, beamSize: 2, lengthPenalty: 0 });
    expect(plain[0]![0]!.ids).toEqual([]);
    expect(plain[0]![0]!.score).toBeCloseTo(Math.log(0.45), 5);
    const penalised = await beamSearch(toyModel(probs).next, { ...options, beamSize: 2, lengthPenalty: 4 });
    expect(penalised[0]![0]!.ids).toEqual([A]);
    expect(penalised[0]![0]!.score).toBeCloseTo(Math.log(0.55 * 0.6) / (7 / 6) ** 4, 4);
    expect(penalised[0]![1]!.score).toBeCloseTo(Math.log(0.45), 4);
  });

  it('stops at maxLength with unfinished hypotheses, and decodes sources independently', async () => {
    const never = (): [number, number, number] => [0.6, 0.3, 0.1]; // eos is never among the best
    const { next, calls } = toyModel(never);
    const out = await beamSearch(next, { ...options, batchSize: 2, beamSize: 1, maxLength: 3, lengthPenalty: 0 });
    expect(calls.length).toBe(3);
    for (const hyps of out) {
      expect(hyps[0]!.ids).toEqual([A, A, A]);
      expect(hyps[0]!.finished).toBe(false);
      expect(hyps[0]!.logProb).toBeCloseTo(3 * Math.log(0.6), 5);
    }
  });

  it('rejects bad options with the value named', async () => {
    const { next } = toyModel(() => [0.3, 0.3, 0.4]);
    await expect(beamSearch(next, { ...options, beamSize: 0 })).rejects.toThrow(/beamSize must be a positive integer, got 0/);
    await expect(beamSearch(next, { ...options, beamSize: 2, lengthPenalty: -1 })).rejects.toThrow(/lengthPenalty must be a number >= 0, got -1/);
  });
});

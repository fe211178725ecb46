import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '@genloom/core';
import { afterEach, describe, expect, it } from 'vitest';
import { RatingStore } from './store.js';

const stores: RatingStore[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});
const open = (path = ':memory:') => {
  const s = RatingStore.open(path);
  stores.push(s);
  return s;
};

describe('RatingStore', () => {
  it('stores preferences and judgements with who, when, which checkpoint and which sample', () => {
    const store = open();
    const id = store.addPreference({ rater: 'ana', left: { checkpoint: 'vae', sample: 's1' }, right: { checkpoint: 'gan', sample: 's2' }, winner: 'right', prompt: 'digit 7', at: '2026-01-02T03:04:05Z' });
    store.addJudgement({ rater: 'ben', sample: 's2', checkpoint: 'gan', judgedReal: true, confidence: 0.8, at: new Date('2026-01-02T03:05:00Z') });
    store.addJudgement({ rater: 'ben', sample: 'test-1', checkpoint: null, judgedReal: true });
    expect(store.preferences()).toEqual([
      { id, rater: 'ana', at: '2026-01-02T03:04:05.000Z', left: { checkpoint: 'vae', sample: 's1' }, right: { checkpoint: 'gan', sample: 's2' }, winner: 'right', prompt: 'digit 7' },
    ]);
    const js = store.judgements({ rater: 'ben' });
    expect(js.map((j) => [j.sample, j.checkpoint, j.judgedReal, j.confidence])).toEqual([
      ['s2', 'gan', true, 0.8],
      ['test-1', null, true, null],
    ]);
    expect(store.judgements({ checkpoint: 'gan' })).toHaveLength(1);
    expect(store.preferences({ checkpoint: 'vae' })).toHaveLength(1);
    expect(store.preferences({ rater: 'nobody' })).toHaveLength(0);
  });

  it('rejects bad rows with an error naming the field, and a bad batch leaves nothing behind', () => {
    const store = open();
    const ok = { rater: 'ana', left: { checkpoint: 'a', sample: '1' }, right: { checkpoint: 'b', sample: '2' }, winner: 'left' as const };
    expect(() => store.addPreference({ ...ok, rater: '' })).toThrow(/rater must be a non-empty string/);
    expect(() => store.addPreference({ ...ok, winner: 'both' as never })).toThrow(/winner must be "left", "right" or "tie", got "both"/);
    expect(() => store.addPreference({ ...ok, right: { checkpoint: 'a', sample: '3' } })).toThrow(/same checkpoint "a"/);
    expect(() => store.addPreference({ ...ok, left: { checkpoint: 'a' } as never })).toThrow(/left.sample must be a non-empty string/);
    expect(() => store.addPreference({ ...ok, at: 'yesterday' })).toThrow(/at must be a Date or an ISO date string/);
    expect(() => store.addJudgement({ rater: 'ana', sample: 'x', checkpoint: 'a', judgedReal: 1 as never })).toThrow(/judgedReal must be true or false/);
    expect(() => store.addJudgement({ rater: 'ana', sample: 'x', checkpoint: 'a', judgedReal: true, confidence: 1.5 })).toThrow(/confidence must be a number in \[0, 1\]/);
    expect(() => store.addJudgement({ rater: 'ana', sample: 'x', checkpoint: '', judgedReal: true })).toThrow(/checkpoint \(null for a real sample\) must be a non-empty string/);
    expect(() => store.addMany({ preferences: [ok, ok, { ...ok, winner: 'nope' as never }] })).toThrow(/preferences\[2\]: rating rejected: winner/);
    expect(store.preferences()).toHaveLength(0);
    store.addMany({ preferences: [ok, ok], judgements: [{ rater: 'ana', sample: '1', checkpoint: 'a', judgedReal: false }] });
    expect(store.preferences()).toHaveLength(2);
    // Bound parameters: text that looks like SQL is stored as text.
    store.addPreference({ ...ok, rater: "x'); DROP TABLE preferences; --" });
    expect(store.preferences({ rater: "x'); DROP TABLE preferences; --" })).toHaveLength(1);
  });

  it('recovers a planted ranking of checkpoints, with realism and agreement, and persists on disk', () => {
    const dir = mkdtempSync(join(tmpdir(), 'genloom-ratings-'));
    try {
      const path = join(dir, 'ratings.sqlite');
      const store = open(path);
      const truth: Record<string, number> = { 'ckpt-1k': 0.5, 'ckpt-2k': 1, 'ckpt-4k': 2 };
      const names = Object.keys(truth);
      const rng = new Rng(9);
      const prefs = [];
      for (let g = 0; g < 600; g++) {
        const i = rng.int(3);
        const j = (i + 1 + rng.int(2)) % 3;
        const [a, b] = [names[i]!, names[j]!];
        // Three raters see the same pair; each answers with the model's probabilities.
        const pair = { left: { checkpoint: a, sample: `${a}-${g}` }, right: { checkpoint: b, sample: `${b}-${g}` } };
        for (const rater of ['ana', 'ben', 'cy']) prefs.push({ rater, ...pair, winner: rng.float() < truth[a]! / (truth[a]! + truth[b]!) ? ('left' as const) : ('right' as const) });
      }
      const judgements = [];
      for (let s = 0; s < 100; s++) {
        for (const rater of ['ana', 'ben']) {
          judgements.push({ rater, sample: `real-${s}`, checkpoint: null, judgedReal: rng.float() < 0.9 });
          judgements.push({ rater, sample: `ckpt-4k-j${s}`, checkpoint: 'ckpt-4k', judgedReal: rng.float() < 0.4 });
        }
      }
      store.addMany({ preferences: prefs, judgements });
      store.close();
      stores.pop();
      const again = open(path);
      const summary = again.summary({ eloShuffles: 10 });
      const byBt = Object.entries(summary.bradleyTerry).sort((p, q) => q[1].strength - p[1].strength).map(([n]) => n);
      expect(byBt).toEqual(['ckpt-4k', 'ckpt-2k', 'ckpt-1k']);
      expect(Object.entries(summary.elo).sort((p, q) => q[1] - p[1]).map(([n]) => n)).toEqual(['ckpt-4k', 'ckpt-2k', 'ckpt-1k']);
      expect(summary.realism.real!.judgedRealRate).toBeGreaterThan(0.8);
      expect(summary.realism['ckpt-4k']!.judgedRealRate).toBeLessThan(0.55);
      // Independent raters agree only as often as their shared probabilities imply: kappa near 0.
      expect(summary.agreement.preferences.items).toBe(600);
      expect(Math.abs(summary.agreement.preferences.fleissKappa)).toBeLessThan(0.15);
      expect(summary.agreement.judgements.items).toBe(200);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

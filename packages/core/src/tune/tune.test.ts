import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileTuneJournal } from '../node.js';
import { deriveSeed, Rng } from '../rng.js';
import { memoryTuneJournal, resultsToCsv, tune, type TrialJob } from './tune.js';
import type { SearchSpace } from './space.js';

const space: SearchSpace = {
  lr: { type: 'loguniform', min: 1e-5, max: 1e-1 },
  width: { type: 'int', min: 8, max: 128 },
  act: { type: 'choice', values: ['relu', 'gelu'] },
};

// A planted optimum at lr = 1e-3, width = 64, gelu. Longer budgets lower every trial's value alike
// and shrink the evaluation noise, as real validation losses do.
function objective(job: TrialJob): number {
  const lr = job.params.lr as number;
  const width = job.params.width as number;
  const quality = (Math.log10(lr) + 3) ** 2 + ((width - 64) / 32) ** 2 + (job.params.act === 'gelu' ? 0 : 0.3);
  const noise = (new Rng(deriveSeed(job.seed, job.budget)).normal() * 0.05) / Math.sqrt(job.budget / 9);
  return quality + 10 / job.budget + noise;
}

describe('tune', () => {
  it('random search finds the planted optimum', async () => {
    const { best, records } = await tune(space, async (job) => ({ objective: objective(job) }), { trials: 60, budget: 10, seed: 1 });
    expect(records.length).toBe(60);
    expect(Math.abs(Math.log10(best.params.lr as number) + 3)).toBeLessThan(0.5);
    expect(Math.abs((best.params.width as number) - 64)).toBeLessThan(30);
    expect(best.params.act).toBe('gelu');
  });

  it('successive halving reaches an equal best for far fewer total steps than random search', async () => {
    const run = async (job: TrialJob) => ({ objective: objective(job) });
    const random = await tune(space, run, { trials: 81, budget: 81, seed: 3, scheduler: 'random' });
    const halving = await tune(space, run, { trials: 81, budget: 81, seed: 3, scheduler: 'successive-halving', eta: 3 });
    expect(random.totalSteps).toBe(81 * 81);
    // rungs of 9, 27, 81 steps for 81, 27 and 9 trials, each rung continuing the previous checkpoint
    expect(halving.totalSteps).toBe(81 * 9 + 27 * 18 + 9 * 54);
    expect(halving.best.budget).toBe(81);
    expect(halving.best.objective).toBeLessThanOrEqual(random.best.objective + 0.05);
  });

  it('a search killed part-way restarts from its journal without redoing finished trials', async () => {
    const journal = memoryTuneJournal();
    let calls = 0;
    const run = async (job: TrialJob) => {
      calls++;
      return { objective: objective(job) };
    };
    const dying = { ...journal, append: async (r: Parameters<typeof journal.append>[0]) => {
      if (journal.records.length === 7) throw new Error('killed');
      await journal.append(r);
    } };
    await expect(tune(space, run, { trials: 12, budget: 9, seed: 5, journal: dying })).rejects.toThrow('killed');
    expect(journal.records.length).toBe(7);
    calls = 0;
    const resumed = await tune(space, run, { trials: 12, budget: 9, seed: 5, journal });
    expect(calls).toBe(12 - 7);
    expect(resumed.records.length).toBe(12);
    const fresh = await tune(space, async (job) => ({ objective: objective(job) }), { trials: 12, budget: 9, seed: 5 });
    expect(resumed.best.params).toEqual(fresh.best.params);
  });

  it('records failed trials, keeps going, and writes a CSV table and a file journal', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'genloom-tune-'));
    const journal = fileTuneJournal(join(dir, 'journal.jsonl'));
    const result = await tune(space, async (job) => {
      if (job.id === 't001') throw new Error('out of memory');
      return { objective: objective(job), metrics: { valLoss: objective(job) } };
    }, { trials: 4, budget: 5, seed: 2, journal, parallel: 2 });
    expect(result.records.find((r) => r.id === 't001')).toMatchObject({ status: 'failed', error: 'out of memory' });
    const csv = resultsToCsv(result.records).trim().split('\n');
    expect(csv[0]).toBe('id,rung,budget,seed,status,objective,seconds,lr,width,act,valLoss,error');
    expect(csv.length).toBe(5);
    expect((await readFile(join(dir, 'journal.jsonl'), 'utf8')).trim().split('\n').length).toBe(4);
    expect((await journal.load()).length).toBe(4);
    await rm(dir, { recursive: true, force: true });
  });

  it('rejects bad spaces and options with the field named', async () => {
    const run = async () => ({ objective: 0 });
    await expect(tune({ lr: { type: 'loguniform', min: 0, max: 1 } }, run, { trials: 1, budget: 1 })).rejects.toThrow(/search space "lr": loguniform needs 0 < min < max/);
    await expect(tune({ x: { type: 'normal' } as never }, run, { trials: 1, budget: 1 })).rejects.toThrow(/unknown type "normal"/);
    await expect(tune(space, run, { trials: 0, budget: 1 })).rejects.toThrow(/trials must be a positive integer/);
  });
});

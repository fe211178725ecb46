import { deriveSeed, Rng } from '../rng.js';
import { sampleSpace, validateSpace, type ParamValues, type SearchSpace } from './space.js';

/**
 * One unit of tuning work: a point of the space trained for `budget` steps. Jobs are plain JSON, so
 * a job queue (BullMQ on Redis, a batch scheduler) can run them on other machines; `rung` > 0 means
 * "continue the trial's own checkpoint to the longer budget".
 */
export interface TrialJob {
  /** Stable id (`t007`); the trial's checkpoint directory is usually named after it. */
  id: string;
  params: ParamValues;
  seed: number;
  budget: number;
  rung: number;
}

/** What running a job returned. */
export interface TrialOutcome {
  /** The value to minimise (or maximise, with mode 'max'). */
  objective: number;
  metrics?: Record<string, number>;
}

/** A finished job, as recorded in the results table. */
export interface TrialRecord extends TrialJob {
  objective: number;
  metrics: Record<string, number>;
  seconds: number;
  status: 'done' | 'failed';
  error?: string;
}

/** Remembers finished jobs so a killed tuning run restarts without redoing them. */
export interface TuneJournal {
  /** The jobs finished so far. */
  load(): Promise<TrialRecord[]>;
  /** Records one finished job. */
  append(record: TrialRecord): Promise<void>;
}

/** Options of {@link tune}. */
export interface TuneOptions {
  /** Number of configurations to try (random search: each at the full budget; successive halving: at the first rung). */
  trials: number;
  /** Steps of the longest run. */
  budget: number;
  scheduler?: 'random' | 'successive-halving';
  /** Successive halving: steps of the first rung (default budget / eta²). */
  minBudget?: number;
  /** Successive halving: keep 1/eta of the trials at each rung, multiply the budget by eta (default 3). */
  eta?: number;
  mode?: 'min' | 'max';
  seed?: number;
  /** Jobs run at once (in-process promises; a process pool or queue is the runner's business). */
  parallel?: number;
  /** Where finished jobs are recorded, so a restarted search skips them. */
  journal?: TuneJournal;
  /** Called with every finished (or restored) job, for progress output. */
  onRecord?: (record: TrialRecord) => void;
}

/** The outcome of {@link tune}. */
export interface TuneResult {
  best: TrialRecord;
  /** Every job run (or restored from the journal), in completion order. */
  records: TrialRecord[];
  /** Steps spent, summed over jobs (a rung continued from a checkpoint counts only its new steps). */
  totalSteps: number;
}

/**
 * Hyperparameter search: random search, or successive halving (many short runs, the best 1/eta
 * promoted to eta× longer budgets — the synchronous form of ASHA). `runTrial` trains one job and
 * returns its objective; with a journal, a restarted search skips finished jobs.
 *
 * @example
 * ```ts
 * const { best } = await tune(
 *   { lr: { type: 'loguniform', min: 1e-4, max: 1e-2 } },
 *   async (job) => ({ objective: await trainAndValidate(job.params, job.budget, job.seed) }),
 *   { trials: 27, budget: 2700, scheduler: 'successive-halving' },
 * );
 * ```
 */
export async function tune(space: SearchSpace, runTrial: (job: TrialJob) => Promise<TrialOutcome>, options: TuneOptions): Promise<TuneResult> {
  validateSpace(space);
  if (!Number.isInteger(options.trials) || options.trials < 1) throw new Error(`tune: trials must be a positive integer, got ${options.trials}`);
  if (!Number.isInteger(options.budget) || options.budget < 1) throw new Error(`tune: budget must be a positive integer, got ${options.budget}`);
  const mode = options.mode ?? 'min';
  const seed = options.seed ?? 0;
  const eta = options.eta ?? 3;
  if (!(eta >= 2)) throw new Error(`tune: eta must be >= 2, got ${eta}`);
  const better = (a: number, b: number) => (mode === 'min' ? a < b : a > b);
  const rank = (records: TrialRecord[]) =>
    [...records].sort((a, b) => {
      if (a.status !== b.status) return a.status === 'done' ? -1 : 1;
      return mode === 'min' ? a.objective - b.objective : b.objective - a.objective;
    });

  // Every configuration is drawn up front from the search seed: a restart draws the same ones.
  const rng = new Rng(seed);
  const configs = Array.from({ length: options.trials }, (_, i) => ({
    id: `t${String(i).padStart(3, '0')}`,
    params: sampleSpace(space, rng),
    seed: deriveSeed(seed, i) % 2 ** 31,
  }));

  const done = new Map<string, TrialRecord>();
  for (const r of (await options.journal?.load()) ?? []) done.set(`${r.id}@${r.rung}`, r);
  const records: TrialRecord[] = [];
  let totalSteps = 0;

  const runJobs = async (jobs: TrialJob[], previousBudget: (job: TrialJob) => number): Promise<TrialRecord[]> => {
    const results: TrialRecord[] = new Array(jobs.length);
    let next = 0;
    const worker = async () => {
      while (next < jobs.length) {
        const index = next++;
        const job = jobs[index]!;
        const key = `${job.id}@${job.rung}`;
        let record = done.get(key);
        if (!record) {
          const t0 = performance.now();
          try {
            const outcome = await runTrial(job);
            if (!Number.isFinite(outcome.objective)) throw new Error(`objective is ${outcome.objective}`);
            record = { ...job, objective: outcome.objective, metrics: outcome.metrics ?? {}, seconds: (performance.now() - t0) / 1000, status: 'done' };
          } catch (err) {
            record = { ...job, objective: NaN, metrics: {}, seconds: (performance.now() - t0) / 1000, status: 'failed', error: (err as Error).message };
          }
          await options.journal?.append(record);
          totalSteps += job.budget - previousBudget(job);
        }
        options.onRecord?.(record);
        results[index] = record;
        records.push(record);
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(options.parallel ?? 1, jobs.length)) }, worker));
    return results;
  };

  if ((options.scheduler ?? 'random') === 'random') {
    await runJobs(configs.map((c) => ({ ...c, budget: options.budget, rung: 0 })), () => 0);
  } else {
    const minBudget = options.minBudget ?? Math.max(1, Math.round(options.budget / eta ** 2));
    let rungBudget = minBudget;
    let alive = configs.map((c) => ({ ...c, budget: rungBudget, rung: 0 }));
    const budgetAt = new Map<string, number>();
    for (let rung = 0; alive.length > 0; rung++) {
      const results = await runJobs(alive, (job) => budgetAt.get(job.id) ?? 0);
      for (const j of alive) budgetAt.set(j.id, j.budget);
      if (rungBudget >= options.budget) break;
      const keep = Math.max(1, Math.floor(alive.length / eta));
      const promoted = rank(results).filter((r) => r.status === 'done').slice(0, keep);
      rungBudget = Math.min(options.budget, rungBudget * eta);
      alive = promoted.map((r) => ({ id: r.id, params: r.params, seed: r.seed, budget: rungBudget, rung: rung + 1 }));
    }
  }

  const finished = records.filter((r) => r.status === 'done');
  if (finished.length === 0) throw new Error(`tune: every trial failed; first error: ${records[0]?.error ?? 'none ran'}`);
  // The best is judged at the longest budget any trial reached.
  const maxBudget = Math.max(...finished.map((r) => r.budget));
  let best = finished.find((r) => r.budget === maxBudget)!;
  for (const r of finished) if (r.budget === maxBudget && better(r.objective, best.objective)) best = r;
  return { best, records, totalSteps };
}

/**
 * A results table as CSV: one row per job, one column per parameter and metric.
 *
 * @example
 * ```ts
 * await writeFile('tune/results.csv', resultsToCsv(result.records));
 * ```
 */
export function resultsToCsv(records: TrialRecord[]): string {
  const params = [...new Set(records.flatMap((r) => Object.keys(r.params)))];
  const metrics = [...new Set(records.flatMap((r) => Object.keys(r.metrics)))];
  const cell = (v: unknown) => {
    const s = v === undefined ? '' : String(v);
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const header = ['id', 'rung', 'budget', 'seed', 'status', 'objective', 'seconds', ...params, ...metrics, 'error'];
  const rows = records.map((r) => [r.id, r.rung, r.budget, r.seed, r.status, r.objective, r.seconds.toFixed(2), ...params.map((p) => r.params[p]), ...metrics.map((m) => r.metrics[m]), r.error ?? ''].map(cell).join(','));
  return [header.join(','), ...rows].join('\n') + '\n';
}

/**
 * An in-memory journal (tests; a browser). Node's file journal is `fileTuneJournal` in `@genloom/core/node`.
 *
 * @example
 * ```ts
 * const journal = memoryTuneJournal();
 * await tune(space, run, { trials: 8, budget: 100, journal });
 * ```
 */
export function memoryTuneJournal(initial: TrialRecord[] = []): TuneJournal & { records: TrialRecord[] } {
  const records = [...initial];
  return {
    records,
    load: async () => [...records],
    append: async (r) => {
      records.push(r);
    },
  };
}

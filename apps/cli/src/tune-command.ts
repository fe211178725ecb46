import { spawn } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resultsToCsv, tune, type SearchSpace, type TrialJob, type TrialOutcome } from '@genloom/core';
import { fileTuneJournal } from '@genloom/core/node';
import { parseOverrides } from './overrides.js';
import { objectiveScatterSvg } from './plot.js';

/** Flags of `genloom tune`. */
export interface TuneFlags {
  data?: string;
  space: string;
  trials: number;
  budget: number;
  scheduler: 'random' | 'successive-halving';
  eta: number;
  minBudget?: number;
  objective?: string;
  mode: 'min' | 'max';
  parallel: number;
  preset?: string;
  set: string[];
  seed: number;
  out: string;
  json?: boolean;
}

/** Runs one trial: `genloom train … --json`, returning the final `done` event. */
export type TrainRunner = (args: string[]) => Promise<{ event: string; metrics: Record<string, number> }>;

/** A preset file written by `genloom tune` and accepted by `genloom train --preset FILE.json`. */
export interface PresetFile {
  family: string;
  basePreset?: string;
  set: Record<string, unknown>;
  objective?: { name: string; value: number; trial: string };
}

/**
 * Runs `genloom train` in a child process (the same entry point this process runs), so trials use
 * both cores with `--parallel 2` and a trial's crash cannot take the search down.
 */
export const childProcessTrain: TrainRunner = (args) =>
  new Promise((resolvePromise, reject) => {
    const here = fileURLToPath(import.meta.url);
    const fromSource = here.endsWith('.ts');
    const entry = join(here, '..', fromSource ? 'bin.ts' : 'bin.js');
    const nodeArgs = fromSource ? ['--conditions=@genloom/source', '--import', 'tsx', entry] : [entry];
    const child = spawn(process.execPath, [...nodeArgs, 'train', ...args], { stdio: ['ignore', 'pipe', 'pipe'], cwd: join(here, '..', '..') });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    child.on('error', reject);
    child.on('close', (code) => {
      const lines = stdout.trim().split('\n').filter((l) => l.startsWith('{'));
      const last = lines.length ? (JSON.parse(lines.at(-1)!) as { event: string; message?: string; metrics: Record<string, number> }) : null;
      if (code === 0 && last?.event === 'done') resolvePromise(last);
      else reject(new Error(last?.message ?? `genloom train exited with code ${code}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`));
    });
  });

/**
 * `genloom tune`: a hyperparameter search where every trial is a `genloom train` job with the
 * trial's values as `--set` overrides. Writes `journal.jsonl` (restart-safe), `results.csv`,
 * `results.json`, `objective.svg` and `best-preset.json` into `--out`.
 *
 * @example
 * ```ts
 * await tuneCommand('vae', { space: 'space.json', trials: 9, budget: 900, scheduler: 'successive-halving', … });
 * ```
 */
export async function tuneCommand(family: string, flags: TuneFlags, runTrain: TrainRunner = childProcessTrain, log: (line: string) => void = () => {}): Promise<{ best: Record<string, unknown>; presetFile: string }> {
  const out = resolve(flags.out);
  let space: SearchSpace;
  try {
    space = JSON.parse(await readFile(flags.space, 'utf8')) as SearchSpace;
  } catch (err) {
    throw new Error(`--space ${flags.space}: cannot read a JSON search space (${(err as Error).message})`);
  }
  await mkdir(out, { recursive: true });
  const objectiveName = { current: flags.objective };
  const runTrial = async (job: TrialJob): Promise<TrialOutcome> => {
    const args = [family, '--steps', String(job.budget), '--seed', String(job.seed), '--out', join(out, 'trials', job.id), '--json'];
    if (flags.data) args.push('--data', flags.data);
    if (flags.preset) args.push('--preset', flags.preset);
    for (const s of flags.set) args.push('--set', s);
    for (const [k, v] of Object.entries(job.params)) args.push('--set', `${k}=${JSON.stringify(v)}`);
    if (job.rung > 0) args.push('--resume');
    const done = await runTrain(args);
    const name = objectiveName.current ?? ('valLoss' in done.metrics ? 'valLoss' : 'loss');
    objectiveName.current = name;
    const value = done.metrics[name];
    if (value === undefined) throw new Error(`trial ${job.id} reported no metric "${name}"; it reported ${Object.keys(done.metrics).join(', ')}`);
    return { objective: value, metrics: done.metrics };
  };
  const result = await tune(space, runTrial, {
    trials: flags.trials,
    budget: flags.budget,
    scheduler: flags.scheduler,
    eta: flags.eta,
    ...(flags.minBudget ? { minBudget: flags.minBudget } : {}),
    mode: flags.mode,
    seed: flags.seed,
    parallel: flags.parallel,
    journal: fileTuneJournal(join(out, 'journal.jsonl')),
    onRecord: (r) => log(JSON.stringify({ event: 'trial', id: r.id, rung: r.rung, budget: r.budget, status: r.status, objective: r.objective, params: r.params, ...(r.error ? { error: r.error } : {}) })),
  });
  const name = objectiveName.current ?? 'objective';
  await writeFile(join(out, 'results.csv'), resultsToCsv(result.records));
  await writeFile(join(out, 'results.json'), JSON.stringify({ objective: name, mode: flags.mode, totalSteps: result.totalSteps, best: result.best, records: result.records }, null, 2));
  const rows = result.records.filter((r) => r.status === 'done').map((r) => ({ id: r.id, budget: r.budget, [name]: r.objective, ...r.params }));
  const logScale = Object.entries(space).filter(([, s]) => s.type === 'loguniform').map(([k]) => k);
  await writeFile(join(out, 'objective.svg'), await objectiveScatterSvg(rows, Object.keys(space), name, logScale));
  const fixed = parseOverrides(flags.set);
  const preset: PresetFile = {
    family,
    ...(flags.preset ? { basePreset: flags.preset } : {}),
    set: { ...fixed, ...result.best.params },
    objective: { name, value: result.best.objective, trial: result.best.id },
  };
  const presetFile = join(out, 'best-preset.json');
  await writeFile(presetFile, JSON.stringify(preset, null, 2));
  return { best: { ...result.best, objectiveName: name, totalSteps: result.totalSteps }, presetFile };
}

/**
 * Reads a preset file written by `genloom tune` (for `train --preset FILE.json`).
 *
 * @example
 * ```ts
 * const { basePreset, set } = await readPresetFile('runs/tune/best-preset.json', 'vae');
 * ```
 */
export async function readPresetFile(path: string, family: string): Promise<PresetFile> {
  let file: PresetFile;
  try {
    file = JSON.parse(await readFile(path, 'utf8')) as PresetFile;
  } catch (err) {
    throw new Error(`--preset ${path}: cannot read a preset file (${(err as Error).message})`);
  }
  if (file.family !== family) throw new Error(`--preset ${path} is for family "${file.family}", not "${family}"`);
  if (typeof file.set !== 'object' || file.set === null) throw new Error(`--preset ${path}: "set" must be an object of config fields`);
  return file;
}

import * as tf from '@tensorflow/tfjs';
import { Dense, Module, Rng, deriveSeed, loadCheckpoint, registerFamily, type FamilyDefinition, type GenerativeModel, type StepContext } from '@genloom/core';
import { directoryCheckpointStore } from '@genloom/core/node';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { cliHarness } from './testing-fixtures/cli-harness.js';
import { scheduleForSteps } from './program.js';
import { registerCliFamily } from './registry.js';
import { tuneCommand } from './tune-command.js';

// A linear autoencoder family, registered only for these tests, to drive every command end to end.
interface LinConfig { dim: number; hidden: number }
class LinNet extends Module {
  enc: Dense; dec: Dense;
  constructor(c: LinConfig, rng: Rng) {
    super();
    this.enc = this.addChild('enc', new Dense({ inputDim: c.dim, units: c.hidden, rng }));
    this.dec = this.addChild('dec', new Dense({ inputDim: c.hidden, units: c.dim, rng }));
  }
}
class LinModel implements GenerativeModel<{ x: tf.Tensor2D }, LinConfig> {
  readonly family = 'cli-test';
  net: LinNet;
  constructor(readonly config: LinConfig, seed: number) { this.net = new LinNet(config, new Rng(seed)); }
  loss(x: tf.Tensor2D) { return tf.tidy(() => tf.losses.meanSquaredError(x, this.net.dec.forward(this.net.enc.forward(x))) as tf.Scalar); }
  trainStep(b: { x: tf.Tensor2D }, ctx: StepContext) { return { loss: ctx.minimize(() => this.loss(b.x), this.namedParameters()) }; }
  namedParameters() { return this.net.namedParameters(); }
  getWeights() { return this.net.getWeights(); }
  setWeights(w: tf.NamedTensorMap) { this.net.setWeights(w); }
  dispose() { this.net.dispose(); }
}
const family: FamilyDefinition<LinConfig, LinModel> = {
  name: 'cli-test', description: 'test', presets: { tiny: { dim: 6, hidden: 2 } }, defaultPreset: 'tiny',
  resolveConfig: (o = {}) => {
    const c = { dim: 6, hidden: 2, ...o };
    if (!(c.hidden > 0)) throw new Error(`cli-test config: hidden must be > 0, got ${c.hidden}`);
    return c;
  },
  create: (c, s) => new LinModel(c, s),
};
const data = (seed: number) => ({
  batchesPerEpoch: 4, batchSize: 8,
  batch: (e: number, i: number) => tf.tidy(() => ({ x: tf.matMul(tf.randomNormal([8, 2], 0, 1, 'float32', deriveSeed(seed, e, i)), tf.ones([2, 6])) as tf.Tensor2D })),
});

let dir: string;
const genloom = cliHarness();
const cli = genloom.run;
beforeAll(async () => {
  registerFamily(family);
  registerCliFamily({
    name: 'cli-test', family: 'cli-test', description: 'test family', defaultData: 'synthetic', presets: ['tiny'],
    prepareTraining: async ({ preset, overrides, seed, resumed }) => ({
      model: resumed ?? family.create(family.resolveConfig(overrides as Partial<LinConfig>, preset), seed),
      data: data(seed), trainOptions: { optimizer: { type: 'adam', lr: 0.05 }, steps: 10 },
      evaluate: async () => ({ valLoss: 0.5 }),
    }),
    sample: async (_m, args) => ({ text: `sample seed ${args.seed}`, json: { seed: args.seed, n: args.n } }),
    evaluate: async (m, spec) => {
      const l = (m as LinModel).loss(data(99).batch(0, 0).x);
      const v = (await l.data())[0]!;
      l.dispose();
      return { loss: v, dataIsSynthetic: spec === 'synthetic' ? 1 : 0 };
    },
  });
  dir = await mkdtemp(join(tmpdir(), 'genloom-cli-'));
  genloom.capture();
});
afterAll(async () => {
  genloom.release();
  await rm(dir, { recursive: true, force: true });
});

describe('genloom CLI', () => {
  it('info --json names the backend, the candidates with reasons and the families', async () => {
    const { code, json } = await cli('info', '--json');
    expect(code).toBe(0);
    expect(json[0].backend).toBe('wasm');
    expect(json[0].candidates.find((c: { name: string }) => c.name === 'tensorflow').reason).toMatch(/not installed/);
    expect(json[0].families.map((f: { name: string }) => f.name)).toContain('cli-test');
  });

  it('train --json prints progress lines and a done line, and writes a checkpoint', async () => {
    const ckpt = join(dir, 'run');
    const { code, json } = await cli('train', 'cli-test', '--steps', '20', '--seed', '3', '--out', ckpt, '--json');
    expect(code).toBe(0);
    expect(json.filter((e) => e.event === 'step').length).toBe(2);
    const done = json.at(-1);
    expect(done).toMatchObject({ event: 'done', steps: 20, checkpoint: ckpt });
    expect(done.metrics.valLoss).toBe(0.5);
    expect(done.metrics.stepsPerSecond).toBeGreaterThan(0);
    expect(done.metrics.examplesPerSecond).toBeCloseTo(done.metrics.stepsPerSecond * 8, 3);
    const manifest = JSON.parse(await readFile(join(ckpt, 'genloom.json'), 'utf8'));
    expect(manifest.family).toBe('cli-test');
    expect(manifest.provenance.data).toBe('synthetic');
    expect(manifest.training.step).toBe(20);
  });

  it('--resume continues the run to the new step count; other data fine-tunes with the parent recorded', async () => {
    const ckpt = join(dir, 'run');
    const { json } = await cli('train', 'cli-test', '--steps', '30', '--resume', '--out', ckpt, '--json');
    expect(json.at(-1)).toMatchObject({ event: 'done', steps: 30 });
    const tuned = join(dir, 'tuned');
    const r = await cli('train', 'cli-test', '--data', 'other', '--steps', '5', '--resume', ckpt, '--out', tuned, '--json');
    expect(r.json.at(-1)).toMatchObject({ event: 'done', steps: 5 });
    const manifest = JSON.parse(await readFile(join(tuned, 'genloom.json'), 'utf8'));
    expect(manifest.provenance.parent).toBe(ckpt);
    // --set on resume: a value equal to the checkpoint's is fine, a changed architecture field is refused
    expect((await cli('train', 'cli-test', '--set', 'hidden=2', '--steps', '31', '--resume', '--out', ckpt, '--json')).code).toBe(0);
    const refused = await cli('train', 'cli-test', '--set', 'hidden=3', '--steps', '32', '--resume', '--out', ckpt);
    expect(refused.code).toBe(1);
    expect(refused.text).toMatch(/--set hidden=3 \(the checkpoint has 2\) cannot change on --resume: .*the cli-test family changes no config field when resuming/);
  });

  it('sample and eval read the checkpoint', async () => {
    const ckpt = join(dir, 'run');
    const s = await cli('sample', ckpt, '--seed', '4', '--n', '3', '--json');
    expect(s.json[0]).toEqual({ seed: 4, n: 3 });
    const e = await cli('eval', ckpt, '--json');
    expect(e.code).toBe(0);
    expect(e.json[0].metrics.dataIsSynthetic).toBe(1);
    expect(e.json[0].metrics.loss).toBeLessThan(1);
  });

  it('average writes a checkpoint holding the weighted mean of its sources, which eval reads', async () => {
    const [a, b, avg] = [join(dir, 'run'), join(dir, 'tuned'), join(dir, 'averaged')];
    const r = await cli('average', a, b, '--weights', '3,1', '--out', avg, '--json');
    expect(r.code).toBe(0);
    expect(r.json[0]).toMatchObject({ event: 'average', checkpoint: avg, sources: [{ checkpoint: a, coefficient: 0.75, steps: 31 }, { checkpoint: b, coefficient: 0.25, steps: 5 }] });
    const manifest = JSON.parse(await readFile(join(avg, 'genloom.json'), 'utf8'));
    expect(manifest.provenance.averagedFrom).toEqual([a, b]);
    expect(manifest.training).toBeUndefined();
    const weights = async (path: string) => {
      const { model } = await loadCheckpoint(directoryCheckpointStore(path).reader);
      const kernel = Array.from(await model.getWeights()['enc.kernel']!.data());
      model.dispose();
      return kernel;
    };
    const [wa, wb, wAvg] = [await weights(a), await weights(b), await weights(avg)];
    wAvg.forEach((v, i) => expect(v).toBeCloseTo(0.75 * wa[i]! + 0.25 * wb[i]!, 6));
    const e = await cli('eval', avg, '--json');
    expect(e.code).toBe(0);
    expect(Number.isFinite(e.json[0].metrics.loss)).toBe(true);
    const one = await cli('average', a, '--out', avg);
    expect(one.code).toBe(1);
    expect(one.text).toMatch(/average needs two or more checkpoint directories, got 1/);
    const bad = await cli('average', a, b, '--weights', '1,x', '--out', avg);
    expect(bad.code).toBe(1);
    expect(bad.text).toMatch(/--weights must be positive numbers separated by commas, got "1,x"/);
  });

  it('--set overrides config fields and bad values fail with the field named', async () => {
    const r = await cli('train', 'cli-test', '--set', 'hidden=0', '--steps', '1', '--out', join(dir, 'bad'), '--json');
    expect(r.code).toBe(1);
    expect(r.json.at(-1)).toEqual({ event: 'error', message: 'cli-test config: hidden must be > 0, got 0' });
  });

  it('tune runs trials as train jobs, resumes rungs, and writes results, a plot and a preset file train accepts', async () => {
    const tuneDir = join(dir, 'tune');
    const spaceFile = join(dir, 'space.json');
    await writeFile(spaceFile, JSON.stringify({ hidden: { type: 'choice', values: [1, 2, 3] } }));
    const inProcess = async (args: string[]) => {
      const r = await cli('train', ...args);
      if (r.code !== 0) throw new Error(r.json.at(-1)?.message ?? 'failed');
      return r.json.at(-1);
    };
    const { best, presetFile } = await tuneCommand('cli-test', {
      space: spaceFile, trials: 4, budget: 9, scheduler: 'successive-halving', eta: 3, objective: 'loss', mode: 'min',
      parallel: 1, set: [], seed: 1, out: tuneDir,
    }, inProcess);
    expect((best as { budget: number }).budget).toBe(9);
    const csv = (await readFile(join(tuneDir, 'results.csv'), 'utf8')).trim().split('\n');
    expect(csv.length).toBe(1 + 4 + 1 + 1); // header, rung 0 (4 trials), rung 1, rung 2
    expect(await readFile(join(tuneDir, 'objective.svg'), 'utf8')).toMatch(/^<svg/);
    const preset = JSON.parse(await readFile(presetFile, 'utf8'));
    expect(preset).toMatchObject({ family: 'cli-test', set: { hidden: (best as { params: { hidden: number } }).params.hidden } });
    // the winning trial continued its own checkpoint: 9 steps in its training state
    const trial = JSON.parse(await readFile(join(tuneDir, 'trials', (best as { id: string }).id, 'genloom.json'), 'utf8'));
    expect(trial.training.step).toBe(9);
    const t = await cli('train', 'cli-test', '--preset', presetFile, '--steps', '2', '--out', join(dir, 'from-preset'), '--json');
    expect(t.code).toBe(0);
    const m = JSON.parse(await readFile(join(dir, 'from-preset', 'genloom.json'), 'utf8'));
    expect(m.config.hidden).toBe(preset.set.hidden);
    const wrong = await cli('train', 'other', '--preset', presetFile, '--out', join(dir, 'x'));
    expect(wrong.code).toBe(1);
  });

  it('advise answers from the evidence file, with reasons and a command', async () => {
    const file = join(dir, 'results.json');
    await writeFile(file, JSON.stringify({ evidence: { source: 'test', families: { vae: { small: { trainMinutes: 3 } } } } }));
    const a = await cli('advise', '--modality', 'image', '--goal', 'anomaly', '--evidence', file, '--json');
    expect(a.code).toBe(0);
    expect(a.json[0]).toMatchObject({ family: 'vae', preset: 'small', command: 'genloom train vae --data mnist --preset small --out runs/vae' });
    expect(a.json[0].reasons.join(' ')).toMatch(/measured: trains in 3.0 min/);
    const b = await cli('advise', '--modality', 'text', '--goal', 'likelihood', '--evidence', file, '--json');
    expect(b.json[0].family).toBe('transformer');
    const c = await cli('advise', '--modality', 'video', '--goal', 'anomaly');
    expect(c.code).not.toBe(0);
    expect(c.text).toMatch(/Allowed choices are image, text, tabular/);
  });

  it('unknown families, flags and bad numbers exit non-zero with the valid choices', async () => {
    const a = await cli('train', 'nope', '--out', join(dir, 'x'));
    expect(a.code).toBe(1);
    expect(a.text).toMatch(/Unknown family "nope"; expected one of: .*cli-test/);
    const b = await cli('train', 'cli-test', '--out', join(dir, 'x'), '--bogus');
    expect(b.code).not.toBe(0);
    expect(b.text).toMatch(/unknown option '--bogus'/);
    const c = await cli('train', 'cli-test', '--steps', 'many', '--out', join(dir, 'x'));
    expect(c.code).not.toBe(0);
    expect(c.text).toMatch(/--steps must be a positive integer, got "many"/);
    const d = await cli('sample', join(dir, 'missing'));
    expect(d.code).toBe(1);
    expect(d.text).toMatch(/is not a genloom checkpoint/);
  });
});

describe('scheduleForSteps', () => {
  const schedule = { type: 'warmup-cosine', lr: 2e-3, warmupSteps: 100, decaySteps: 4000, minLr: 2e-4 } as const;
  it('fits a decay set over the family budget to --steps, warm-up within the first tenth', () => {
    expect(scheduleForSteps({ steps: 4000, schedule }, 500)).toEqual({ ...schedule, warmupSteps: 50, decaySteps: 500 });
    expect(scheduleForSteps({ steps: 4000, schedule }, 8000)).toEqual({ ...schedule, decaySteps: 8000 });
  });
  it('leaves a schedule alone without --steps, at the same budget, or when its decay was chosen apart from the budget', () => {
    expect(scheduleForSteps({ steps: 4000, schedule }, undefined)).toBe(schedule);
    expect(scheduleForSteps({ steps: 4000, schedule }, 4000)).toBe(schedule);
    expect(scheduleForSteps({ steps: 5000, schedule }, 500)).toBe(schedule);
    expect(scheduleForSteps({ steps: 4000 }, 500)).toBeUndefined();
  });
});

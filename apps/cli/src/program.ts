import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import * as tf from '@tensorflow/tfjs';
import { advise, averageCheckpoints, getFamily, initBackend, saveModel, type Goal, type Modality, loadCheckpoint, readManifest, train, jsonLines, type GenerativeModel, type LoadedCheckpoint, type TrainOptions, type Callback, type OptimizerConfig, type OptimizerSettings } from '@genloom/core';
import { directoryCheckpointStore, progressBar } from '@genloom/core/node';
import './families/index.js';
import { findBenchEvidence } from './advise-command.js';
import { realFloorMetrics } from './image-metrics.js';
import { parseOverrides } from './overrides.js';
import { childProcessTrain, readPresetFile, tuneCommand, type TuneFlags } from './tune-command.js';
import { cliFamilies, cliFamily, cliFamilyForCheckpoint, type CommandIO } from './registry.js';

const positiveInt = (name: string) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a positive integer, got "${value}"`);
  return n;
};
const integer = (name: string) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n)) throw new InvalidArgumentError(`${name} must be an integer, got "${value}"`);
  return n;
};
const number = (name: string) => (value: string) => {
  const n = Number(value);
  if (!Number.isFinite(n)) throw new InvalidArgumentError(`${name} must be a number, got "${value}"`);
  return n;
};
const numberList = (name: string) => (value: string) =>
  value.split(',').map((part) => {
    const n = Number(part);
    if (part.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${name} must be positive numbers separated by commas, got "${value}"`);
    return n;
  });
const collect = (value: string, previous: string[]) => [...previous, value];

function print(json: boolean, value: unknown, human: string): void {
  process.stdout.write(json ? `${JSON.stringify(value)}\n` : `${human}\n`);
}

async function startBackend(json: boolean): Promise<void> {
  const info = await initBackend();
  if (!json) process.stderr.write(`backend: ${info.backend} (tfjs ${info.tfjsVersion})\n`);
}

async function openCheckpoint(dir: string, withTraining = false): Promise<LoadedCheckpoint> {
  const reader = directoryCheckpointStore(dir).reader;
  const manifest = await readManifest(reader);
  cliFamilyForCheckpoint(manifest.family); // clear error before loading weights
  return loadCheckpoint(reader, { withTraining });
}

const io: CommandIO = {
  async loadModel(dir, json) {
    await startBackend(json);
    return (await openCheckpoint(dir)).model;
  },
  print,
};

/** Builds the `genloom` program (exported for tests). */
export function buildProgram(): Command {
  const program = new Command()
    .name('genloom')
    .description('Train, sample, evaluate and tune generative models (VAE, GAN, diffusion, RNN and transformer language models) on TensorFlow.js.')
    .version('0.1.0')
    .showHelpAfterError()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  program
    .command('info')
    .description('show the backend genloom chooses, why it passed over the others, and the registered families')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const info = await initBackend();
      const families = cliFamilies().map((f) => ({ name: f.name, description: f.description, presets: f.presets, defaultData: f.defaultData }));
      const human = [
        `backend: ${info.backend} (tfjs ${info.tfjsVersion}, ${info.threads} thread${info.threads === 1 ? '' : 's'})`,
        ...info.candidates.map((c) => `  ${c.available ? '✓' : '✗'} ${c.name}: ${c.reason}`),
        `kernels added for training: ${info.addedKernels.length ? info.addedKernels.join(', ') : '(none)'}`,
        `families: ${families.length ? families.map((f) => `${f.name} [${f.presets.join(', ')}]`).join('; ') : '(none installed)'}`,
      ].join('\n');
      print(!!opts.json, { ...info, families }, human);
    });

  program
    .command('train')
    .description('train a model and write a checkpoint directory')
    .argument('<family>', `model family (${cliFamilies().map((f) => f.name).join(', ')})`)
    .option('--data <spec>', 'data: mnist, emoji, moby-dick, cmudict, sensor, text:PATH, idx:IMAGES[,LABELS], images:DIR, csv:PATH')
    .option('--preset <name>', 'a preset of the family, or a preset file written by genloom tune (FILE.json)')
    .option('--set <key=value>', 'override a config field (repeatable)', collect, [] as string[])
    .addOption(new Option('--steps <n>', 'optimisation steps').argParser(positiveInt('--steps')).conflicts('epochs'))
    .addOption(new Option('--epochs <n>', 'passes over the data').argParser(number('--epochs')))
    .option('--seed <n>', 'random seed', integer('--seed'), 0)
    .option('--lr <rate>', 'learning rate (overrides the preset)', number('--lr'))
    .option('--eval-every <n>', 'evaluate every N steps', positiveInt('--eval-every'))
    .option('--checkpoint-every <n>', 'write the checkpoint every N steps', positiveInt('--checkpoint-every'))
    .option('--resume [dir]', 'continue from a checkpoint (default: --out); with other data it fine-tunes')
    .requiredOption('--out <dir>', 'checkpoint directory to write')
    .option('--json', 'JSON lines on stdout')
    .action(async (name: string, opts: TrainFlags) => {
      await trainCommand(name, opts);
    });

  program
    .command('sample')
    .description('generate from a checkpoint: a PNG grid for image models, text for token models')
    .argument('<dir>', 'checkpoint directory')
    .option('--n <n>', 'how many samples (images) or tokens (text)', positiveInt('--n'))
    .option('--seed <n>', 'random seed', integer('--seed'), 0)
    .option('--out <file>', 'output file (PNG for images)')
    .option('--prompt <text>', 'prompt (token models, prompt-conditioned diffusion)')
    .option('--temperature <t>', 'sampling temperature', number('--temperature'))
    .option('--top-k <k>', 'keep the k most likely tokens', positiveInt('--top-k'))
    .option('--top-p <p>', 'nucleus sampling mass', number('--top-p'))
    .option('--label <label>', 'class label (conditional models)')
    .option('--interpolate', 'write an interpolation strip (latent models)')
    .option('--steps <n>', 'sampling steps (diffusion)', positiveInt('--steps'))
    .option('--sampler <name>', 'sampler (diffusion: ddpm, ddim)')
    .option('--guidance <scale>', 'classifier-free guidance scale', number('--guidance'))
    .option('--film', 'write every denoising step as a strip (diffusion)')
    .option('--beam <n>', 'beam size (seq2seq)', positiveInt('--beam'))
    .option('--json', 'print JSON')
    .action(async (dir: string, opts: SampleFlags) => {
      const model = await io.loadModel(dir, !!opts.json);
      const adapter = cliFamilyForCheckpoint(model.family);
      const { json, out, n, seed, prompt, temperature, topK, topP, ...flags } = opts;
      const result = await adapter.sample(model, { n: n ?? 16, seed, ...(prompt !== undefined ? { prompt } : {}), ...(temperature !== undefined ? { temperature } : {}), ...(topK !== undefined ? { topK } : {}), ...(topP !== undefined ? { topP } : {}), flags });
      if (result.png) {
        const file = resolve(out ?? 'samples.png');
        await writeFile(file, result.png);
        print(!!json, { ...(result.json as object), out: file }, `wrote ${file}`);
      } else {
        if (out && result.text !== undefined) await writeFile(out, result.text);
        print(!!json, result.json, result.text ?? JSON.stringify(result.json, null, 2));
      }
      model.dispose();
    });

  program
    .command('eval')
    .description('evaluate a checkpoint on data and print its metrics; --real mnist|emoji scores real data against itself (the metrics\' floor)')
    .argument('[dir]', 'checkpoint directory')
    .option('--data <spec>', 'data spec (default: the data it was trained on)')
    .option('--real <data>', 'score the real test split against the real train split (mnist, emoji)')
    .option('--samples <n>', 'generated images for the image metrics (FID, KID, precision/recall, IS); seq2seq: the first n held-out pairs (default all)', positiveInt('--samples'))
    .option('--beam <n>', 'beam size (seq2seq)', positiveInt('--beam'))
    .option('--json', 'print JSON')
    .action(async (dir: string | undefined, opts: { data?: string; real?: string; samples?: number; json?: boolean; beam?: number }) => {
      await startBackend(!!opts.json);
      const show = (metrics: Record<string, number>) => Object.entries(metrics).map(([k, v]) => `${k.padEnd(20)} ${Number(v.toPrecision(6))}`).join('\n');
      if (opts.real) {
        const metrics = await realFloorMetrics(opts.real, opts.samples ?? 10_000);
        print(!!opts.json, { event: 'eval', real: opts.real, metrics }, show(metrics));
        return;
      }
      if (!dir) throw new Error('eval needs a checkpoint directory (or --real mnist)');
      const { model, manifest } = await openCheckpoint(dir);
      const adapter = cliFamilyForCheckpoint(manifest.family);
      const data = opts.data ?? manifest.provenance.data ?? adapter.defaultData;
      const { json, data: _d, real: _r, ...flags } = opts;
      const metrics = await adapter.evaluate(model, data, flags);
      print(!!json, { event: 'eval', checkpoint: resolve(dir), data, metrics }, show(metrics));
      model.dispose();
    });

  program
    .command('average')
    .description('average the weights of checkpoints of one architecture (the last checkpoints of a run, or runs continued from one parent) into a new checkpoint')
    .argument('<dirs...>', 'checkpoint directories (two or more)')
    .requiredOption('--out <dir>', 'directory for the averaged checkpoint')
    .option('--weights <list>', 'comma-separated relative weight per checkpoint (default equal)', numberList('--weights'))
    .option('--json', 'print JSON')
    .action(async (dirs: string[], opts: { out: string; weights?: number[]; json?: boolean }) => {
      if (dirs.length < 2) throw new Error(`average needs two or more checkpoint directories, got ${dirs.length}`);
      await startBackend(!!opts.json);
      const paths = dirs.map((d) => resolve(d));
      const families = [];
      for (const path of paths) families.push(cliFamilyForCheckpoint((await readManifest(directoryCheckpointStore(path).reader)).family));
      // Runs that differ only in training fields (dropout, the recipe) share an architecture.
      const { model, sources, coefficients } = await averageCheckpoints(paths.map((p) => directoryCheckpointStore(p).reader), {
        mayDiffer: families[0]!.resumableFields ?? [],
        ...(opts.weights ? { weights: opts.weights } : {}),
      });
      const out = resolve(opts.out);
      const steps = sources.map((m) => m.training?.step ?? m.provenance.steps);
      const data = sources[0]!.provenance.data;
      await saveModel(model, directoryCheckpointStore(out).writer, {
        provenance: { command: `genloom average ${process.argv.slice(3).join(' ')}`, averagedFrom: paths, ...(data ? { data } : {}) },
      });
      model.dispose();
      const done = { event: 'average', checkpoint: out, sources: paths.map((p, i) => ({ checkpoint: p, coefficient: coefficients[i], steps: steps[i] ?? null })) };
      const human = `averaged ${paths.map((p, i) => `${p} (×${Number(coefficients[i]!.toPrecision(4))})`).join(', ')}\ncheckpoint: ${out} (evaluate it with genloom eval ${opts.out})`;
      print(!!opts.json, done, human);
    });

  program
    .command('tune')
    .description('search hyperparameters: every trial is a train job; writes results.csv/json, objective.svg and best-preset.json')
    .argument('<family>', 'model family')
    .option('--data <spec>', 'data spec (default: the family\'s)')
    .requiredOption('--space <file>', 'JSON search space: {"lr": {"type": "loguniform", "min": 1e-4, "max": 1e-2}, "layers": {"type": "choice", "values": [2, 4]}}')
    .option('--trials <n>', 'configurations to try', positiveInt('--trials'), 9)
    .requiredOption('--budget <steps>', 'steps of the longest trial', positiveInt('--budget'))
    .addOption(new Option('--scheduler <name>', 'search scheduler').choices(['random', 'successive-halving']).default('successive-halving'))
    .option('--eta <n>', 'successive halving: keep 1/eta per rung', positiveInt('--eta'), 3)
    .option('--min-budget <steps>', 'successive halving: steps of the first rung', positiveInt('--min-budget'))
    .option('--objective <metric>', 'metric to optimise (default valLoss, else loss)')
    .addOption(new Option('--mode <mode>', 'minimise or maximise').choices(['min', 'max']).default('min'))
    .option('--parallel <n>', 'trials run at once (processes)', positiveInt('--parallel'), 1)
    .option('--preset <name>', 'base preset of every trial')
    .option('--set <key=value>', 'fixed config override (repeatable)', collect, [] as string[])
    .option('--seed <n>', 'search seed', integer('--seed'), 0)
    .requiredOption('--out <dir>', 'directory for trials and results')
    .option('--json', 'JSON lines on stdout')
    .action(async (family: string, opts: TuneFlags) => {
      cliFamily(family);
      const json = !!opts.json;
      const { best, presetFile } = await tuneCommand(family, opts, childProcessTrain, (line) => {
        if (json) process.stdout.write(`${line}\n`);
        else {
          const e = JSON.parse(line);
          process.stderr.write(`trial ${e.id} rung ${e.rung} (${e.budget} steps): ${e.status === 'done' ? e.objective.toPrecision(5) : `failed: ${e.error}`}\n`);
        }
      });
      print(json, { event: 'done', best, preset: presetFile }, `best: ${JSON.stringify((best as { params: unknown }).params)} → ${(best as { objective: number }).objective}\npreset: ${presetFile} (train it with --preset ${presetFile})`);
    });

  program
    .command('advise')
    .description('recommend a family and preset for your data, goal and budget, from the bench\'s measured numbers')
    .addOption(new Option('--modality <kind>', 'kind of data').choices(['image', 'text', 'tabular']).makeOptionMandatory())
    .addOption(new Option('--labels <yes|no>', 'does the data have labels (or source/target pairs)').choices(['yes', 'no']).default('no'))
    .addOption(new Option('--goal <goal>', 'what matters most').choices(['realism', 'diversity', 'likelihood', 'fast-sampling', 'anomaly', 'conditional']).makeOptionMandatory())
    .option('--examples <n>', 'training examples (or characters of text)', positiveInt('--examples'))
    .option('--budget <minutes>', 'training minutes you can afford', number('--budget'))
    .option('--data <spec>', 'data spec to put in the suggested command')
    .option('--evidence <file>', 'bench results file (default: the newest bench/results/*.json)')
    .option('--json', 'print JSON')
    .action(async (opts: { modality: Modality; labels: 'yes' | 'no'; goal: Goal; examples?: number; budget?: number; data?: string; evidence?: string; json?: boolean }) => {
      const evidence = await findBenchEvidence(opts.evidence);
      const advice = advise(
        {
          modality: opts.modality,
          labels: opts.labels === 'yes',
          goal: opts.goal,
          ...(opts.examples !== undefined ? { examples: opts.examples } : {}),
          ...(opts.budget !== undefined ? { budgetMinutes: opts.budget } : {}),
          ...(opts.data ? { data: opts.data } : {}),
        },
        evidence ?? undefined,
      );
      const human = [
        `${advice.family} (preset ${advice.preset})`,
        ...advice.reasons.map((r) => `  - ${r}`),
        `run: ${advice.command}`,
        ...(advice.alternatives.length ? ['also considered:', ...advice.alternatives.map((a) => `  ${a.family}: ${a.note}`)] : []),
      ].join('\n');
      print(!!opts.json, advice, human);
    });

  for (const adapter of cliFamilies()) adapter.registerCommands?.(program, io);
  return program;
}

interface TrainFlags {
  data?: string;
  preset?: string;
  set: string[];
  steps?: number;
  epochs?: number;
  seed: number;
  lr?: number;
  evalEvery?: number;
  checkpointEvery?: number;
  resume?: string | boolean;
  out: string;
  json?: boolean;
}

interface SampleFlags {
  n?: number;
  seed: number;
  out?: string;
  prompt?: string;
  temperature?: number;
  topK?: number;
  topP?: number;
  json?: boolean;
  [flag: string]: unknown;
}

async function trainCommand(name: string, opts: TrainFlags): Promise<void> {
  const adapter = cliFamily(name);
  const json = !!opts.json;
  await startBackend(json);
  let overrides = parseOverrides(opts.set);
  let preset = opts.preset;
  if (preset?.endsWith('.json')) {
    const file = await readPresetFile(preset, name);
    preset = file.basePreset;
    overrides = { ...file.set, ...overrides };
  }
  const out = resolve(opts.out);
  const data = opts.data ?? adapter.defaultData;

  let resumed: LoadedCheckpoint | undefined;
  let exactResume = false;
  let parent: string | undefined;
  if (opts.resume) {
    const from = resolve(typeof opts.resume === 'string' ? opts.resume : out);
    resumed = await openCheckpoint(from, true);
    if (resumed.manifest.family !== adapter.family) {
      throw new Error(`--resume ${from} holds a "${resumed.manifest.family}" model, not a "${adapter.family}" model`);
    }
    exactResume = from === out && resumed.manifest.provenance.data === data && !!resumed.manifest.training;
    if (!exactResume) parent = from;
  }

  if (resumed) resumed.model = withResumeOverrides(resumed, overrides, adapter.resumableFields ?? [], opts.seed);
  const prepared = await adapter.prepareTraining({ data, preset, overrides, seed: opts.seed, ...(resumed ? { resumed: resumed.model } : {}) });
  const base: Partial<TrainOptions> = prepared.trainOptions;
  const optimizer = opts.lr === undefined ? base.optimizer : withLearningRate(base.optimizer, opts.lr);
  const steps = opts.steps ?? (opts.epochs === undefined ? base.steps : undefined);
  const epochs = opts.epochs ?? (steps === undefined ? base.epochs : undefined);
  if (steps === undefined && epochs === undefined) throw new Error('give --steps or --epochs (the preset sets neither)');
  const schedule = scheduleForSteps(base, steps);

  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  // The family's own callbacks (a GAN's monitor and collapse alarm) run beside the CLI's output.
  const callbacks: Callback[] = [...(base.callbacks ?? []), json ? jsonLines((line) => process.stdout.write(`${line}\n`), { every: 10 }) : progressBar()];
  const command = `genloom train ${process.argv.slice(3).join(' ')}`;
  const result = await train(prepared.model, prepared.data, {
    ...base,
    ...(optimizer ? { optimizer } : {}),
    ...(steps !== undefined ? { steps } : { epochs: epochs! }),
    ...(schedule ? { schedule } : {}),
    seed: opts.seed,
    callbacks,
    ...(prepared.evaluate ? { evaluate: prepared.evaluate } : {}),
    ...(opts.evalEvery ? { evalEvery: opts.evalEvery } : {}),
    checkpoint: { writer: directoryCheckpointStore(out).writer, ...(opts.checkpointEvery ? { every: opts.checkpointEvery } : {}), provenance: { command, data, ...(parent ? { parent } : {}) } },
    signal: controller.signal,
    ...(exactResume && resumed ? { resume: resumed } : {}),
    runInfo: { preset: opts.preset ?? null, overrides, data },
  });
  process.off('SIGINT', onSigint);
  if (resumed?.trainingTensors) tf.dispose(resumed.trainingTensors);
  prepared.dispose?.();
  const ranSteps = exactResume && resumed?.manifest.training ? result.steps - resumed.manifest.training.step : result.steps;
  const stepsPerSecond = result.seconds > 0 ? ranSteps / result.seconds : 0;
  const metrics: Record<string, number> = { ...result.lastLosses, ...result.lastMetrics, stepsPerSecond };
  if (prepared.data.batchSize) metrics.examplesPerSecond = stepsPerSecond * prepared.data.batchSize;
  const done = { event: 'done', steps: result.steps, seconds: Number(result.seconds.toFixed(2)), stoppedBy: result.stoppedBy, metrics, checkpoint: out };
  const human = `trained ${result.steps} steps in ${result.seconds.toFixed(1)} s (${result.stoppedBy}); ${Object.entries(metrics).map(([k, v]) => `${k} ${Number(v.toPrecision(5))}`).join(', ')}\ncheckpoint: ${out}`;
  print(json, done, human);
  prepared.model.dispose();
}

/**
 * The resumed model with the `--set` fields that differ from its checkpoint applied: allowed only
 * for the family's `resumableFields` (dropout, the training recipe), for which the model is rebuilt
 * around the checkpoint's weights and extra state; any other changed field is an error naming it.
 * Overrides equal to the checkpoint's values (as `genloom tune` passes when it resumes a rung)
 * change nothing.
 *
 * @example
 * ```ts
 * // genloom train seq2seq --resume runs/g2p --set dropout=0 --out runs/g2p-ft
 * resumed.model = withResumeOverrides(resumed, { dropout: 0 }, ['dropout'], 1);
 * ```
 */
export function withResumeOverrides(loaded: LoadedCheckpoint, overrides: Record<string, unknown>, resumable: readonly string[], seed: number): GenerativeModel {
  const config = loaded.manifest.config as Record<string, unknown>;
  const changed = Object.entries(overrides).filter(([key, value]) => JSON.stringify(config[key]) !== JSON.stringify(value));
  if (changed.length === 0) return loaded.model;
  const refused = changed.filter(([key]) => !resumable.includes(key));
  if (refused.length > 0) {
    const what = refused.map(([key, value]) => `${key}=${JSON.stringify(value)} (the checkpoint has ${JSON.stringify(config[key])})`).join(', ');
    const allowed = resumable.length ? `fields that can change when resuming: ${resumable.join(', ')}` : `the ${loaded.manifest.family} family changes no config field when resuming`;
    throw new Error(`--set ${what} cannot change on --resume: the weights belong to the checkpoint's config; ${allowed}`);
  }
  const family = getFamily(loaded.manifest.family);
  const next = family.create(family.resolveConfig({ ...config, ...Object.fromEntries(changed) }), seed);
  try {
    next.setWeights(loaded.model.getWeights());
    family.restoreExtraState?.(next, loaded.manifest.extra ?? {});
  } catch (err) {
    next.dispose();
    throw err;
  }
  loaded.model.dispose();
  return next;
}

/** The optimizer settings with every group's learning rate replaced by `lr` (the `--lr` flag). */
function withLearningRate(settings: OptimizerSettings | undefined, lr: number): OptimizerSettings {
  if (!settings) return { type: 'adam', lr };
  if (typeof settings.type === 'string') return { ...(settings as OptimizerConfig), lr };
  return Object.fromEntries(Object.entries(settings as Record<string, OptimizerConfig>).map(([group, c]) => [group, { ...c, lr }]));
}

/**
 * Runs the CLI with `argv` and resolves to the exit code.
 *
 * @example
 * ```ts
 * process.exit(await run(['node', 'genloom', 'info', '--json']));
 * ```
 */
export async function run(argv: string[]): Promise<number> {
  const program = buildProgram();
  program.exitOverride();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    const e = err as { code?: string; exitCode?: number; message?: string };
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
    if (e.code?.startsWith('commander.')) return e.exitCode ?? 1;
    const json = argv.includes('--json');
    const message = e.message ?? String(err);
    if (json) process.stdout.write(`${JSON.stringify({ event: 'error', message })}\n`);
    process.stderr.write(`genloom: ${message}\n`);
    return 1;
  }
}

export type { GenerativeModel };

/**
 * A family's learning-rate schedule fitted to `--steps`: a decay the family set over its own step
 * budget (`decaySteps` equal to its `steps`) is stretched or shrunk to the steps asked for, and the
 * warm-up kept within the first tenth, so a shorter run still ends at the low learning rate.
 *
 * @example
 * ```ts
 * const base = { steps: 4000, schedule: { type: 'warmup-cosine', lr: 2e-3, warmupSteps: 100, decaySteps: 4000, minLr: 2e-4 } } as const;
 * scheduleForSteps(base, 500); // { …, warmupSteps: 50, decaySteps: 500 }
 * ```
 */
export function scheduleForSteps(base: Partial<TrainOptions>, steps: number | undefined): TrainOptions['schedule'] | undefined {
  const s = base.schedule;
  if (!s || steps === undefined || base.steps === undefined || steps === base.steps) return s;
  if (!('decaySteps' in s) || s.decaySteps !== base.steps) return s;
  return { ...s, decaySteps: steps, ...('warmupSteps' in s && typeof s.warmupSteps === 'number' ? { warmupSteps: Math.min(s.warmupSteps, Math.floor(steps / 10)) } : {}) };
}

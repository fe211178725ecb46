import * as tf from '@tensorflow/tfjs';
import type { CheckpointWriter } from '../checkpoint/store.js';
import { saveModel, type LoadedCheckpoint, type Provenance, type TrainingState } from '../checkpoint/format.js';
import type { DataSource, TensorBatch } from '../data.js';
import type { GenerativeModel } from '../model.js';
import { WeightEMA } from '../optim/ema.js';
import { createSchedule, type Schedule, type ScheduleConfig } from '../optim/schedule.js';
import { Rng } from '../rng.js';
import type { Callback, StepEvent, TrainSummary } from './callbacks.js';
import { makeStepContext, OptimizerGroups, type OptimizerSettings } from './context.js';

/** Options of {@link train}. Give `steps` or `epochs`. */
export interface TrainOptions {
  /** Total optimisation steps of the run (a resumed run continues up to this number). */
  steps?: number;
  /** Alternatively, passes over the data (steps = epochs × batchesPerEpoch). */
  epochs?: number;
  /** One optimizer config for every group, or one per group name (GANs: generator, discriminator). Default Adam, lr 1e-3. */
  optimizer?: OptimizerSettings;
  /**
   * Learning-rate schedule. Its shape scales each group's base lr: `lr_g(t) = base_g · schedule(t) / schedule.lr`
   * for a config, `base_g · schedule(t)` for a function.
   */
  schedule?: ScheduleConfig | Schedule;
  /** Clip gradients to this global L2 norm. */
  clipNorm?: number;
  /** Record the global gradient norm of each group as `gradNorm` / `gradNorm/<group>`. */
  monitorGradNorm?: boolean;
  /** Seed of the run's random stream (dropout, noise). Default 0. */
  seed?: number;
  callbacks?: Callback[];
  /** Computes validation metrics; called every `evalEvery` steps and at the end. */
  evaluate?: (step: number) => Promise<Record<string, number>>;
  evalEvery?: number;
  /** Save a resumable checkpoint every `every` steps and at the end. */
  checkpoint?: { writer: CheckpointWriter; every?: number; provenance?: Partial<Provenance> };
  /** Keep an exponential moving average of the weights; the saved weights are the averages. */
  ema?: { decay: number };
  /** Stops the run at the next step boundary (the final checkpoint is still written). */
  signal?: AbortSignal;
  /** Continue a run from a checkpoint loaded with `loadCheckpoint(reader, { withTraining: true })`. */
  resume?: LoadedCheckpoint;
  /** Extra run facts stored in the checkpoint's training state (data spec, preset…). */
  runInfo?: Record<string, unknown>;
}

/** The result of {@link train}. */
export interface TrainResult extends TrainSummary {
  history: Array<{ step: number; losses: Record<string, number> }>;
}

async function readScalars(named: Record<string, tf.Scalar>): Promise<Record<string, number>> {
  const names = Object.keys(named);
  if (names.length === 0) return {};
  const stacked = tf.stack(names.map((n) => named[n]!));
  const values = await stacked.data();
  stacked.dispose();
  return Object.fromEntries(names.map((n, i) => [n, values[i]!]));
}

/**
 * Trains any genloom model: the one loop for every family. Each step takes the batch at
 * (epoch, index) from `data`, calls `model.trainStep`, reads the returned scalars asynchronously
 * (so it works on webgpu in Node), stops with an error on a NaN/Inf loss, and drives the callbacks,
 * evaluation, EMA and checkpoints. `tf.memory().numTensors` stays flat across steps.
 *
 * @example
 * ```ts
 * const result = await train(model, imageBatches(mnist, { batchSize: 128, seed: 1 }), {
 *   epochs: 10,
 *   optimizer: { type: 'adam', lr: 1e-3 },
 *   callbacks: [progressBar()],
 *   checkpoint: { writer: directoryCheckpointStore('runs/vae').writer, every: 1000 },
 * });
 * ```
 */
export async function train<B extends TensorBatch>(model: GenerativeModel<B>, data: DataSource<B>, options: TrainOptions): Promise<TrainResult> {
  if (!(data.batchesPerEpoch >= 1)) throw new Error(`DataSource has batchesPerEpoch=${data.batchesPerEpoch}; it needs at least one batch`);
  const totalSteps = options.steps ?? (options.epochs !== undefined ? Math.ceil(options.epochs * data.batchesPerEpoch) : NaN);
  if (!Number.isInteger(totalSteps) || totalSteps < 0) {
    throw new Error(`train() needs steps or epochs giving a whole number of steps >= 0, got steps=${options.steps}, epochs=${options.epochs}`);
  }
  const callbacks = options.callbacks ?? [];
  const seed = options.seed ?? 0;
  const groups = new OptimizerGroups(options.optimizer ?? { type: 'adam', lr: 1e-3 });
  const schedule = options.schedule === undefined ? null : typeof options.schedule === 'function' ? options.schedule : createSchedule(options.schedule);
  const scheduleRef = options.schedule !== undefined && typeof options.schedule !== 'function' ? options.schedule.lr : 1;
  const lrAt = (group: string, step: number) => (schedule ? (groups.baseLr(group) * schedule(step)) / scheduleRef : groups.baseLr(group));

  const rng = new Rng(seed);
  let startStep = 0;
  const history: TrainResult['history'] = [];
  const ema = options.ema ? new WeightEMA(model.namedParameters().filter(([, v]) => v.trainable), options.ema.decay) : null;

  if (options.resume) {
    const state = options.resume.manifest.training;
    const tensors = options.resume.trainingTensors;
    if (!state || !tensors) throw new Error('resume needs a checkpoint saved with training state (loadCheckpoint(reader, { withTraining: true }))');
    startStep = state.step;
    rng.setState(state.rngState);
    history.push(...state.history);
    for (const [group, info] of Object.entries(state.optimizers)) {
      const prefix = `optimizer/${group}/`;
      const slots = Object.fromEntries(Object.entries(tensors).filter(([k]) => k.startsWith(prefix)).map(([k, t]) => [k.slice(prefix.length), t]));
      groups.get(group).setState({ config: info.config, step: info.step, slots });
    }
    if (ema) {
      const raw = Object.fromEntries(Object.entries(tensors).filter(([k]) => k.startsWith('raw/')).map(([k, t]) => [k.slice(4), t]));
      if (Object.keys(raw).length > 0) {
        ema.setAveragedWeights(model.getWeights()); // the saved weights are the averages
        for (const [name, v] of model.namedParameters()) if (raw[name]) v.assign(raw[name]!);
      }
    }
  }

  const saveCheckpoint = async (step: number, metrics: Record<string, number>) => {
    if (!options.checkpoint) return;
    const tensors: tf.NamedTensorMap = {};
    const optimizers: TrainingState['optimizers'] = {};
    for (const [group, opt] of groups.byGroup) {
      const s = opt.getState();
      optimizers[group] = { config: s.config, step: s.step };
      for (const [k, t] of Object.entries(s.slots)) tensors[`optimizer/${group}/${k}`] = t;
    }
    if (ema) {
      for (const [name, v] of model.namedParameters()) tensors[`raw/${name}`] = v.clone();
      ema.swap();
    }
    try {
      const manifest = await saveModel(model, options.checkpoint.writer, {
        metrics,
        provenance: { seed, steps: step, ...options.checkpoint.provenance },
        training: {
          state: { step, rngState: rng.getState(), optimizers, history, ...(ema ? { emaDecay: ema.decay } : {}), run: { totalSteps, ...options.runInfo } },
          tensors,
        },
      });
      void manifest;
    } finally {
      if (ema) ema.swap();
      tf.dispose(tensors);
    }
    for (const cb of callbacks) await cb.onCheckpoint?.({ step, location: options.checkpoint.writer.location });
  };

  let stopReason: TrainSummary['stoppedBy'] = 'completed';
  let stopRequested = false;
  const control = {
    stop: (reason?: string) => {
      stopRequested = true;
      stopReason = reason?.startsWith('early-stopping') ? 'early-stopping' : 'callback';
    },
  };
  for (const cb of callbacks) await cb.onTrainBegin?.({ startStep, totalSteps });

  const t0 = performance.now();
  let lastLosses: Record<string, number> = {};
  let lastMetrics: Record<string, number> = {};
  let step = startStep;
  try {
    while (step < totalSteps) {
      if (options.signal?.aborted) {
        stopReason = 'aborted';
        break;
      }
      const epoch = Math.floor(step / data.batchesPerEpoch);
      const batch = data.batch(epoch, step % data.batchesPerEpoch);
      const ctx = makeStepContext({
        step,
        rng,
        groups,
        lrFor: (g) => lrAt(g, step),
        ...(options.clipNorm !== undefined ? { clipNorm: options.clipNorm } : {}),
        monitorGradNorm: options.monitorGradNorm ?? false,
      });
      let losses: Record<string, tf.Scalar>;
      try {
        losses = model.trainStep(batch, ctx);
      } finally {
        tf.dispose(batch);
      }
      const scalars = { ...losses, ...ctx.monitored };
      const values = await readScalars(scalars);
      tf.dispose(Object.values(scalars));
      for (const [name, value] of Object.entries(values)) {
        if (!Number.isFinite(value)) {
          throw new Error(`Training diverged: "${name}" is ${value} at step ${step + 1} (lr ${lrAt(groups.reportedGroup(), step)}). Lower the learning rate or enable clipNorm.`);
        }
      }
      ema?.update();
      step += 1;
      lastLosses = values;
      history.push({ step, losses: values });
      const seconds = (performance.now() - t0) / 1000;
      const done = step - startStep;
      const sps = done / Math.max(seconds, 1e-9);
      const event: StepEvent = {
        step,
        totalSteps,
        epoch,
        losses: values,
        lr: lrAt(groups.reportedGroup(), step - 1),
        seconds,
        stepsPerSecond: sps,
        examplesPerSecond: sps * (data.batchSize ?? 0),
        etaSeconds: (totalSteps - step) / Math.max(sps, 1e-9),
      };
      for (const cb of callbacks) await cb.onStepEnd?.(event, control);
      if (options.evaluate && options.evalEvery && step % options.evalEvery === 0 && step < totalSteps) {
        lastMetrics = await runEval(options.evaluate, step, ema, callbacks, control);
      }
      if (options.checkpoint?.every && step % options.checkpoint.every === 0 && step < totalSteps) {
        await saveCheckpoint(step, { ...lastMetrics });
      }
      if (stopRequested) break;
    }
    if (options.evaluate && step > startStep) lastMetrics = await runEval(options.evaluate, step, ema, callbacks, control);
    // The model the caller keeps after training carries the averaged weights, like the checkpoint.
    await saveCheckpoint(step, { ...lastMetrics });
  } finally {
    groups.dispose();
  }
  if (ema) {
    ema.swap();
    ema.dispose();
  }
  const summary: TrainResult = {
    steps: step,
    seconds: (performance.now() - t0) / 1000,
    stoppedBy: stopReason,
    lastLosses,
    lastMetrics,
    history,
  };
  for (const cb of callbacks) await cb.onTrainEnd?.(summary);
  return summary;
}

async function runEval(
  evaluate: (step: number) => Promise<Record<string, number>>,
  step: number,
  ema: WeightEMA | null,
  callbacks: Callback[],
  control: { stop(reason?: string): void },
): Promise<Record<string, number>> {
  ema?.swap();
  let metrics: Record<string, number>;
  try {
    metrics = await evaluate(step);
  } finally {
    ema?.swap();
  }
  for (const cb of callbacks) await cb.onEval?.({ step, metrics }, control);
  return metrics;
}

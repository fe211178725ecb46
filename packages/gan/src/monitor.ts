/**
 * Watching adversarial training, as Trainer callbacks: the balance of the two players (D(real),
 * D(fake), the distance from the coin-toss point, gradient norms), a mode-collapse alarm, and an
 * early stop for when the game has settled and quality no longer improves.
 */
import * as tf from '@tensorflow/tfjs';
import type { Callback, StepEvent, TrainerControl } from '@genloom/core';
import { toUnitRange } from './model.js';

/** One monitored step. */
export interface MonitorPoint {
  step: number;
  dReal: number;
  dFake: number;
  /**
   * How far the discriminator is from a coin toss: mean of |D(real) − ½| and |D(fake) − ½| for
   * probabilistic losses (0 = cannot tell real from fake, ½ = certain); |W-distance estimate| for
   * the wasserstein critic.
   */
  coinTossDistance: number;
  dLoss: number;
  gLoss: number;
  gradNormGenerator?: number;
  gradNormDiscriminator?: number;
}

/**
 * The coin-toss distance of a step's losses (see {@link MonitorPoint.coinTossDistance}), or null
 * when the step did not report D(real)/D(fake).
 *
 * @example
 * ```ts
 * coinTossDistance({ dReal: 0.6, dFake: 0.4 }); // 0.1
 * ```
 */
export function coinTossDistance(losses: Record<string, number>): number | null {
  if (losses.wDistance !== undefined) return Math.abs(losses.wDistance);
  if (losses.dReal === undefined || losses.dFake === undefined) return null;
  return (Math.abs(losses.dReal - 0.5) + Math.abs(losses.dFake - 0.5)) / 2;
}

function pointOf(e: StepEvent): MonitorPoint | null {
  const d = coinTossDistance(e.losses);
  if (d === null) return null;
  const p: MonitorPoint = { step: e.step, dReal: e.losses.dReal!, dFake: e.losses.dFake!, coinTossDistance: d, dLoss: e.losses.dLoss ?? NaN, gLoss: e.losses.gLoss ?? NaN };
  if (e.losses['gradNorm/generator'] !== undefined) p.gradNormGenerator = e.losses['gradNorm/generator'];
  if (e.losses['gradNorm/discriminator'] !== undefined) p.gradNormDiscriminator = e.losses['gradNorm/discriminator'];
  return p;
}

/**
 * Records D(real), D(fake), the coin-toss distance and (with the Trainer's `monitorGradNorm: true`)
 * the gradient norm of each player at every step, and logs a line every `every` steps. `series` is
 * ready to be written as JSON and plotted.
 *
 * @example
 * ```ts
 * const monitor = ganMonitor({ every: 100, log: console.log });
 * await train(gan, data, { steps: 2000, optimizer: ganOptimizers(gan.config), monitorGradNorm: true, callbacks: [monitor] });
 * monitor.series.at(-1)?.coinTossDistance;
 * ```
 */
export function ganMonitor(opts: { every?: number; log?: (line: string) => void } = {}): Callback & { series: MonitorPoint[] } {
  const series: MonitorPoint[] = [];
  const every = opts.every ?? 100;
  return {
    series,
    onStepEnd: (e) => {
      const p = pointOf(e);
      if (!p) return;
      series.push(p);
      if (opts.log && (e.step % every === 0 || e.step === e.totalSteps)) {
        const g = p.gradNormGenerator !== undefined ? `  |∇G| ${p.gradNormGenerator.toFixed(3)}  |∇D| ${p.gradNormDiscriminator?.toFixed(3)}` : '';
        opts.log(`step ${e.step}: D(real) ${p.dReal.toFixed(3)}  D(fake) ${p.dFake.toFixed(3)}  coin-toss distance ${p.coinTossDistance.toFixed(3)}  dLoss ${p.dLoss.toFixed(3)}  gLoss ${p.gLoss.toFixed(3)}${g}`);
      }
    },
  };
}

/** Anything that makes samples for a seed: a {@link GAN}. */
export interface SampleSource {
  /** `n` samples for a seed. */
  generate(n: number, opts: { seed?: number }): tf.Tensor;
}

/** Anything that gives class probabilities [N, K]: the eval package's `ImageClassifier`, {@link ringClassifier}. */
export interface ProbabilityClassifier {
  /** Class probabilities [N, classes] of a batch of samples. */
  predictProba(x: tf.Tensor4D | tf.Tensor): tf.Tensor2D;
}

/** Options of {@link modeCollapseAlarm}. */
export interface ModeCollapseOptions {
  /** What to sample from. */
  model: SampleSource;
  /** Check every this many steps (default 500); `check()` can also be called by hand. */
  every?: number;
  /** Samples per check (default 500), always drawn with the same seed so checks are comparable. */
  samples?: number;
  seed?: number;
  /** Judge by the classes a classifier assigns (preferred when one exists for the data). */
  classifier?: ProbabilityClassifier;
  /** Alarm when fewer classes than this get a fair share (default 80% of the classes, rounded up). */
  minClasses?: number;
  /**
   * Without a classifier: the mean pairwise distance of real examples (a number), or real examples
   * to compute it from. The alarm fires when the samples' spread falls below `minDiversityRatio` of it.
   */
  reference?: number | tf.Tensor;
  /** Default 0.5. */
  minDiversityRatio?: number;
  /** Maps samples to the classifier's input (default: [-1, 1] images to [0, 1]; vectors unchanged). */
  preprocess?: (x: tf.Tensor) => tf.Tensor;
  /** Stop training when the alarm fires (default false: only record and report). */
  stopOnAlarm?: boolean;
  /** Called when a check finds the generator collapsed. */
  onAlarm?: (check: CollapseCheck) => void;
}

/** The result of one mode-collapse check. */
export interface CollapseCheck {
  step: number;
  /** Classes with at least a quarter of their fair share of samples (with a classifier). */
  classes?: number;
  /** Samples per class (with a classifier). */
  classCounts?: number[];
  /** Mean pairwise Euclidean distance among the samples. */
  diversity: number;
  /** diversity / the reference's (when a reference is given). */
  diversityRatio?: number;
  alarm: boolean;
  reason?: string;
}

/**
 * Mean pairwise Euclidean distance among the rows of `x` (flattened), over distinct pairs: the
 * "spread" of a sample set, 0 for a fully collapsed generator.
 *
 * @example
 * ```ts
 * await meanPairwiseDistance(tf.tensor2d([[0, 0], [3, 4]])); // 5
 * ```
 */
export async function meanPairwiseDistance(x: tf.Tensor): Promise<number> {
  const n = x.shape[0]!;
  if (n < 2) throw new Error(`meanPairwiseDistance needs at least 2 examples, got ${n}`);
  const total = tf.tidy(() => {
    const flat = x.reshape([n, -1]); // [N, D]
    const sq = tf.sum(tf.square(flat), 1); // [N]
    const gram = tf.matMul(flat, flat.transpose()); // [N, N]
    const d2 = tf.relu(tf.sub(tf.add(sq.reshape([n, 1]), sq.reshape([1, n])), tf.mul(2, gram)));
    return tf.sum(tf.sqrt(d2)); // diagonal ≈ 0
  });
  const value = (await total.data())[0]!;
  total.dispose();
  return value / (n * (n - 1));
}

/**
 * A mode-collapse alarm. Every `every` steps it draws a fixed-seed batch of samples and judges
 * them: with a classifier, by how many classes get a fair share (the eval package's MNIST
 * classifier for digits; {@link ringClassifier} for the ring); otherwise by their spread compared
 * with real data's. The alarm is recorded in `checks`, reported through `onAlarm`, and stops the
 * run when `stopOnAlarm` is set.
 *
 * @example
 * ```ts
 * const alarm = modeCollapseAlarm({ model: gan, classifier: mnistClassifier, every: 250, onAlarm: (c) => console.warn(c.reason) });
 * await train(gan, data, { steps: 5000, callbacks: [alarm] });
 * alarm.checks.filter((c) => c.alarm);
 * ```
 */
export function modeCollapseAlarm(opts: ModeCollapseOptions): Callback & {
  /** Every check made so far. */
  checks: CollapseCheck[];
  /** Runs a check now (also called every `every` steps during training). */
  check(step?: number): Promise<CollapseCheck>;
} {
  if (!opts.classifier && opts.reference === undefined) {
    throw new Error('modeCollapseAlarm needs a classifier (to count classes) or a reference (real examples or their mean pairwise distance) to compare the spread with');
  }
  const every = opts.every ?? 500;
  const n = opts.samples ?? 500;
  const seed = opts.seed ?? 9973;
  const ratioMin = opts.minDiversityRatio ?? 0.5;
  const checks: CollapseCheck[] = [];
  let referenceDiversity: number | null = typeof opts.reference === 'number' ? opts.reference : null;
  const preprocess = opts.preprocess ?? ((x: tf.Tensor) => (x.rank === 4 ? toUnitRange(x) : x.clone()));

  const check = async (step = 0): Promise<CollapseCheck> => {
    if (referenceDiversity === null && opts.reference instanceof tf.Tensor) referenceDiversity = await meanPairwiseDistance(opts.reference);
    const samples = opts.model.generate(n, { seed });
    const result: CollapseCheck = { step, diversity: await meanPairwiseDistance(samples), alarm: false };
    const reasons: string[] = [];
    if (opts.classifier) {
      const probs = tf.tidy(() => opts.classifier!.predictProba(preprocess(samples)));
      const k = probs.shape[1];
      const winners = tf.argMax(probs, 1);
      const ids = await winners.data();
      tf.dispose([probs, winners]);
      const counts = new Array<number>(k).fill(0);
      for (const id of ids) counts[id]! += 1;
      const minCount = Math.max(1, Math.floor(n / (4 * k)));
      result.classes = counts.filter((c) => c >= minCount).length;
      result.classCounts = counts;
      const minClasses = opts.minClasses ?? Math.ceil(0.8 * k);
      if (result.classes < minClasses) reasons.push(`only ${result.classes} of ${k} classes get a fair share of ${n} samples (alarm below ${minClasses})`);
    }
    if (referenceDiversity !== null) {
      result.diversityRatio = result.diversity / referenceDiversity;
      if (result.diversityRatio < ratioMin) reasons.push(`sample spread ${result.diversity.toPrecision(3)} is ${result.diversityRatio.toFixed(2)}× the real data's (alarm below ${ratioMin})`);
    }
    samples.dispose();
    if (reasons.length > 0) {
      result.alarm = true;
      result.reason = `mode collapse at step ${step}: ${reasons.join('; ')}`;
    }
    checks.push(result);
    return result;
  };

  return {
    checks,
    check,
    onStepEnd: async (e: StepEvent, control: TrainerControl) => {
      if (e.step % every !== 0) return;
      const c = await check(e.step);
      if (c.alarm) {
        opts.onAlarm?.(c);
        if (opts.stopOnAlarm) control.stop(c.reason);
      }
    },
  };
}

/**
 * Early stop for GANs: ends the run when the discriminator has stayed near the coin-toss point
 * (mean coin-toss distance over the last `window` steps below `tolerance`) and the quality metric
 * reported by the Trainer's `evaluate` (default `fid`, lower is better) has not improved for
 * `patience` evaluations.
 *
 * @example
 * ```ts
 * await train(gan, data, { steps: 20000, evaluate, evalEvery: 500, callbacks: [coinTossEarlyStop({ monitor: 'fid', patience: 3 })] });
 * ```
 */
export function coinTossEarlyStop(
  opts: { tolerance?: number; window?: number; monitor?: string; mode?: 'min' | 'max'; patience?: number; minDelta?: number } = {},
): Callback & { stoppedAt: number | null; best: number } {
  const tolerance = opts.tolerance ?? 0.15;
  const window = opts.window ?? 50;
  const monitor = opts.monitor ?? 'fid';
  const mode = opts.mode ?? 'min';
  const patience = opts.patience ?? 3;
  const minDelta = opts.minDelta ?? 0;
  const recent: number[] = [];
  let stale = 0;
  const state = { stoppedAt: null as number | null, best: mode === 'min' ? Infinity : -Infinity };
  return Object.assign(state, {
    onStepEnd: (e: StepEvent) => {
      const d = coinTossDistance(e.losses);
      if (d === null) return;
      recent.push(d);
      if (recent.length > window) recent.shift();
    },
    onEval: (e: { step: number; metrics: Record<string, number> }, control: TrainerControl) => {
      const value = e.metrics[monitor];
      if (value === undefined) return;
      const better = mode === 'min' ? value < state.best - minDelta : value > state.best + minDelta;
      if (better) {
        state.best = value;
        stale = 0;
      } else {
        stale += 1;
      }
      const balance = recent.length > 0 ? recent.reduce((a, b) => a + b, 0) / recent.length : Infinity;
      if (stale >= patience && balance < tolerance) {
        state.stoppedAt = e.step;
        control.stop(`early-stopping: coin-toss distance ${balance.toFixed(3)} < ${tolerance} and ${monitor} has not improved for ${patience} evaluations (best ${state.best})`);
      }
    },
  });
}

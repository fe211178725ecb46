/**
 * Samplers as schedulers kept apart from the network (the diffusers design): a scheduler knows
 * the noise schedule and how to go from x_t to x_{t−1} given what a network predicted; it knows
 * nothing of the network. Any denoiser that predicts ε (or v) works with either scheduler:
 *
 * ```ts
 * scheduler.setTimesteps(50);
 * for (const t of scheduler.timesteps) {
 *   const out = denoiser(x, t);                               // the network predicts…
 *   x = scheduler.step(out, t, x, { rng }).prevSample;        // …the scheduler steps
 * }
 * ```
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '@genloom/core';
import type { BetaSchedule, PredictionType } from './config.js';
import { alphasCumprod, betaSchedule } from './noise-schedule.js';

/** How `setTimesteps(n)` picks n of the T training steps. */
export type TimestepSpacing = 'trailing' | 'leading' | 'linspace';

/** Arguments of a scheduler. */
export interface SchedulerArgs {
  /** T, the diffusion steps the network was trained on. */
  timesteps: number;
  betaSchedule: BetaSchedule;
  betaStart?: number;
  betaEnd?: number;
  /** What the network's output is (default 'epsilon'). */
  prediction?: PredictionType;
  /** Clip the predicted x₀ to [−c, c] (default 1, data in [−1, 1]); null for none. */
  clipSample?: number | null;
  /**
   * `trailing` (default) starts at t = T−1, so the first step sees pure noise even with few steps
   * (Lin et al. 2024); `leading` is DDIM's original 0, k, 2k, …; `linspace` spreads them evenly.
   */
  spacing?: TimestepSpacing;
}

/** Options of one {@link NoiseScheduler.step}. */
export interface StepOptions {
  /** Source of the fresh noise of stochastic steps (DDPM, DDIM with η > 0). */
  rng?: Rng;
  /** DDIM: η = 0 is deterministic, η = 1 has DDPM's variance (default 0). Ignored by DDPM. */
  eta?: number;
}

/** What a step returns (the caller owns both tensors). */
export interface StepOutput {
  /** x_{t−1} (x at the next timestep of the schedule). */
  prevSample: tf.Tensor4D;
  /** The network's estimate of x₀ at this step (the denoising film shows it too). */
  predOriginalSample: tf.Tensor4D;
}

/** A seed for tfjs random ops that is never 0 (tfjs treats 0 as "no seed"). */
function tfSeed(rng: Rng): number {
  return rng.nextUint32() || 1;
}

/**
 * The shared part of DDPM and DDIM: the schedule, `setTimesteps`, `addNoise` and the conversion
 * of a network output into estimates of x₀ and ε.
 */
export abstract class NoiseScheduler {
  /** β_t for t = 0 … T−1. */
  readonly betas: Float64Array;
  /** ᾱ_t for t = 0 … T−1. */
  readonly alphasCumprod: Float64Array;
  readonly numTrainTimesteps: number;
  readonly prediction: PredictionType;
  readonly clipSample: number | null;
  readonly spacing: TimestepSpacing;
  /** The timesteps of sampling, descending (all T until {@link setTimesteps} is called). */
  timesteps: number[];
  private readonly previous = new Map<number, number>();

  constructor(args: SchedulerArgs) {
    this.numTrainTimesteps = args.timesteps;
    this.betas = betaSchedule({ timesteps: args.timesteps, schedule: args.betaSchedule, betaStart: args.betaStart, betaEnd: args.betaEnd });
    this.alphasCumprod = alphasCumprod(this.betas);
    this.prediction = args.prediction ?? 'epsilon';
    if (this.prediction !== 'epsilon' && this.prediction !== 'v') {
      throw new Error(`scheduler: prediction must be "epsilon" or "v", got ${JSON.stringify(this.prediction)}`);
    }
    this.clipSample = args.clipSample === undefined ? 1 : args.clipSample;
    this.spacing = args.spacing ?? 'trailing';
    if (!['trailing', 'leading', 'linspace'].includes(this.spacing)) {
      throw new Error(`scheduler: spacing must be "trailing", "leading" or "linspace", got ${JSON.stringify(this.spacing)}`);
    }
    this.timesteps = [];
    this.setTimesteps(args.timesteps);
  }

  /**
   * Chooses `n` of the T timesteps for sampling (descending). Fewer steps are faster; DDIM keeps
   * quality down to 20–50, DDPM needs many.
   *
   * @example
   * ```ts
   * scheduler.setTimesteps(4); // trailing spacing with T = 1000: [999, 749, 499, 249]
   * ```
   */
  setTimesteps(n: number): void {
    const T = this.numTrainTimesteps;
    if (!Number.isInteger(n) || n < 1 || n > T) throw new Error(`setTimesteps: n must be an integer in [1, ${T}] (the training timesteps), got ${n}`);
    let ts: number[];
    if (this.spacing === 'leading') {
      const k = Math.floor(T / n);
      ts = Array.from({ length: n }, (_, i) => (n - 1 - i) * k);
    } else if (this.spacing === 'trailing') {
      ts = Array.from({ length: n }, (_, i) => Math.round(T - (i * T) / n) - 1);
    } else {
      ts = Array.from({ length: n }, (_, i) => Math.round(((n - 1 - i) * (T - 1)) / Math.max(n - 1, 1)));
    }
    this.timesteps = ts;
    this.previous.clear();
    ts.forEach((t, i) => this.previous.set(t, ts[i + 1] ?? -1));
  }

  /** The timestep after `t` in the current schedule, or −1 after the last. @example `scheduler.previousTimestep(999)` */
  previousTimestep(t: number): number {
    const prev = this.previous.get(t);
    if (prev === undefined) throw new Error(`timestep ${t} is not in the schedule set by setTimesteps (${this.timesteps.slice(0, 5).join(', ')}${this.timesteps.length > 5 ? ', …' : ''})`);
    return prev;
  }

  /** ᾱ at t, with ᾱ_{−1} = 1 (the clean image). @example `scheduler.alphaBar(-1) // 1` */
  alphaBar(t: number): number {
    if (t < 0) return 1;
    const a = this.alphasCumprod[t];
    if (a === undefined || !Number.isInteger(t)) throw new Error(`timestep must be an integer in [0, ${this.numTrainTimesteps - 1}], got ${t}`);
    return a;
  }

  /** Per-example coefficients `f(ᾱ_t)` as a [B, 1, 1, 1] tensor (or a number for one t). */
  private coefficient(t: number | ArrayLike<number>, f: (abar: number) => number): number | tf.Tensor4D {
    if (typeof t === 'number') return f(this.alphaBar(t));
    const values = Float32Array.from({ length: t.length }, (_, i) => f(this.alphaBar(t[i]!)));
    return tf.tensor4d(values, [t.length, 1, 1, 1]);
  }

  /**
   * Samples q(x_t | x₀) with the given noise: √ᾱ_t·x₀ + √(1 − ᾱ_t)·ε. `t` is one timestep or one
   * per example.
   *
   * @example
   * ```ts
   * const xt = scheduler.addNoise(x0, noise, [10, 500, 999, 0]); // [4, H, W, C]
   * ```
   */
  addNoise(x0: tf.Tensor4D, noise: tf.Tensor4D, t: number | ArrayLike<number>): tf.Tensor4D {
    return tf.tidy(() => {
      const a = this.coefficient(t, (abar) => Math.sqrt(abar));
      const b = this.coefficient(t, (abar) => Math.sqrt(1 - abar));
      return tf.add(tf.mul(x0, a), tf.mul(noise, b)) as tf.Tensor4D;
    });
  }

  /**
   * The velocity target of v-prediction (Salimans & Ho 2022): v = √ᾱ_t·ε − √(1 − ᾱ_t)·x₀.
   *
   * @example
   * ```ts
   * const target = scheduler.velocity(x0, noise, t);
   * ```
   */
  velocity(x0: tf.Tensor4D, noise: tf.Tensor4D, t: number | ArrayLike<number>): tf.Tensor4D {
    return tf.tidy(() => {
      const a = this.coefficient(t, (abar) => Math.sqrt(abar));
      const b = this.coefficient(t, (abar) => Math.sqrt(1 - abar));
      return tf.sub(tf.mul(noise, a), tf.mul(x0, b)) as tf.Tensor4D;
    });
  }

  /**
   * Moves a sample from timestep `from` back up to the noisier `to` (> from) with fresh noise:
   * q(x_to | x_from) = N(√(ᾱ_to/ᾱ_from)·x, (1 − ᾱ_to/ᾱ_from)·I). RePaint's resampling uses it.
   *
   * @example
   * ```ts
   * const again = scheduler.renoise(xPrev, prevT, t, noise);
   * ```
   */
  renoise(sample: tf.Tensor4D, from: number, to: number, noise: tf.Tensor4D): tf.Tensor4D {
    if (!(to > from)) throw new Error(`renoise: the target timestep (${to}) must be noisier than the source (${from})`);
    const ratio = this.alphaBar(to) / this.alphaBar(from);
    return tf.tidy(() => tf.add(tf.mul(sample, Math.sqrt(ratio)), tf.mul(noise, Math.sqrt(1 - ratio))) as tf.Tensor4D);
  }

  /**
   * The estimates of x₀ and ε implied by a network output at step t (clipping x₀ when the
   * scheduler clips, and re-deriving ε from the clipped x₀ so the two stay consistent).
   *
   * @example
   * ```ts
   * const { x0, eps } = scheduler.predictOriginal(out, t, xt);
   * ```
   */
  predictOriginal(modelOutput: tf.Tensor4D, t: number, sample: tf.Tensor4D): { x0: tf.Tensor4D; eps: tf.Tensor4D } {
    return tf.tidy(() => {
      const abar = this.alphaBar(t);
      const sa = Math.sqrt(abar);
      const sb = Math.sqrt(1 - abar);
      let x0: tf.Tensor4D;
      let eps: tf.Tensor4D;
      if (this.prediction === 'epsilon') {
        x0 = tf.div(tf.sub(sample, tf.mul(modelOutput, sb)), sa);
        eps = modelOutput.clone();
      } else {
        x0 = tf.sub(tf.mul(sample, sa), tf.mul(modelOutput, sb));
        eps = tf.add(tf.mul(modelOutput, sa), tf.mul(sample, sb));
      }
      if (this.clipSample !== null) {
        x0 = tf.clipByValue(x0, -this.clipSample, this.clipSample);
        eps = tf.div(tf.sub(sample, tf.mul(x0, sa)), sb);
      }
      return { x0, eps };
    });
  }

  /** One step from x_t to x at the next timestep of the schedule. */
  abstract step(modelOutput: tf.Tensor4D, t: number, sample: tf.Tensor4D, opts?: StepOptions): StepOutput;
}

/**
 * The ancestral sampler of DDPM (Ho et al. 2020): x_{t−1} ~ q(x_{t−1} | x_t, x̂₀), the posterior of
 * the forward process given the predicted x₀, with variance β̃_t ("fixed small"). With fewer
 * steps than T it uses the schedule's ᾱ at the chosen steps (β'_t = 1 − ᾱ_t/ᾱ_prev).
 *
 * @example
 * ```ts
 * const ddpm = new DDPMScheduler({ timesteps: 1000, betaSchedule: 'cosine' });
 * const { prevSample } = ddpm.step(eps, 999, x, { rng });
 * ```
 */
export class DDPMScheduler extends NoiseScheduler {
  step(modelOutput: tf.Tensor4D, t: number, sample: tf.Tensor4D, opts: StepOptions = {}): StepOutput {
    const prev = this.previousTimestep(t);
    const abar = this.alphaBar(t);
    const abarPrev = this.alphaBar(prev);
    const betaT = 1 - abar / abarPrev;
    const alphaT = 1 - betaT;
    // Posterior mean coefficients of x̂₀ and x_t, and the posterior variance β̃_t.
    const c0 = (Math.sqrt(abarPrev) * betaT) / (1 - abar);
    const ct = (Math.sqrt(alphaT) * (1 - abarPrev)) / (1 - abar);
    const variance = Math.max(((1 - abarPrev) / (1 - abar)) * betaT, 1e-20);
    const noiseSeed = prev >= 0 ? (opts.rng ? tfSeed(opts.rng) : null) : 0;
    if (noiseSeed === null) throw new Error('DDPMScheduler.step needs opts.rng for the noise of every step but the last');
    return tf.tidy(() => {
      const { x0 } = this.predictOriginal(modelOutput, t, sample);
      let prevSample = tf.add(tf.mul(x0, c0), tf.mul(sample, ct)) as tf.Tensor4D;
      if (prev >= 0) {
        const z = tf.randomNormal(sample.shape, 0, 1, 'float32', noiseSeed);
        prevSample = tf.add(prevSample, tf.mul(z, Math.sqrt(variance)));
      }
      return { prevSample, predOriginalSample: x0 };
    });
  }
}

/**
 * DDIM (Song, Meng & Ermon 2021): a non-Markovian sampler for the same trained network that can
 * skip steps. x_prev = √ᾱ_prev·x̂₀ + √(1 − ᾱ_prev − σ²)·ε̂ + σ·z with
 * σ = η·√((1 − ᾱ_prev)/(1 − ᾱ_t))·√(1 − ᾱ_t/ᾱ_prev); η = 0 is deterministic given x_T.
 *
 * @example
 * ```ts
 * const ddim = new DDIMScheduler({ timesteps: 1000, betaSchedule: 'cosine' });
 * ddim.setTimesteps(50);
 * const { prevSample } = ddim.step(eps, ddim.timesteps[0]!, x, { eta: 0 });
 * ```
 */
export class DDIMScheduler extends NoiseScheduler {
  step(modelOutput: tf.Tensor4D, t: number, sample: tf.Tensor4D, opts: StepOptions = {}): StepOutput {
    const eta = opts.eta ?? 0;
    if (!(eta >= 0)) throw new Error(`DDIMScheduler.step: eta must be >= 0, got ${eta}`);
    const prev = this.previousTimestep(t);
    const abar = this.alphaBar(t);
    const abarPrev = this.alphaBar(prev);
    const sigma = eta * Math.sqrt((1 - abarPrev) / (1 - abar)) * Math.sqrt(1 - abar / abarPrev);
    const dirCoef = Math.sqrt(Math.max(1 - abarPrev - sigma * sigma, 0));
    const stochastic = sigma > 0;
    if (stochastic && !opts.rng) throw new Error('DDIMScheduler.step with eta > 0 needs opts.rng for its noise');
    const noiseSeed = stochastic ? tfSeed(opts.rng!) : 0;
    return tf.tidy(() => {
      const { x0, eps } = this.predictOriginal(modelOutput, t, sample);
      let prevSample = tf.add(tf.mul(x0, Math.sqrt(abarPrev)), tf.mul(eps, dirCoef)) as tf.Tensor4D;
      if (stochastic) prevSample = tf.add(prevSample, tf.mul(tf.randomNormal(sample.shape, 0, 1, 'float32', noiseSeed), sigma));
      return { prevSample, predOriginalSample: x0 };
    });
  }
}

/** Scheduler names accepted by the pipeline and the CLI. */
export type SamplerName = 'ddpm' | 'ddim';

/**
 * A scheduler by name for the schedule a model was trained with.
 *
 * @example
 * ```ts
 * const s = createScheduler('ddim', { timesteps: 1000, betaSchedule: 'cosine', prediction: 'v' });
 * ```
 */
export function createScheduler(name: SamplerName, args: SchedulerArgs): NoiseScheduler {
  if (name === 'ddpm') return new DDPMScheduler(args);
  if (name === 'ddim') return new DDIMScheduler(args);
  throw new Error(`Unknown sampler ${JSON.stringify(name)}; expected "ddpm" or "ddim"`);
}

/**
 * Noise schedules of the forward process q(x_t | x_0) = N(√ᾱ_t·x_0, (1 − ᾱ_t)·I), kept in float64
 * on the CPU: they are a few thousand numbers, and every scheduler reads them per step.
 * Timesteps are 0-based, t = 0 … T−1, as in diffusers; ᾱ_t = ∏_{s≤t} (1 − β_s).
 */
import type { BetaSchedule } from './config.js';

/** Arguments of {@link betaSchedule}. */
export interface BetaScheduleArgs {
  timesteps: number;
  schedule: BetaSchedule;
  /** Linear: β at the first and last step for T = 1000; scaled by 1000/T for other T (improved DDPM). */
  betaStart?: number;
  betaEnd?: number;
  /** Cosine: the offset s that keeps β_0 from vanishing (0.008, Nichol & Dhariwal 2021). */
  cosineOffset?: number;
  /** Cosine: the cap on β_t near t = T (0.999). */
  maxBeta?: number;
}

/**
 * The β_t of a schedule: DDPM's linear ramp (Ho et al. 2020), or the cosine schedule whose ᾱ_t
 * follows cos²((t/T + s)/(1 + s)·π/2), which destroys information more evenly over the steps.
 *
 * @example
 * ```ts
 * const betas = betaSchedule({ timesteps: 1000, schedule: 'linear' }); // 1e-4 … 0.02
 * const cos = betaSchedule({ timesteps: 1000, schedule: 'cosine' });
 * ```
 */
export function betaSchedule(args: BetaScheduleArgs): Float64Array {
  const T = args.timesteps;
  if (!Number.isInteger(T) || T < 2) throw new Error(`betaSchedule: timesteps must be an integer >= 2, got ${T}`);
  const betas = new Float64Array(T);
  if (args.schedule === 'linear') {
    const scale = 1000 / T;
    const lo = (args.betaStart ?? 1e-4) * scale;
    const hi = Math.min((args.betaEnd ?? 0.02) * scale, 0.999);
    for (let t = 0; t < T; t++) betas[t] = lo + ((hi - lo) * t) / (T - 1);
  } else if (args.schedule === 'cosine') {
    const s = args.cosineOffset ?? 0.008;
    const maxBeta = args.maxBeta ?? 0.999;
    const f = (t: number) => Math.cos(((t / T + s) / (1 + s)) * (Math.PI / 2)) ** 2;
    for (let t = 0; t < T; t++) betas[t] = Math.min(1 - f(t + 1) / f(t), maxBeta);
  } else {
    throw new Error(`betaSchedule: schedule must be "linear" or "cosine", got ${JSON.stringify(args.schedule)}`);
  }
  return betas;
}

/**
 * ᾱ_t = ∏_{s≤t} (1 − β_s), the fraction of the signal's variance left at step t.
 *
 * @example
 * ```ts
 * const abar = alphasCumprod(betaSchedule({ timesteps: 1000, schedule: 'cosine' }));
 * abar[999]; // ≈ 0: x_T is (almost) pure noise
 * ```
 */
export function alphasCumprod(betas: ArrayLike<number>): Float64Array {
  const out = new Float64Array(betas.length);
  let prod = 1;
  for (let t = 0; t < betas.length; t++) {
    prod *= 1 - betas[t]!;
    out[t] = prod;
  }
  return out;
}

/** A learning-rate schedule: the rate to use at a (0-based) step. */
export type Schedule = (step: number) => number;

/** JSON description of a schedule; see {@link createSchedule}. */
export type ScheduleConfig =
  | { type: 'constant'; lr: number }
  | { type: 'warmup-cosine'; lr: number; warmupSteps: number; decaySteps: number; minLr: number }
  | { type: 'step'; lr: number; every: number; gamma: number };

/**
 * Linear warm-up to `lr` over `warmupSteps`, then cosine decay to `minLr` at `decaySteps`, then
 * constant — nanoGPT's `get_lr`.
 *
 * @example
 * ```ts
 * const lrAt = warmupCosine({ lr: 1e-3, warmupSteps: 100, decaySteps: 2000, minLr: 1e-4 });
 * lrAt(0);    // 1e-5
 * lrAt(2000); // 1e-4
 * ```
 */
export function warmupCosine(o: { lr: number; warmupSteps: number; decaySteps: number; minLr: number }): Schedule {
  return (step) => {
    if (step < o.warmupSteps) return (o.lr * (step + 1)) / (o.warmupSteps + 1);
    if (step > o.decaySteps) return o.minLr;
    const ratio = (step - o.warmupSteps) / Math.max(1, o.decaySteps - o.warmupSteps);
    const coeff = 0.5 * (1 + Math.cos(Math.PI * ratio));
    return o.minLr + coeff * (o.lr - o.minLr);
  };
}

/**
 * Builds a schedule from JSON, validating it.
 *
 * @example
 * ```ts
 * const lrAt = createSchedule({ type: 'step', lr: 0.1, every: 1000, gamma: 0.5 });
 * ```
 */
export function createSchedule(config: ScheduleConfig): Schedule {
  if (!(config.lr > 0)) throw new Error(`schedule.lr must be > 0, got ${config.lr}`);
  switch (config.type) {
    case 'constant':
      return () => config.lr;
    case 'warmup-cosine':
      if (!(config.warmupSteps >= 0) || !(config.decaySteps >= config.warmupSteps)) {
        throw new Error(`warmup-cosine needs 0 <= warmupSteps <= decaySteps, got ${config.warmupSteps} and ${config.decaySteps}`);
      }
      return warmupCosine(config);
    case 'step':
      if (!(config.every > 0)) throw new Error(`step schedule needs every > 0, got ${config.every}`);
      return (step) => config.lr * config.gamma ** Math.floor(step / config.every);
    default:
      throw new Error(`Unknown schedule type "${String((config as { type: unknown }).type)}"; expected constant, warmup-cosine or step`);
  }
}

/**
 * The nanoGPT-style training recipe that token models share as config fields: AdamW with decay on
 * matrices, linear warm-up then cosine decay to `minLr`, and gradient clipping. A family's config
 * extends it, so every token model is tuned through the same field names.
 *
 * @example
 * ```ts
 * interface MyLMConfig extends TrainingRecipe { vocabSize: number; hidden: number }
 * ```
 */
export interface TrainingRecipe {
  /** Sequences per batch. */
  batchSize: number;
  /** Peak learning rate after warm-up. */
  lr: number;
  /** Learning rate at the end of the cosine decay. */
  minLr: number;
  /** Steps of linear warm-up. */
  warmupIters: number;
  /** Step at which the cosine decay reaches minLr. */
  lrDecayIters: number;
  /** Optimisation steps of a training run. */
  maxIters: number;
  /** AdamW decoupled weight decay, applied to matrices only. */
  weightDecay: number;
  /** Adam's first-moment decay. */
  beta1: number;
  /** Adam's second-moment decay. */
  beta2: number;
  /** Clip gradients to this global norm (0 turns clipping off). */
  gradClip: number;
}

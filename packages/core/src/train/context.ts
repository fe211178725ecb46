import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../rng.js';
import { clipByGlobalNorm } from '../optim/clip.js';
import { createOptimizer, type NamedVariable, type Optimizer, type OptimizerConfig } from '../optim/optimizer.js';

/**
 * What a model's `trainStep` gets from the Trainer: the step number, the run's random stream, and
 * `minimize`, which differentiates a loss, clips the gradients and applies the optimizer of a
 * group. A GAN calls `minimize` twice per step ('discriminator', 'generator'); a VAE once.
 *
 * @example
 * ```ts
 * trainStep(batch, ctx) {
 *   const loss = ctx.minimize(() => this.loss(batch.x, ctx.rng), this.namedParameters());
 *   return { loss };
 * }
 * ```
 */
export interface StepContext {
  /** 0-based index of the step being taken. */
  readonly step: number;
  /** The run's random stream (dropout masks, noise); saved with checkpoints. */
  readonly rng: Rng;
  /**
   * Differentiates `lossFn` with respect to `params` (trainable ones), clips by global norm when the
   * run asks for it, applies the optimizer of `group`, and returns the loss (owned by the caller).
   * Extra scalars `loss` returns through `aux` are kept too.
   */
  minimize(lossFn: () => tf.Scalar, params: NamedVariable[], group?: string): tf.Scalar;
  /** The optimizer of a group (created on first use from the run's config for that group). */
  optimizer(group?: string): Optimizer;
  /** The learning rate the schedule gives for this step. */
  readonly lr: number;
  /** Scalars recorded by `minimize` (gradient norms per group), read by the Trainer with the losses. */
  readonly monitored: Record<string, tf.Scalar>;
}

/** Optimizer settings of a run: one config for all groups, or one per group name. */
export type OptimizerSettings = OptimizerConfig | Record<string, OptimizerConfig>;

function isSingleConfig(s: OptimizerSettings): s is OptimizerConfig {
  return typeof (s as OptimizerConfig).type === 'string';
}

/** Holds the optimizers of a run by group and builds each step's context. */
export class OptimizerGroups {
  readonly byGroup = new Map<string, Optimizer>();

  constructor(private readonly settings: OptimizerSettings) {}

  get(group: string): Optimizer {
    let opt = this.byGroup.get(group);
    if (!opt) {
      const config = isSingleConfig(this.settings) ? this.settings : this.settings[group];
      if (!config) {
        throw new Error(`No optimizer configured for group "${group}"; configured groups: ${Object.keys(this.settings).join(', ')}`);
      }
      opt = createOptimizer(config);
      this.byGroup.set(group, opt);
    }
    return opt;
  }

  /** Base learning rate of a group, for schedules that scale per group. */
  baseLr(group: string): number {
    return isSingleConfig(this.settings) ? this.settings.lr : (this.settings[group]?.lr ?? 0);
  }

  /** The group whose learning rate progress reports show: 'default', or the first configured group. */
  reportedGroup(): string {
    return isSingleConfig(this.settings) || 'default' in this.settings ? 'default' : (Object.keys(this.settings)[0] ?? 'default');
  }

  dispose(): void {
    for (const o of this.byGroup.values()) o.dispose();
    this.byGroup.clear();
  }
}

/** Creates the {@link StepContext} for one step. */
export function makeStepContext(opts: {
  step: number;
  rng: Rng;
  groups: OptimizerGroups;
  /** lr for a group at this step (schedule × group's base lr ratio). */
  lrFor: (group: string) => number;
  clipNorm?: number;
  monitorGradNorm?: boolean;
}): StepContext {
  const monitored: Record<string, tf.Scalar> = {};
  return {
    step: opts.step,
    rng: opts.rng,
    lr: opts.lrFor('default'),
    monitored,
    optimizer: (group = 'default') => opts.groups.get(group),
    minimize(lossFn, params, group = 'default') {
      const trainable = params.filter(([, v]) => v.trainable);
      if (trainable.length === 0) throw new Error(`minimize(group "${group}") was given no trainable variables`);
      const opt = opts.groups.get(group);
      opt.lr = opts.lrFor(group);
      const { value, grads } = tf.variableGrads(lossFn, trainable.map(([, v]) => v));
      const gradList = trainable.map(([name, v]) => {
        const g = grads[v.name];
        if (!g) throw new Error(`No gradient for parameter "${name}": it does not affect the loss of group "${group}"`);
        return g;
      });
      if (opts.clipNorm !== undefined || opts.monitorGradNorm) {
        const { grads: clipped, norm } = clipByGlobalNorm(gradList, opts.clipNorm ?? Number.MAX_VALUE);
        opt.applyGradients(trainable, opts.clipNorm !== undefined ? clipped : gradList);
        tf.dispose(clipped);
        const key = group === 'default' ? 'gradNorm' : `gradNorm/${group}`;
        monitored[key]?.dispose();
        monitored[key] = norm;
      } else {
        opt.applyGradients(trainable, gradList);
      }
      tf.dispose(grads);
      return value;
    },
  };
}

import * as tf from '@tensorflow/tfjs';

/** A trainable variable with its stable, dotted name (the key of its optimizer state in checkpoints). */
export type NamedVariable = [name: string, variable: tf.Variable];

/** JSON description of an optimizer; see {@link createOptimizer}. */
export interface OptimizerConfig {
  type: 'adamw' | 'adam' | 'sgd';
  /** Base learning rate; a schedule may override it every step. */
  lr: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  /** Decoupled weight decay (AdamW) or L2 (SGD). */
  weightDecay?: number;
  /** Apply weight decay only to tensors of rank ≥ 2 (matrices, filters, embeddings), as nanoGPT does. Default true. */
  decayMatricesOnly?: boolean;
  momentum?: number;
  nesterov?: boolean;
}

/** Optimizer state as saved in checkpoints: the step count and named slot tensors. */
export interface OptimizerState {
  config: OptimizerConfig;
  step: number;
  slots: tf.NamedTensorMap;
}

/**
 * Base class of genloom's optimizers. State (moments, momentum) is keyed by parameter name, so it
 * survives a save → load → resume cycle exactly.
 *
 * @example
 * ```ts
 * const opt = createOptimizer({ type: 'adamw', lr: 1e-3, weightDecay: 0.1 });
 * opt.applyGradients(model.namedParameters(), grads);
 * ```
 */
export abstract class Optimizer {
  lr: number;
  step = 0;
  protected readonly slots = new Map<string, tf.Variable>();

  constructor(readonly config: OptimizerConfig) {
    if (!(config.lr >= 0) || !Number.isFinite(config.lr)) {
      throw new Error(`Optimizer lr must be a finite number >= 0, got ${config.lr}`);
    }
    this.lr = config.lr;
  }

  /** The state variable `name` (moment, momentum), created as zeros shaped like `like` on first use. */
  protected slot(name: string, like: tf.Tensor): tf.Variable {
    let v = this.slots.get(name);
    if (!v) {
      v = tf.variable(tf.zerosLike(like), false);
      this.slots.set(name, v);
    }
    return v;
  }

  /** Whether weight decay applies to this parameter (by default: tensors of rank ≥ 2). */
  protected decays(name: string, v: tf.Variable): boolean {
    const wd = this.config.weightDecay ?? 0;
    if (wd === 0) return false;
    return (this.config.decayMatricesOnly ?? true) ? v.rank >= 2 : true;
  }

  /**
   * Updates each variable with its gradient (same order). Gradients are not disposed.
   *
   * @example
   * ```ts
   * opt.applyGradients([['w', w]], [gradW]);
   * ```
   */
  applyGradients(params: NamedVariable[], grads: tf.Tensor[]): void {
    if (params.length !== grads.length) {
      throw new Error(`applyGradients got ${params.length} variables but ${grads.length} gradients`);
    }
    this.step += 1;
    tf.tidy(() => {
      params.forEach(([name, v], i) => this.update(name, v, grads[i]!));
    });
  }

  /** Updates one parameter from its gradient (inside the caller's `tf.tidy`). */
  protected abstract update(name: string, v: tf.Variable, g: tf.Tensor): void;

  /** Copies of the state for a checkpoint. @example `const s = opt.getState()` */
  getState(): OptimizerState {
    const slots: tf.NamedTensorMap = {};
    for (const [name, v] of this.slots) slots[name] = v.clone();
    return { config: { ...this.config }, step: this.step, slots };
  }

  /** Restores state saved by {@link Optimizer.getState}; takes ownership of nothing (copies). @example `opt.setState(s)` */
  setState(state: OptimizerState): void {
    this.step = state.step;
    for (const [name, t] of Object.entries(state.slots)) {
      const existing = this.slots.get(name);
      if (existing) existing.assign(t);
      else this.slots.set(name, tf.variable(t.clone(), false));
    }
  }

  /** Frees the state. @example `opt.dispose()` */
  dispose(): void {
    for (const v of this.slots.values()) v.dispose();
    this.slots.clear();
  }
}

/**
 * Adam (Kingma & Ba) with decoupled weight decay (AdamW, Loshchilov & Hutter), following PyTorch's
 * update: `p ← p·(1 − lr·wd)`, then `p ← p − lr/(1−β1ᵗ) · m / (sqrt(v)/sqrt(1−β2ᵗ) + ε)`.
 *
 * @example
 * ```ts
 * const opt = new AdamW({ type: 'adamw', lr: 1e-3, beta2: 0.99, weightDecay: 0.1 });
 * ```
 */
export class AdamW extends Optimizer {
  protected update(name: string, p: tf.Variable, g: tf.Tensor): void {
    const b1 = this.config.beta1 ?? 0.9;
    const b2 = this.config.beta2 ?? 0.999;
    const eps = this.config.eps ?? 1e-8;
    const wd = this.config.type === 'adamw' ? (this.config.weightDecay ?? 0) : 0;
    const l2 = this.config.type === 'adam' ? (this.config.weightDecay ?? 0) : 0;
    if (l2 > 0 && this.decays(name, p)) g = tf.add(g, tf.mul(l2, p));
    const m = this.slot(`${name}/m`, p);
    const v = this.slot(`${name}/v`, p);
    m.assign(tf.add(tf.mul(b1, m), tf.mul(1 - b1, g)));
    v.assign(tf.add(tf.mul(b2, v), tf.mul(1 - b2, tf.square(g))));
    const bc1 = 1 - b1 ** this.step;
    const bc2 = 1 - b2 ** this.step;
    const denom = tf.add(tf.div(tf.sqrt(v), Math.sqrt(bc2)), eps);
    let next: tf.Tensor = p;
    if (wd > 0 && this.decays(name, p)) next = tf.mul(p, 1 - this.lr * wd);
    p.assign(tf.sub(next, tf.mul(this.lr / bc1, tf.div(m, denom))));
  }
}

/**
 * Stochastic gradient descent with optional (Nesterov) momentum and L2 weight decay (PyTorch's form).
 *
 * @example
 * ```ts
 * const opt = new SGD({ type: 'sgd', lr: 0.1, momentum: 0.9 });
 * ```
 */
export class SGD extends Optimizer {
  protected update(name: string, p: tf.Variable, g: tf.Tensor): void {
    const wd = this.config.weightDecay ?? 0;
    if (wd > 0 && this.decays(name, p)) g = tf.add(g, tf.mul(wd, p));
    const mu = this.config.momentum ?? 0;
    if (mu > 0) {
      const buf = this.slot(`${name}/momentum`, p);
      buf.assign(this.step === 1 ? g : tf.add(tf.mul(mu, buf), g));
      g = this.config.nesterov ? tf.add(g, tf.mul(mu, buf)) : buf;
    }
    p.assign(tf.sub(p, tf.mul(this.lr, g)));
  }
}

/**
 * Builds an optimizer from its JSON config, validating the fields.
 *
 * @example
 * ```ts
 * const opt = createOptimizer({ type: 'adam', lr: 1e-3 });
 * ```
 */
export function createOptimizer(config: OptimizerConfig): Optimizer {
  const check = (field: keyof OptimizerConfig, lo: number, hi: number) => {
    const value = config[field];
    if (value !== undefined && !(typeof value === 'number' && value >= lo && value < hi)) {
      throw new Error(`optimizer.${field} must be a number in [${lo}, ${hi}), got ${JSON.stringify(value)}`);
    }
  };
  check('beta1', 0, 1);
  check('beta2', 0, 1);
  check('momentum', 0, 1);
  check('weightDecay', 0, Infinity);
  check('eps', 0, 1);
  switch (config.type) {
    case 'adam':
    case 'adamw':
      return new AdamW(config);
    case 'sgd':
      return new SGD(config);
    default:
      throw new Error(`Unknown optimizer type "${String((config as { type: unknown }).type)}"; expected adamw, adam or sgd`);
  }
}

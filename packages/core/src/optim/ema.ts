import * as tf from '@tensorflow/tfjs';
import type { NamedVariable } from './optimizer.js';

/**
 * Exponential moving average of weights (Polyak averaging), as diffusion models and GANs sample
 * with: `shadow ← decay·shadow + (1 − decay)·weight` after each step.
 *
 * @example
 * ```ts
 * const ema = new WeightEMA(model.namedParameters(), 0.999);
 * ema.update();              // after each optimizer step
 * ema.swap();                // evaluate / sample with the averaged weights…
 * ema.swap();                // …and swap back to keep training
 * ```
 */
export class WeightEMA {
  private readonly shadow = new Map<string, tf.Variable>();

  constructor(private readonly params: NamedVariable[], readonly decay: number) {
    if (!(decay > 0 && decay < 1)) throw new Error(`EMA decay must be in (0, 1), got ${decay}`);
    for (const [name, v] of params) this.shadow.set(name, tf.variable(v.clone(), false));
  }

  /** Moves the averages toward the current weights. @example `ema.update()` */
  update(): void {
    tf.tidy(() => {
      for (const [name, v] of this.params) {
        const s = this.shadow.get(name)!;
        s.assign(tf.add(tf.mul(this.decay, s), tf.mul(1 - this.decay, v)));
      }
    });
  }

  /** Exchanges the live weights and the averages. @example `ema.swap()` */
  swap(): void {
    for (const [name, v] of this.params) {
      const s = this.shadow.get(name)!;
      const tmp = v.clone();
      v.assign(s);
      s.assign(tmp);
      tmp.dispose();
    }
  }

  /** Copies of the averaged weights by name. @example `const w = ema.averagedWeights()` */
  averagedWeights(): tf.NamedTensorMap {
    const out: tf.NamedTensorMap = {};
    for (const [name, s] of this.shadow) out[name] = s.clone();
    return out;
  }

  /** Restores the averages (resume). @example `ema.setAveragedWeights(saved)` */
  setAveragedWeights(weights: tf.NamedTensorMap): void {
    for (const [name, s] of this.shadow) {
      const w = weights[name];
      if (!w) throw new Error(`EMA state lacks weight "${name}"`);
      s.assign(w);
    }
  }

  /** @example `ema.dispose()` */
  dispose(): void {
    for (const s of this.shadow.values()) s.dispose();
    this.shadow.clear();
  }
}

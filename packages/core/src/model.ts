import type * as tf from '@tensorflow/tfjs';
import type { ModelCapabilities } from './capabilities.js';
import type { TensorBatch } from './data.js';
import type { NamedVariable } from './optim/optimizer.js';
import type { StepContext } from './train/context.js';

/**
 * What every genloom model is: a family name, a JSON-serialisable config, one training step, and
 * weights that can be saved and restored. Families add what is theirs (encode/decode, translate,
 * logProb…) and their own `generate` options.
 *
 * @example
 * ```ts
 * const model: GenerativeModel = createVAE(resolveVAEConfig({ preset: 'tiny' }));
 * const losses = model.trainStep(batch, ctx); // { loss: Scalar, kl: Scalar, … }
 * ```
 */
export interface GenerativeModel<B extends TensorBatch = TensorBatch, C = unknown> {
  /** The family's registered name ('vae', 'gan', …); checkpoints record it. */
  readonly family: string;
  /** The resolved config; saved verbatim in checkpoints. */
  readonly config: C;
  /**
   * One optimisation step on a batch: compute the loss(es), call `ctx.minimize` once per optimizer
   * group, and return the named scalar losses to log (the Trainer reads and disposes them).
   */
  trainStep(batch: B, ctx: StepContext): Record<string, tf.Scalar>;
  /** Validation losses on a batch, without updating weights (optional). */
  evalStep?(batch: B): Record<string, tf.Scalar>;
  /** Named parameters; trainable ones get gradients, all are checkpointed. */
  namedParameters(): NamedVariable[];
  /** The weights by name (live variables; clone to keep a copy). */
  getWeights(): tf.NamedTensorMap;
  /** Assigns weights by name; missing, extra or mis-shaped weights are an error naming the weight. */
  setWeights(weights: tf.NamedTensorMap): void;
  /**
   * What the model can do for its evaluation (make images, score likelihood or text, translate);
   * `@genloom/eval`'s `evaluateModel` picks its metrics from these.
   */
  capabilities?(): ModelCapabilities;
  /** JSON-serialisable state beyond weights and config (a tokenizer, calibration), saved in checkpoints. */
  extraState?(): Record<string, unknown>;
  /** Frees every tensor the model owns. */
  dispose(): void;
}

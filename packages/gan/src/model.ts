/**
 * The GAN model: a generator and a discriminator trained against each other through core's
 * Trainer. `trainStep` is the whole adversarial algorithm — `nCritic` discriminator updates on
 * slices of the batch, then one generator update — with two optimizer groups, `discriminator` and
 * `generator`, so the learning rates and Adam betas of the two players are set apart.
 */
import * as tf from '@tensorflow/tfjs';
import { Module, Rng, type GenerativeModel, type ModelCapabilities, type NamedVariable, type StepContext } from '@genloom/core';
import type { GANConfig } from './config.js';
import { slerp } from './latent.js';
import { auxiliaryClassLoss, discriminatorLoss, discriminatorScore, generatorLoss, gradientPenalty } from './losses.js';
import { createGANNetworks, type Discriminator, type Generator } from './networks.js';

/** A training batch: examples in the generator's range ([-1, 1] pixels for images) and, for ACGAN, labels. */
export type GANBatch = { x: tf.Tensor; labels?: tf.Tensor1D };

/** Options of {@link GAN.generate}. */
export interface GenerateOptions {
  /** Seed of the noise (default 0); equal seeds give equal samples. */
  seed?: number;
  /** Conditional models: the class of every sample. */
  label?: number;
  /** Conditional models: one class per sample (default: 0, 1, …, K−1, 0, 1, … so a grid row shows every class). */
  labels?: ArrayLike<number>;
  /** Scale the noise by this factor (< 1 trades diversity for typicality; default 1). */
  truncation?: number;
}

/** Options of {@link GAN.latentWalk}. */
export interface LatentWalkOptions {
  seed?: number;
  /** Random latent points to visit (default 2). */
  points?: number;
  /** Frames from one point to the next, the first included (default 8); the last point ends the walk. */
  steps?: number;
  /** `spherical` (default: stays on the shell where Gaussian noise lives) or `linear`. */
  method?: 'spherical' | 'linear';
  /** Conditional models: the class held fixed along the walk (default 0). */
  label?: number;
}

/** The two networks under one parameter tree, named `generator.*` and `discriminator.*`. */
class Players extends Module {
  constructor(readonly generator: Generator, readonly discriminator: Discriminator) {
    super();
    this.addChild('generator', generator);
    this.addChild('discriminator', discriminator);
  }
}

/** Standard normal noise [n, d] drawn from an {@link Rng} seeded with `seed` (seed 0 included). */
export function sampleLatents(n: number, latentDim: number, seed: number): tf.Tensor2D {
  const rng = new Rng(seed);
  const values = new Float32Array(n * latentDim);
  for (let i = 0; i < values.length; i++) values[i] = rng.normal();
  return tf.tensor2d(values, [n, latentDim]);
}

/**
 * A GAN (MLP or DCGAN; with `numClasses > 0` an ACGAN). Build it with {@link createGAN}.
 *
 * @example
 * ```ts
 * const gan = createGAN(resolveGANConfig({}, 'dcgan'), 1);
 * await train(gan, data, { steps: 2000, optimizer: ganOptimizers() });
 * const images = gan.generate(64, { seed: 7 }); // [64, 28, 28, 1] in [-1, 1]
 * ```
 */
export class GAN implements GenerativeModel<GANBatch, GANConfig> {
  readonly family = 'gan';
  readonly generator: Generator;
  readonly discriminator: Discriminator;
  private readonly players: Players;
  private readonly gParams: NamedVariable[];
  private readonly dParams: NamedVariable[];

  constructor(readonly config: GANConfig, seed: number) {
    if (config.architecture === 'pix2pix') throw new Error('GAN builds mlp and dcgan models; use createGAN (or Pix2Pix) for architecture "pix2pix"');
    const nets = createGANNetworks(config, new Rng(seed));
    this.generator = nets.generator;
    this.discriminator = nets.discriminator;
    this.players = new Players(nets.generator, nets.discriminator);
    const all = this.players.namedParameters();
    this.gParams = all.filter(([n]) => n.startsWith('generator.'));
    this.dParams = all.filter(([n]) => n.startsWith('discriminator.'));
  }

  private checkBatch(batch: GANBatch): void {
    const want = this.config.outputShape;
    if (!tf.util.arraysEqual(batch.x.shape.slice(1), want)) {
      throw new Error(`gan expects examples of shape [N, ${want.join(', ')}], got [${batch.x.shape}]`);
    }
    if (this.config.numClasses > 0 && !batch.labels) throw new Error(`this conditional GAN (numClasses ${this.config.numClasses}) needs labels in every batch`);
  }

  private randomLabels(n: number, rng: Rng): tf.Tensor1D | null {
    const k = this.config.numClasses;
    if (k === 0) return null;
    return tf.tensor1d(Int32Array.from({ length: n }, () => rng.int(k)), 'int32');
  }

  /**
   * One adversarial step: `nCritic` discriminator updates (group `discriminator`), each on its own
   * slice of the batch and fresh samples, then one generator update (group `generator`). Returns
   * dLoss, gLoss, dReal and dFake (mean σ(D) — or the critic's mean for wasserstein), plus gp,
   * wDistance and aux where they apply.
   */
  trainStep(batch: GANBatch, ctx: StepContext): Record<string, tf.Scalar> {
    this.checkBatch(batch);
    const c = this.config;
    const total = batch.x.shape[0]!;
    const size = Math.floor(total / c.nCritic);
    if (size < c.pack || size % c.pack !== 0) {
      throw new Error(`gan: a batch of ${total} split into nCritic=${c.nCritic} critic batches gives ${size} examples each; it must be a positive multiple of pack=${c.pack}`);
    }
    const separate = c.discriminatorNorm === 'batch'; // batch norm: real and fake batches normalised apart
    const out: Record<string, tf.Scalar> = {};
    const keep = (name: string, value: tf.Scalar) => {
      out[name]?.dispose();
      out[name] = tf.keep(value);
    };

    for (let i = 0; i < c.nCritic; i++) {
      const real = tf.slice(batch.x, i * size, size); // [b, …]
      const realLabels = batch.labels ? (tf.slice(batch.labels, i * size, size) as tf.Tensor1D) : null;
      const fakeLabels = this.randomLabels(size, ctx.rng);
      const noise = tf.randomNormal([size, c.latentDim], 0, 1, 'float32', ctx.rng.tfSeed()) as tf.Tensor2D;
      const fake = tf.tidy(() => this.generator.forward(noise, fakeLabels, true)); // a constant for D's update
      const gpSeed = ctx.rng.tfSeed();
      const dLoss = ctx.minimize(
        () => {
          let realOut;
          let fakeOut;
          if (separate) {
            realOut = this.discriminator.forward(real, true);
            fakeOut = this.discriminator.forward(fake, true);
          } else {
            const both = this.discriminator.forward(tf.concat([real, fake]), true); // one pass over [2b, …]
            const half = both.logits.shape[0] / 2;
            realOut = { logits: both.logits.slice(0, half), classLogits: both.classLogits?.slice(0, size) ?? null };
            fakeOut = { logits: both.logits.slice(half), classLogits: both.classLogits?.slice(size) ?? null };
          }
          let loss = discriminatorLoss(c.loss, realOut.logits, fakeOut.logits, c.labelSmoothing);
          if (c.gradientPenalty > 0) {
            const gp = gradientPenalty((x) => this.discriminator.forward(x, true).logits, real, fake, gpSeed);
            keep('gp', gp);
            loss = tf.add(loss, tf.mul(c.gradientPenalty, gp));
          }
          if (realOut.classLogits && fakeOut.classLogits && realLabels && fakeLabels) {
            const aux = tf.add(auxiliaryClassLoss(realOut.classLogits, realLabels, c.numClasses), auxiliaryClassLoss(fakeOut.classLogits, fakeLabels, c.numClasses)) as tf.Scalar;
            keep('auxD', aux);
            loss = tf.add(loss, tf.mul(c.auxWeight, aux));
          }
          keep('dReal', discriminatorScore(c.loss, realOut.logits));
          keep('dFake', discriminatorScore(c.loss, fakeOut.logits));
          if (c.loss === 'wasserstein') keep('wDistance', tf.sub(tf.mean(realOut.logits), tf.mean(fakeOut.logits)) as tf.Scalar);
          return loss as tf.Scalar;
        },
        this.dParams,
        'discriminator',
      );
      out.dLoss?.dispose();
      out.dLoss = dLoss;
      tf.dispose([real, realLabels, fakeLabels, noise, fake].filter((t): t is tf.Tensor => t !== null));
    }
    this.discriminator.commitRunningStats();

    const labels = this.randomLabels(size, ctx.rng);
    const noise = tf.randomNormal([size, c.latentDim], 0, 1, 'float32', ctx.rng.tfSeed()) as tf.Tensor2D;
    const gLoss = ctx.minimize(
      () => {
        const fake = this.generator.forward(noise, labels, true);
        const judged = this.discriminator.forward(fake, true);
        let loss = generatorLoss(c.loss, judged.logits);
        if (judged.classLogits && labels) {
          const aux = auxiliaryClassLoss(judged.classLogits, labels, c.numClasses);
          keep('auxG', aux);
          loss = tf.add(loss, tf.mul(c.auxWeight, aux));
        }
        return loss as tf.Scalar;
      },
      this.gParams,
      'generator',
    );
    this.generator.commitRunningStats();
    tf.dispose([noise, ...(labels ? [labels] : [])]);
    out.gLoss = gLoss;
    return out;
  }

  /** Validation: the discriminator's loss on a batch and fresh samples, without updating. */
  evalStep(batch: GANBatch): Record<string, tf.Scalar> {
    this.checkBatch(batch);
    const c = this.config;
    const n = batch.x.shape[0]!;
    return tf.tidy(() => {
      const labels = c.numClasses > 0 ? (tf.tensor1d(Int32Array.from({ length: n }, (_, i) => i % c.numClasses), 'int32') as tf.Tensor1D) : null;
      const fake = this.generator.forward(sampleLatents(n, c.latentDim, 1), labels, false);
      const real = this.discriminator.forward(batch.x, false).logits;
      const judged = this.discriminator.forward(fake, false).logits;
      return {
        dLoss: discriminatorLoss(c.loss, real, judged),
        gLoss: generatorLoss(c.loss, judged),
        dReal: discriminatorScore(c.loss, real),
        dFake: discriminatorScore(c.loss, judged),
      };
    });
  }

  private labelsFor(n: number, opts: { label?: number; labels?: ArrayLike<number> }): tf.Tensor1D | null {
    const k = this.config.numClasses;
    if (k === 0) {
      if (opts.label !== undefined || opts.labels !== undefined) throw new Error('this GAN is unconditional (numClasses 0); it takes no label');
      return null;
    }
    let values: Int32Array;
    if (opts.labels !== undefined) {
      if (opts.labels.length !== n) throw new Error(`generate: ${n} samples but ${opts.labels.length} labels`);
      values = Int32Array.from(opts.labels);
    } else if (opts.label !== undefined) {
      values = new Int32Array(n).fill(opts.label);
    } else {
      values = Int32Array.from({ length: n }, (_, i) => i % k);
    }
    values.forEach((v, i) => {
      if (!Number.isInteger(v) || v < 0 || v >= k) throw new Error(`label ${i} is ${v}; expected an integer class in [0, ${k})`);
    });
    return tf.tensor1d(values, 'int32');
  }

  /**
   * Decodes latent vectors [N, latentDim] with the generator in inference mode (batch norm uses its
   * running statistics). Returns examples in the data range ([-1, 1] for images).
   *
   * @example
   * ```ts
   * const x = gan.decode(sampleLatents(4, gan.config.latentDim, 1));
   * ```
   */
  decode(z: tf.Tensor2D, opts: { label?: number; labels?: ArrayLike<number> } = {}): tf.Tensor {
    if (z.rank !== 2 || z.shape[1] !== this.config.latentDim) throw new Error(`decode expects latents [N, ${this.config.latentDim}], got [${z.shape}]`);
    const labels = this.labelsFor(z.shape[0], opts);
    const x = this.generator.forward(z, labels, false);
    labels?.dispose();
    return x;
  }

  /**
   * `n` samples for a seed: [n, H, W, C] pixels in [-1, 1] for images (see {@link toUnitRange}),
   * [n, D] for the MLP GAN. The caller disposes the tensor.
   *
   * @example
   * ```ts
   * const digits = gan.generate(10, { seed: 3, label: 7 }); // ten sevens from an ACGAN
   * ```
   */
  generate(n: number, opts: GenerateOptions = {}): tf.Tensor {
    if (!Number.isInteger(n) || n <= 0) throw new Error(`generate: n must be a positive integer, got ${n}`);
    const truncation = opts.truncation ?? 1;
    if (!(truncation > 0)) throw new Error(`generate: truncation must be > 0, got ${truncation}`);
    const z = sampleLatents(n, this.config.latentDim, opts.seed ?? 0);
    const scaled = truncation === 1 ? z : tf.mul(z, truncation);
    const x = this.decode(scaled as tf.Tensor2D, opts);
    tf.dispose([z, scaled]);
    return x;
  }

  /**
   * Walks the latent space through `points` random points, `steps` frames per leg: a film of how
   * the generator's output changes. Returns [(points−1)·steps + 1, …] examples.
   *
   * @example
   * ```ts
   * const film = gan.latentWalk({ seed: 1, points: 3, steps: 8 }); // 17 frames
   * ```
   */
  latentWalk(opts: LatentWalkOptions = {}): tf.Tensor {
    const points = opts.points ?? 2;
    const steps = opts.steps ?? 8;
    if (!Number.isInteger(points) || points < 2) throw new Error(`latentWalk: points must be an integer >= 2, got ${points}`);
    if (!Number.isInteger(steps) || steps < 1) throw new Error(`latentWalk: steps must be a positive integer, got ${steps}`);
    const z = tf.tidy(() => {
      const ends = sampleLatents(points, this.config.latentDim, opts.seed ?? 0);
      const legs: tf.Tensor2D[] = [];
      for (let p = 0; p < points - 1; p++) {
        const a = ends.slice([p, 0], [1, -1]) as tf.Tensor2D;
        const b = ends.slice([p + 1, 0], [1, -1]) as tf.Tensor2D;
        const t = tf.linspace(0, 1, steps + 1).slice(0, steps).reshape([steps, 1]); // [steps, 1]
        legs.push((opts.method ?? 'spherical') === 'spherical' ? slerp(a, b, t) : (tf.add(a, tf.mul(t, tf.sub(b, a))) as tf.Tensor2D));
      }
      legs.push(ends.slice([points - 1, 0], [1, -1]) as tf.Tensor2D);
      return tf.concat(legs) as tf.Tensor2D; // [(points−1)·steps + 1, Z]
    });
    const x = this.decode(z, this.config.numClasses > 0 ? { label: opts.label ?? 0 } : {});
    z.dispose();
    return x;
  }

  /**
   * The discriminator's verdict on examples (inference mode): P(real) per example — or per pack of
   * `pack` examples — for the cross-entropy and hinge losses, the critic value for wasserstein.
   *
   * @example
   * ```ts
   * const p = gan.discriminate(realImages); // near 1 for a discriminator that is winning
   * ```
   */
  discriminate(x: tf.Tensor): tf.Tensor1D {
    return tf.tidy(() => {
      const { logits } = this.discriminator.forward(x, false);
      return this.config.loss === 'wasserstein' ? logits : (tf.sigmoid(logits) as tf.Tensor1D);
    });
  }

  namedParameters(): NamedVariable[] {
    return this.players.namedParameters();
  }

  getWeights(): tf.NamedTensorMap {
    return this.players.getWeights();
  }

  setWeights(weights: tf.NamedTensorMap): void {
    this.players.setWeights(weights);
  }

  /**
   * For `@genloom/eval`'s `evaluateModel`: image GANs make images in [0, 1] (labels cycle through
   * the classes of an ACGAN unless given); the MLP GAN of points declares nothing.
   *
   * @example
   * ```ts
   * const images = await gan.capabilities().imageGeneration!.generate(100, { seed: 1 });
   * ```
   */
  capabilities(): ModelCapabilities {
    const shape = this.config.outputShape;
    if (shape.length !== 3) return {};
    return {
      imageGeneration: {
        imageShape: [...shape],
        numClasses: this.config.numClasses,
        generate: async (n, o) => tf.tidy(() => toUnitRange(this.generate(n, { seed: o.seed, ...(o.labels ? { labels: o.labels } : {}) })) as tf.Tensor4D),
      },
    };
  }

  dispose(): void {
    this.players.dispose();
  }
}

/**
 * Maps generator output in [-1, 1] to [0, 1] pixels (for image grids and the eval classifier).
 *
 * @example
 * ```ts
 * const pixels = toUnitRange(gan.generate(16)); // [16, 28, 28, 1] in [0, 1]
 * ```
 */
export function toUnitRange(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.clipByValue(tf.add(tf.mul(x, 0.5), 0.5), 0, 1));
}

/**
 * Optimizer groups for `train()` with the DCGAN paper's Adam settings (lr 2e-4, β₁ 0.5) — or, for
 * wasserstein, WGAN-GP's (lr 1e-4, β₁ 0, β₂ 0.9).
 *
 * @example
 * ```ts
 * await train(gan, data, { steps: 1000, optimizer: ganOptimizers(gan.config) });
 * ```
 */
export function ganOptimizers(config: Pick<GANConfig, 'loss'>, lr?: number): Record<'generator' | 'discriminator', { type: 'adam'; lr: number; beta1: number; beta2: number }> {
  const wgan = config.loss === 'wasserstein';
  const base = { type: 'adam' as const, lr: lr ?? (wgan ? 1e-4 : 2e-4), beta1: wgan ? 0 : 0.5, beta2: wgan ? 0.9 : 0.999 };
  return { generator: { ...base }, discriminator: { ...base } };
}

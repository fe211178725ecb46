/**
 * The variational autoencoder (Kingma & Welling, 2014). An encoder gives q(z|x) = N(μ(x), σ²(x)),
 * a decoder gives p(x|z), the prior is p(z) = N(0, I), and training maximises the ELBO
 *
 *   log p(x) ≥ E_q[log p(x|z)] − β·KL(q(z|x) ‖ p(z))      (β = 1: the bound itself; β ≠ 1: β-VAE)
 *
 * with one reparameterised sample z = μ + σ·ε per example. Losses are reported per example, in nats:
 * `recon` = −E_q[log p(x|z)], `kl`, `loss` = recon + β·kl (what is minimised), `negElbo` = recon + kl.
 */
import * as tf from '@tensorflow/tfjs';
import { deriveSeed, Module, Rng, type GenerativeModel, type LikelihoodOptions, type ModelCapabilities, type NamedVariable, type StepContext } from '@genloom/core';
import { calibrateDetector, AnomalyDetector, scoreInBatches, type AnomalyCalibration, type AnomalyScoreOptions, type CalibrateOptions } from './anomaly.js';
import { inputSize, resolveVAEConfig, type VAEConfig } from './config.js';
import { interpolateLatents, type InterpolationMethod } from './latent.js';
import { bernoulliNll, gaussianKl, gaussianLogDensity, gaussianNll, reparameterize, standardNormalLogDensity } from './likelihood.js';
import { createNetworks, type VAENetworks } from './networks.js';

/**
 * A tfjs random-op seed from a user seed. tfjs treats a seed of 0 as "no seed" (Math.random), so
 * seeds are hashed to a non-zero integer first; `seed: 0` is then as reproducible as any other.
 */
function noiseSeed(seed: number): number {
  return deriveSeed(seed, 0x7ae) || 1;
}

/** A training batch: examples `x` [B, ...inputShape] and, for a conditional VAE, integer `labels` [B]. */
export type VAEBatch = { x: tf.Tensor; labels?: tf.Tensor1D };

/** Labels as given to the API: a [B] int tensor or plain numbers. */
export type LabelInput = tf.Tensor1D | ArrayLike<number>;

/** Options of {@link VAE.sample}. */
export interface SampleOptions {
  /** Seed of the prior samples (default 0): equal seeds give equal samples. */
  seed?: number;
  /** Class(es) to generate with a conditional VAE: one for all samples, or one per sample. */
  label?: number | ArrayLike<number>;
  /** Scales the prior's standard deviation (default 1); < 1 trades variety for typical samples. */
  temperature?: number;
}

/** The trainable parameters: the networks plus, for a learned Gaussian likelihood, one log-std per feature. */
class VAEParameters extends Module {
  readonly networks: VAENetworks;
  readonly logStd: tf.Variable | null;

  constructor(config: VAEConfig, rng: Rng) {
    super();
    this.networks = this.addChild('net', createNetworks(config, rng));
    const learned = config.likelihood === 'gaussian' && config.gaussianVariance === 'learned';
    this.logStd = learned ? this.addParam('logStd', () => tf.fill([inputSize(config)], Math.log(config.gaussianStd))) : null;
  }
}

/**
 * A variational autoencoder: train it with core's `train`, then encode, decode, sample,
 * interpolate, compute ELBO and likelihood estimates, and score anomalies.
 *
 * @example
 * ```ts
 * import { train } from '@genloom/core';
 * import { loadMnist, imageBatches } from '@genloom/datasets';
 * import { createVAE, resolveVAEConfig } from '@genloom/vae';
 *
 * const vae = createVAE(resolveVAEConfig({}, 'small'));
 * await train(vae, imageBatches(await loadMnist(), { batchSize: 128, seed: 1 }), { epochs: 10 });
 * const grid = vae.sample(64, { seed: 1 });         // [64, 28, 28, 1] in [0, 1]
 * const nll = vae.logLikelihood(xTest, { importanceSamples: 500 }); // [B] nats
 * ```
 */
export class VAE implements GenerativeModel<VAEBatch, VAEConfig> {
  readonly family = 'vae';
  readonly params: VAEParameters;
  /** The last threshold calibration (saved in checkpoints), or null. */
  calibration: AnomalyCalibration | null = null;
  /**
   * Per-feature standardisation the training data went through (table rows), saved in checkpoints
   * so that whoever scores new rows (the CLI's `anomaly`) applies the same one; null for images.
   */
  standardizer: { mean: number[]; std: number[] } | null = null;
  private readonly fixedLogStd: tf.Tensor1D | null;

  constructor(readonly config: VAEConfig, seed = 0) {
    this.params = new VAEParameters(config, new Rng(seed));
    this.fixedLogStd = config.likelihood === 'gaussian' && !this.params.logStd ? tf.keep(tf.fill([inputSize(config)], Math.log(config.gaussianStd)) as tf.Tensor1D) : null;
  }

  // ---- the two networks -------------------------------------------------------------------------

  /**
   * The posterior q(z|x): its mean and log-variance, each [B, latentDim].
   *
   * @example
   * ```ts
   * const { mean, logVar } = vae.encode(x); // x: [B, 28, 28, 1]
   * ```
   */
  encode(x: tf.Tensor, options: { labels?: LabelInput } = {}): { mean: tf.Tensor2D; logVar: tf.Tensor2D } {
    const x2 = this.checkInput(x, 'encode');
    return tf.tidy(() => this.params.networks.encode(x2, this.labelMatrix(options.labels, x2.shape[0]!)));
  }

  /**
   * The decoder's mean E[x|z] shaped like the data, [B, ...inputShape]: pixel probabilities for a
   * Bernoulli decoder, Gaussian means otherwise.
   *
   * @example
   * ```ts
   * const images = vae.decode(tf.randomNormal([16, 20])); // [16, 28, 28, 1]
   * ```
   */
  decode(z: tf.Tensor2D, options: { labels?: LabelInput } = {}): tf.Tensor {
    this.checkLatent(z, 'decode');
    return tf.tidy(() => {
      const out = this.params.networks.decode(z, this.labelMatrix(options.labels, z.shape[0])); // [B, D]
      const mean = this.config.likelihood === 'bernoulli' ? tf.sigmoid(out) : out;
      return mean.reshape([z.shape[0], ...this.config.inputShape]);
    });
  }

  /**
   * Encodes `x` to its posterior mean and decodes it back: the model's reconstruction.
   *
   * @example
   * ```ts
   * const xHat = vae.reconstruct(x); // same shape as x
   * ```
   */
  reconstruct(x: tf.Tensor, options: { labels?: LabelInput } = {}): tf.Tensor {
    return tf.tidy(() => this.decode(this.encode(x, options).mean, options));
  }

  /**
   * `n` new examples decoded from prior samples z ~ N(0, temperature²·I), [n, ...inputShape].
   *
   * @example
   * ```ts
   * const sevens = cvae.sample(8, { seed: 3, label: 7 });
   * ```
   */
  sample(n: number, options: SampleOptions = {}): tf.Tensor {
    if (!Number.isInteger(n) || n < 1) throw new Error(`sample: n must be a positive integer, got ${n}`);
    const temperature = options.temperature ?? 1;
    if (!(temperature > 0)) throw new Error(`sample: temperature must be > 0, got ${temperature}`);
    return tf.tidy(() => {
      const z = tf.randomNormal([n, this.config.latentDim], 0, temperature, 'float32', noiseSeed(options.seed ?? 0)) as tf.Tensor2D; // [n, L]
      const label = options.label;
      const labels = label === undefined ? undefined : typeof label === 'number' ? new Array<number>(n).fill(label) : label;
      return this.decode(z, labels === undefined ? {} : { labels });
    });
  }

  /** Same as {@link VAE.sample}, under the name other families use. @example `vae.generate(4, { seed: 1 })` */
  generate(n: number, options: SampleOptions = {}): tf.Tensor {
    return this.sample(n, options);
  }

  /**
   * Decodes `steps` points on the path between the codes (posterior means) of two examples, both
   * ends included: "the midpoint between cake and pie". Returns [steps, ...inputShape].
   *
   * @example
   * ```ts
   * const strip = vae.interpolate(xA, xB, 8, { method: 'spherical' }); // [8, 28, 28, 1]
   * ```
   */
  interpolate(a: tf.Tensor, b: tf.Tensor, steps: number, options: { method?: InterpolationMethod; labels?: [number, number] } = {}): tf.Tensor {
    return tf.tidy(() => {
      const one = (x: tf.Tensor) => (x.rank === this.config.inputShape.length ? x.expandDims(0) : x);
      const la = options.labels ? { labels: [options.labels[0]] } : {};
      const lb = options.labels ? { labels: [options.labels[1]] } : {};
      const za = this.encode(one(a), la).mean; // [1, L]
      const zb = this.encode(one(b), lb).mean; // [1, L]
      const path = interpolateLatents(za, zb, steps, options.method ?? 'linear'); // [S, L]
      if (!options.labels) return this.decode(path);
      // A conditional model decodes the path with the first label on the first half, the second on the rest.
      const labels = Array.from({ length: steps }, (_, i) => (i < steps / 2 ? options.labels![0] : options.labels![1]));
      return this.decode(path, { labels });
    });
  }

  // ---- the bound and the likelihood -------------------------------------------------------------

  /**
   * Negative log-likelihood −log p(x|z) of flat data x [B, D] under the decoder output `out` [B, D].
   */
  private reconstructionNll(out: tf.Tensor2D, x: tf.Tensor2D): tf.Tensor1D {
    if (this.config.likelihood === 'bernoulli') return bernoulliNll(out, x);
    return gaussianNll(out, (this.params.logStd ?? this.fixedLogStd)! as tf.Tensor1D, x);
  }

  /** Per-example reconstruction NLL and KL [B] with the sample z = μ + σ·ε for ε given. */
  private terms(x: tf.Tensor, labels: tf.Tensor2D | null, eps: tf.Tensor2D): { recon: tf.Tensor1D; kl: tf.Tensor1D } {
    const flat = x.reshape([x.shape[0]!, -1]) as tf.Tensor2D; // [B, D]
    const { mean, logVar } = this.params.networks.encode(x, labels); // [B, L] each
    const z = reparameterize(mean, logVar, eps); // [B, L]
    const out = this.params.networks.decode(z, labels); // [B, D]
    return { recon: this.reconstructionNll(out, flat), kl: gaussianKl(mean, logVar) };
  }

  /**
   * The evidence lower bound of each example in nats, [B], averaged over `samples` posterior draws
   * (default 1) seeded by `seed` (default 0). Always ≤ log p(x) in expectation.
   *
   * @example
   * ```ts
   * const elbo = vae.elbo(x, { samples: 10 }); // [B]
   * ```
   */
  elbo(x: tf.Tensor, options: { samples?: number; seed?: number; labels?: LabelInput } = {}): tf.Tensor1D {
    const x2 = this.checkInput(x, 'elbo');
    const samples = options.samples ?? 1;
    if (!Number.isInteger(samples) || samples < 1) throw new Error(`elbo: samples must be a positive integer, got ${samples}`);
    return tf.tidy(() => {
      const b = x2.shape[0]!;
      const labels = this.labelMatrix(options.labels, b);
      const rng = new Rng(options.seed ?? 0);
      let total: tf.Tensor1D = tf.zeros([b]);
      for (let s = 0; s < samples; s++) {
        const eps = tf.randomNormal([b, this.config.latentDim], 0, 1, 'float32', noiseSeed(rng.tfSeed())) as tf.Tensor2D;
        const { recon, kl } = this.terms(x2, labels, eps);
        total = tf.sub(total, tf.add(recon, kl));
      }
      return tf.div(total, samples) as tf.Tensor1D;
    });
  }

  /**
   * The importance-weighted estimate of log p(x) per example in nats, [B] (Burda et al., 2016):
   * log (1/K) Σ_k p(x|z_k) p(z_k) / q(z_k|x) with z_k ~ q(z|x). It is a lower bound that tightens
   * towards log p(x) as K grows, and is never below the ELBO in expectation.
   *
   * @example
   * ```ts
   * const nll = tf.neg(vae.logLikelihood(xTest, { importanceSamples: 1000 })).mean(); // nats
   * ```
   */
  logLikelihood(x: tf.Tensor, options: { importanceSamples?: number; seed?: number; labels?: LabelInput; chunkSize?: number } = {}): tf.Tensor1D {
    const x2 = this.checkInput(x, 'logLikelihood');
    const k = options.importanceSamples ?? 64;
    if (!Number.isInteger(k) || k < 1) throw new Error(`logLikelihood: importanceSamples must be a positive integer, got ${k}`);
    const b = x2.shape[0]!;
    const l = this.config.latentDim;
    // Samples per decoder call: about 4096 rows at a time keeps memory flat for any K.
    const chunk = Math.max(1, Math.min(k, options.chunkSize ?? Math.floor(4096 / b)));
    const rng = new Rng(options.seed ?? 0);
    const post = this.encode(x2, options.labels === undefined ? {} : { labels: options.labels });
    const labels = this.labelMatrix(options.labels, b);
    let running: tf.Tensor1D | null = null; // log Σ_k w_k so far, [B]
    try {
      for (let done = 0; done < k; done += chunk) {
        const c = Math.min(chunk, k - done);
        const next: tf.Tensor1D = tf.tidy(() => {
          const tile = <T extends tf.Tensor>(t: T) => tf.tile(t, [c, ...t.shape.slice(1).map(() => 1)]) as T; // [c·B, …], row k·B + i
          const mean = tile(post.mean); // [cB, L]
          const logVar = tile(post.logVar); // [cB, L]
          const eps = tf.randomNormal([c * b, l], 0, 1, 'float32', noiseSeed(rng.tfSeed())) as tf.Tensor2D;
          const z = reparameterize(mean, logVar, eps); // [cB, L]
          const out = this.params.networks.decode(z, labels ? tile(labels) : null); // [cB, D]
          const logPxz = tf.neg(this.reconstructionNll(out, tile(x2.reshape([b, -1]) as tf.Tensor2D))); // [cB]
          const logW = tf.sub(tf.add(logPxz, standardNormalLogDensity(z)), gaussianLogDensity(z, mean, logVar)).reshape([c, b]); // [c, B]
          const chunkLse = tf.logSumExp(logW, 0) as tf.Tensor1D; // [B]
          return (running ? tf.logSumExp(tf.stack([running, chunkLse]), 0) : chunkLse) as tf.Tensor1D;
        });
        running?.dispose();
        running = next;
      }
      const result = tf.sub(running!, Math.log(k)) as tf.Tensor1D;
      return result;
    } finally {
      running?.dispose();
      tf.dispose([post.mean, post.logVar]);
      labels?.dispose();
    }
  }

  // ---- anomaly detection ------------------------------------------------------------------------

  /**
   * How unusual each example is, in nats (higher = more anomalous), [B]: the negative ELBO by
   * default, or the reconstruction NLL at the posterior mean, or the importance-sampled NLL.
   *
   * @example
   * ```ts
   * const scores = await vae.anomalyScore(x, { method: 'reconstruction' }).data();
   * ```
   */
  anomalyScore(x: tf.Tensor, options: AnomalyScoreOptions = {}): tf.Tensor1D {
    const method = options.method ?? 'negElbo';
    const labelOpt = options.labels === undefined ? {} : { labels: options.labels };
    const seed = options.seed ?? 0;
    switch (method) {
      case 'negElbo':
        return tf.tidy(() => tf.neg(this.elbo(x, { samples: options.samples ?? 1, seed, ...labelOpt })));
      case 'nll':
        return tf.tidy(() => tf.neg(this.logLikelihood(x, { importanceSamples: options.samples ?? 64, seed, ...labelOpt })));
      case 'reconstruction': {
        const x2 = this.checkInput(x, 'anomalyScore');
        return tf.tidy(() => {
          const labels = this.labelMatrix(options.labels, x2.shape[0]!);
          const { mean } = this.params.networks.encode(x2, labels);
          return this.reconstructionNll(this.params.networks.decode(mean, labels), x2.reshape([x2.shape[0]!, -1]) as tf.Tensor2D);
        });
      }
      default:
        throw new Error(`anomalyScore: method must be "negElbo", "reconstruction" or "nll", got ${JSON.stringify(method)}`);
    }
  }

  /**
   * Fits an anomaly threshold on normal examples so that a fraction `falsePositiveRate` (default
   * 0.01) of them would be flagged, and returns the detector. The calibration is kept on the model
   * and saved with its checkpoint ({@link VAE.detector} rebuilds it after loading).
   *
   * @example
   * ```ts
   * const detector = await vae.calibrateThreshold(xNormalHeldOut, { falsePositiveRate: 0.01 });
   * const flags = await detector.isAnomaly(xNew); // boolean[]
   * ```
   */
  async calibrateThreshold(normalData: tf.Tensor, options: CalibrateOptions = {}): Promise<AnomalyDetector> {
    this.checkInput(normalData, 'calibrateThreshold');
    const detector = await calibrateDetector(this, normalData, options);
    this.calibration = detector.calibration;
    return detector;
  }

  /**
   * The detector of the last calibration (also after loading a checkpoint), or an error if the
   * model was never calibrated.
   *
   * @example
   * ```ts
   * const { model } = await loadCheckpoint<VAE>(reader); await model.detector().isAnomaly(x);
   * ```
   */
  detector(): AnomalyDetector {
    if (!this.calibration) throw new Error('This VAE has no anomaly threshold yet: call calibrateThreshold(normalData) first');
    return new AnomalyDetector(this, this.calibration);
  }

  // ---- training ---------------------------------------------------------------------------------

  /**
   * One step on a batch: one posterior sample per example, minimise recon + β·KL (mean over the
   * batch). Returns `loss`, `recon`, `kl` and `negElbo` per example, in nats.
   */
  trainStep(batch: VAEBatch, ctx: StepContext): Record<string, tf.Scalar> {
    const x = this.checkInput(batch.x, 'trainStep');
    const labels = this.labelMatrix(batch.labels, x.shape[0]!);
    const eps = tf.randomNormal([x.shape[0]!, this.config.latentDim], 0, 1, 'float32', noiseSeed(ctx.rng.tfSeed())) as tf.Tensor2D;
    let recon: tf.Scalar | null = null;
    let kl: tf.Scalar | null = null;
    try {
      const loss = ctx.minimize(() => {
        const t = this.terms(x, labels, eps);
        recon = tf.keep(tf.mean(t.recon) as tf.Scalar);
        kl = tf.keep(tf.mean(t.kl) as tf.Scalar);
        return tf.add(recon, tf.mul(this.config.beta, kl)) as tf.Scalar;
      }, this.namedParameters());
      return { loss, recon: recon!, kl: kl!, negElbo: tf.add(recon!, kl!) as tf.Scalar };
    } finally {
      tf.dispose([eps, ...(labels ? [labels] : [])]);
    }
  }

  /** The same losses on a batch without updating weights (posterior samples seeded by 0). */
  evalStep(batch: VAEBatch): Record<string, tf.Scalar> {
    const x = this.checkInput(batch.x, 'evalStep');
    return tf.tidy(() => {
      const labels = this.labelMatrix(batch.labels, x.shape[0]!);
      const eps = tf.randomNormal([x.shape[0]!, this.config.latentDim], 0, 1, 'float32', noiseSeed(0)) as tf.Tensor2D;
      const t = this.terms(x, labels, eps);
      const recon = tf.mean(t.recon) as tf.Scalar;
      const kl = tf.mean(t.kl) as tf.Scalar;
      return { loss: tf.add(recon, tf.mul(this.config.beta, kl)) as tf.Scalar, recon, kl, negElbo: tf.add(recon, kl) as tf.Scalar };
    });
  }

  // ---- the model contract -----------------------------------------------------------------------

  namedParameters(): NamedVariable[] {
    return this.params.namedParameters();
  }

  getWeights(): tf.NamedTensorMap {
    return this.params.getWeights();
  }

  setWeights(weights: tf.NamedTensorMap): void {
    this.params.setWeights(weights);
  }

  extraState(): Record<string, unknown> {
    return {
      ...(this.calibration ? { calibration: { ...this.calibration } } : {}),
      ...(this.standardizer ? { standardizer: { mean: [...this.standardizer.mean], std: [...this.standardizer.std] } } : {}),
    };
  }

  /**
   * For `@genloom/eval`'s `evaluateModel`: per-example ELBO and importance-weighted log-likelihood
   * (scored in batches of 500 and 50), and, for image models, new images from the prior.
   *
   * @example
   * ```ts
   * const { likelihood } = vae.capabilities();
   * const elbos = await likelihood!.elbo(xTest); // Float32Array of nats per example
   * ```
   */
  capabilities(): ModelCapabilities {
    const c = this.config;
    const negate = (scores: Float32Array) => scores.map((v) => -v);
    const labelsOf = (o?: LikelihoodOptions) => (o?.labels ? { labels: o.labels } : {});
    const caps: ModelCapabilities = {
      likelihood: {
        dims: inputSize(c),
        elbo: async (x, o) => negate(await scoreInBatches(this, x, { method: 'negElbo', samples: 1, seed: o?.seed ?? 1, batchSize: 500, ...labelsOf(o) })),
        logLikelihood: async (x, o) => negate(await scoreInBatches(this, x, { method: 'nll', samples: o.samples, seed: o.seed ?? 1, batchSize: 50, ...labelsOf(o) })),
      },
    };
    if (c.inputShape.length === 3) {
      caps.imageGeneration = {
        imageShape: [...c.inputShape],
        numClasses: c.numClasses,
        generate: async (n, o) => this.sample(n, { seed: o.seed, ...(o.labels ? { label: o.labels } : {}) }) as tf.Tensor4D,
      };
    }
    return caps;
  }

  /** Number of scalar parameters. @example `createVAE(resolveVAEConfig({}, 'small')).parameterCount() // 652,824` */
  parameterCount(): number {
    return this.params.parameterCount();
  }

  dispose(): void {
    this.params.dispose();
    this.fixedLogStd?.dispose();
  }

  // ---- input checks -----------------------------------------------------------------------------

  private checkInput(x: tf.Tensor, where: string): tf.Tensor {
    const want = this.config.inputShape;
    const d = inputSize(this.config);
    const ok = x.rank >= 2 && (tf.util.arraysEqual(x.shape.slice(1), want) || (x.rank === 2 && x.shape[1] === d));
    if (!ok) throw new Error(`${where}: expected examples of shape [B, ${want.join(', ')}] (or [B, ${d}]), got [${x.shape}]`);
    return x;
  }

  private checkLatent(z: tf.Tensor, where: string): void {
    if (z.rank !== 2 || z.shape[1] !== this.config.latentDim) {
      throw new Error(`${where}: expected latent codes of shape [B, ${this.config.latentDim}], got [${z.shape}]`);
    }
  }

  /** One-hot label matrix [B, K] for a conditional model; null for an unconditional one. */
  private labelMatrix(labels: LabelInput | undefined, batch: number): tf.Tensor2D | null {
    const k = this.config.numClasses;
    if (k === 0) return null;
    if (labels === undefined) throw new Error(`This VAE is conditional on ${k} classes: pass labels (integers in [0, ${k - 1}]) for the ${batch} examples`);
    const n = labels instanceof tf.Tensor ? labels.shape[0] : labels.length;
    if (n !== batch) throw new Error(`${batch} examples but ${n} labels; they must match`);
    if (!(labels instanceof tf.Tensor)) {
      for (const v of Array.from(labels)) {
        if (!Number.isInteger(v) || v < 0 || v >= k) throw new Error(`label ${v} is not a class of this VAE; expected integers in [0, ${k - 1}]`);
      }
    }
    return tf.tidy(() => {
      const ids = labels instanceof tf.Tensor ? tf.cast(labels, 'int32') : tf.tensor1d(Array.from(labels), 'int32');
      // Cast explicitly: tf.oneHot(..., 'float32') returned int32 bit patterns on wasm 4.22.
      return tf.cast(tf.oneHot(ids as tf.Tensor1D, k), 'float32') as tf.Tensor2D; // [B, K]
    });
  }
}

/**
 * Builds a VAE with freshly initialised weights (seeded). The config may be partial: missing
 * fields come from {@link defaultVAEConfig}, and every field is validated.
 *
 * @example
 * ```ts
 * const vae = createVAE(resolveVAEConfig({ beta: 4 }, 'small'), 42); // a β-VAE from the small preset
 * const cvae = createVAE({ numClasses: 10 });                         // conditional, default sizes
 * ```
 */
export function createVAE(config: Partial<VAEConfig> = {}, seed = 0): VAE {
  return new VAE(resolveVAEConfig(config), seed);
}

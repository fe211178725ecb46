/**
 * Denoising diffusion (Ho et al. 2020). Training: take an image x₀ (scaled to [−1, 1]), a random
 * timestep t and noise ε, form x_t = √ᾱ_t·x₀ + √(1 − ᾱ_t)·ε, and teach the U-Net to predict ε
 * (or v) from x_t, t and the condition, by mean squared error. Sampling: start from noise and let a
 * scheduler (DDPM or DDIM) walk back to t = 0 using the network's predictions.
 *
 * Conditioning (a class label, or a prompt through a small text encoder) is an embedding added to
 * the time embedding. During training the condition is replaced by a learned "no condition" token
 * with probability `condDropout`, so one network gives both ε(x_t | c) and ε(x_t | ∅), and
 * classifier-free guidance (Ho & Salimans 2022) mixes them: ε̂ = ε(∅) + s·(ε(c) − ε(∅)).
 */
import * as tf from '@tensorflow/tfjs';
import { deriveSeed, Embedding, Module, Rng, type GenerativeModel, type ModelCapabilities, type NamedVariable, type StepContext } from '@genloom/core';
import { canonicalCaption } from './captions.js';
import { resolveDiffusionConfig, type DiffusionConfig } from './config.js';
import { denoise, type DenoiseStep, type InpaintGuide } from './pipeline.js';
import { PromptEncoder } from './prompt-encoder.js';
import { createScheduler, DDPMScheduler, type NoiseScheduler, type SamplerName, type SchedulerArgs } from './schedulers.js';
import { UNet } from './unet.js';

/**
 * A training batch: images `x` [B, H, W, C] in [0, 1]; `labels` [B] for class conditioning;
 * `prompt` ids [B, L] and `promptMask` [B, L] for prompt conditioning (see `captionedBatches`).
 */
export type DiffusionBatch = { x: tf.Tensor4D; labels?: tf.Tensor1D; prompt?: tf.Tensor2D; promptMask?: tf.Tensor2D };

/** What to generate: a class label or a prompt (one for all images, or one per image); neither for unconditional. */
export interface Condition {
  label?: number | ArrayLike<number>;
  prompt?: string | readonly string[];
}

/** An intermediate image of sampling, in [0, 1]; disposed when `onStep` returns. */
export interface SampleStep {
  step: number;
  steps: number;
  t: number;
  /** Index of the first image of this chunk among the `n` requested. */
  offset: number;
  /** The current sample x_t (clipped to the image range). */
  images: tf.Tensor4D;
  /** The network's estimate of the final image at this step. */
  predicted: tf.Tensor4D;
}

/** Options of {@link DiffusionModel.generate}. */
export interface GenerateOptions extends Condition {
  /** Number of images (default 16). */
  n?: number;
  /** Sampling steps (default 50). */
  steps?: number;
  /** `ddim` (default) or `ddpm`. */
  sampler?: SamplerName;
  /** DDIM's η: 0 (default) is deterministic given the seed's initial noise. */
  eta?: number;
  /** Classifier-free guidance scale s: 0 is unconditional, 1 the plain conditional model (default 3 with a condition). */
  guidanceScale?: number;
  /** Seed of all the noise (default 0). */
  seed?: number;
  /** Images denoised at once (default 64; guidance doubles the U-Net batch). */
  batchSize?: number;
  /** Called after every step of every chunk with the intermediate images. */
  onStep?: (step: SampleStep) => void | Promise<void>;
}

/** Options of {@link DiffusionModel.inpaint}. */
export interface InpaintOptions extends Omit<GenerateOptions, 'n'> {
  /** The images to complete, [B, H, W, C] in [0, 1]. */
  image: tf.Tensor4D;
  /** 1 where pixels are regenerated, 0 where `image` is kept; [B or 1, H, W, 1 or C]. */
  mask: tf.Tensor4D;
  /** RePaint's resampling per step (default 1, plain replacement). */
  resample?: number;
}

/** The parameters: the U-Net and, for conditioned models, the condition embeddings and the null token. */
class DiffusionNetwork extends Module {
  readonly unet: UNet;
  readonly classes: Embedding | null;
  readonly prompts: PromptEncoder | null;
  readonly nullCond: tf.Variable | null;

  constructor(config: DiffusionConfig, rng: Rng) {
    super();
    this.unet = this.addChild('unet', new UNet(config, rng));
    const k = config.classNames.length;
    // Class conditioning: row k of the table is the "no condition" token.
    this.classes = config.conditioning === 'class' ? this.addChild('classes', new Embedding({ numEmbeddings: k + 1, dim: config.embDim, rng })) : null;
    this.prompts = config.conditioning === 'prompt' ? this.addChild('prompts', new PromptEncoder(config, rng)) : null;
    this.nullCond = config.conditioning === 'prompt' ? this.addParam('nullCond', () => tf.zeros([1, config.embDim])) : null;
  }
}

function asList<T>(value: T | ArrayLike<T> | readonly T[], n: number, what: string): T[] {
  const list: T[] = typeof value === 'object' && value !== null && 'length' in (value as object) ? Array.from(value as ArrayLike<T>) : [value as T];
  if (list.length === 1) return new Array<T>(n).fill(list[0]!);
  if (list.length !== n) throw new Error(`${what}: got ${list.length} values for ${n} images; give one or ${n}`);
  return list;
}

/**
 * A denoising diffusion model: a U-Net trained on a noise schedule, sampled with DDPM or DDIM,
 * optionally guided by a class or a prompt, able to inpaint.
 *
 * @example
 * ```ts
 * import { train } from '@genloom/core';
 * import { loadMnist } from '@genloom/datasets';
 * import { captionedBatches, createDiffusion, resolveDiffusionConfig } from '@genloom/diffusion';
 *
 * const model = createDiffusion(resolveDiffusionConfig({}, 'small'));
 * const data = captionedBatches(await loadMnist(), { batchSize: 64, seed: 1, config: model.config });
 * await train(model, data, { steps: 4000, optimizer: { type: 'adam', lr: 2e-3 }, ema: { decay: 0.995 } });
 * const sevens = await model.generate({ n: 16, prompt: 'a handwritten seven', guidanceScale: 3, steps: 50, seed: 1 });
 * ```
 */
export class DiffusionModel implements GenerativeModel<DiffusionBatch, DiffusionConfig> {
  readonly family = 'diffusion';
  readonly config: DiffusionConfig;
  readonly net: DiffusionNetwork;
  /** The training noise schedule (a DDPM scheduler over all T steps; used for `addNoise`). */
  readonly noiseSchedule: NoiseScheduler;

  constructor(config: DiffusionConfig, seed = 0) {
    this.config = config;
    this.net = new DiffusionNetwork(config, new Rng(seed));
    this.noiseSchedule = new DDPMScheduler(this.schedulerArgs());
  }

  /** The arguments that give a scheduler this model's training schedule. @example `new DDIMScheduler(model.schedulerArgs())` */
  schedulerArgs(): SchedulerArgs {
    const c = this.config;
    return { timesteps: c.timesteps, betaSchedule: c.betaSchedule, betaStart: c.betaStart, betaEnd: c.betaEnd, prediction: c.prediction };
  }

  /** A fresh scheduler of this model's schedule. @example `model.scheduler('ddim')` */
  scheduler(name: SamplerName = 'ddim'): NoiseScheduler {
    return createScheduler(name, this.schedulerArgs());
  }

  /**
   * Condition embeddings `[n, embDim]` for labels or prompts, or the "no condition" token when
   * neither is given; null for an unconditional model.
   *
   * @example
   * ```ts
   * const c = model.conditionEmbedding({ prompt: 'a thin 1' }, 4); // [4, embDim]
   * ```
   */
  conditionEmbedding(cond: Condition, n: number): tf.Tensor2D | null {
    const c = this.config;
    const k = c.classNames.length;
    const given = cond.label !== undefined || cond.prompt !== undefined;
    if (c.conditioning === 'none') {
      if (given) throw new Error('this diffusion model is unconditional (conditioning "none"); it takes no label or prompt');
      return null;
    }
    if (cond.label !== undefined && cond.prompt !== undefined) throw new Error('give a label or a prompt, not both');
    const labels = cond.label === undefined ? null : asList<number>(cond.label, n, 'label');
    labels?.forEach((l) => {
      if (!Number.isInteger(l) || l < 0 || l >= k) throw new Error(`label ${l} is not a class of this model; expected an integer in 0..${k - 1} (${c.classNames.join(', ')})`);
    });
    if (c.conditioning === 'class') {
      if (cond.prompt !== undefined) throw new Error('this diffusion model is class-conditioned; pass label (0..' + (k - 1) + '), not prompt');
      const ids = labels ?? new Array<number>(n).fill(k);
      return tf.tidy(() => this.net.classes!.forward(tf.tensor1d(ids, 'int32')) as tf.Tensor2D);
    }
    // Prompt conditioning: labels become their canonical captions; no condition is the null token.
    if (cond.prompt === undefined && labels === null) return tf.tidy(() => tf.tile(this.net.nullCond!, [n, 1]) as tf.Tensor2D);
    const prompts = labels ? labels.map((l) => canonicalCaption(l, c.classNames)) : asList<string>(cond.prompt as string | string[], n, 'prompt');
    prompts.forEach((p, i) => {
      if (typeof p !== 'string') throw new Error(`prompt ${i} must be a string, got ${JSON.stringify(p)}`);
    });
    const empty = prompts.map((p) => p.trim() === '');
    return tf.tidy(() => {
      const encoded = this.net.prompts!.encode(prompts); // [n, E]
      if (!empty.some(Boolean)) return encoded;
      const keep = tf.tensor2d(empty.map((e) => (e ? 0 : 1)), [n, 1]);
      return tf.add(tf.mul(encoded, keep), tf.mul(this.net.nullCond!, tf.sub(1, keep))) as tf.Tensor2D;
    });
  }

  /**
   * The network's raw prediction (ε or v) for noisy images in the model's range [−1, 1].
   *
   * @example
   * ```ts
   * const eps = model.predict(xt, 999, model.conditionEmbedding({ label: 3 }, xt.shape[0]));
   * ```
   */
  predict(xt: tf.Tensor4D, t: number | ArrayLike<number>, cond: tf.Tensor2D | null): tf.Tensor4D {
    return this.net.unet.forward(xt, t, cond);
  }

  /** The training condition: the batch's labels or prompts, each dropped to the null token where `keep` is 0. */
  private trainingCondition(batch: DiffusionBatch, keep: Float32Array): tf.Tensor2D | null {
    const c = this.config;
    const b = batch.x.shape[0];
    if (c.conditioning === 'none') return null;
    const given = c.conditioning === 'class' ? batch.labels !== undefined : batch.prompt !== undefined;
    if (!given && keep.every((k) => k === 0)) return this.conditionEmbedding({}, b); // all unconditional
    if (c.conditioning === 'class') {
      if (!batch.labels) throw new Error('a class-conditioned diffusion model needs batches with labels [B] (imageBatches of a labelled set)');
      const k = c.classNames.length;
      const keepIds = tf.tensor1d(Int32Array.from(keep), 'int32');
      const nullIds = tf.tensor1d(Int32Array.from(keep, (v) => (1 - v) * k), 'int32');
      const ids = tf.add(tf.mul(tf.cast(batch.labels, 'int32'), keepIds), nullIds) as tf.Tensor1D; // [B], k where dropped
      return this.net.classes!.forward(ids) as tf.Tensor2D; // [B, E]
    }
    if (!batch.prompt || !batch.promptMask) {
      throw new Error('a prompt-conditioned diffusion model needs batches with prompt ids and promptMask; make them with captionedBatches(set, { config: model.config, … })');
    }
    if (batch.prompt.shape[0] !== b) throw new Error(`batch has ${b} images but ${batch.prompt.shape[0]} prompts`);
    const k = tf.tensor2d(keep, [b, 1]);
    const encoded = this.net.prompts!.forward(batch.prompt, batch.promptMask); // [B, E]
    return tf.add(tf.mul(encoded, k), tf.mul(this.net.nullCond!, tf.sub(1, k))) as tf.Tensor2D;
  }

  /** Mean squared error of the prediction at timesteps `ts` with noise of seed `noiseSeed`. */
  private loss(batch: DiffusionBatch, ts: number[], keep: Float32Array, noiseSeed: number, rng: Rng | null): tf.Scalar {
    return tf.tidy(() => {
      const x0 = tf.sub(tf.mul(batch.x, 2), 1) as tf.Tensor4D; // [B, H, W, C] in [−1, 1]
      const noise = tf.randomNormal(x0.shape, 0, 1, 'float32', noiseSeed) as tf.Tensor4D;
      const xt = this.noiseSchedule.addNoise(x0, noise, ts);
      const target = this.config.prediction === 'epsilon' ? noise : this.noiseSchedule.velocity(x0, noise, ts);
      const cond = this.trainingCondition(batch, keep);
      const pred = this.net.unet.forward(xt, ts, cond, { dropoutRate: rng ? this.config.dropout : 0, rng });
      return tf.mean(tf.square(tf.sub(pred, target))) as tf.Scalar;
    });
  }

  trainStep(batch: DiffusionBatch, ctx: StepContext): Record<string, tf.Scalar> {
    const b = batch.x.shape[0];
    const T = this.config.timesteps;
    const ts = Array.from({ length: b }, () => ctx.rng.int(T));
    const keep = Float32Array.from({ length: b }, () => (ctx.rng.float() < this.config.condDropout ? 0 : 1));
    const noiseSeed = ctx.rng.nextUint32() || 1;
    const loss = ctx.minimize(() => this.loss(batch, ts, keep, noiseSeed, ctx.rng), this.namedParameters());
    return { loss };
  }

  /**
   * The loss on a batch at timesteps spread evenly over [0, T), with fixed noise (comparable across
   * calls); conditioned on the batch's labels or prompts when it has them, else unconditional.
   */
  evalStep(batch: DiffusionBatch): Record<string, tf.Scalar> {
    const b = batch.x.shape[0];
    const T = this.config.timesteps;
    const ts = Array.from({ length: b }, (_, i) => Math.floor(((i + 0.5) * T) / b));
    const c = this.config.conditioning;
    const given = c === 'class' ? batch.labels !== undefined : c === 'prompt' ? batch.prompt !== undefined : false;
    return { loss: this.loss(batch, ts, new Float32Array(b).fill(given ? 1 : 0), 12345, null) };
  }

  /**
   * Generates `n` images in [0, 1], [n, H, W, C]: noise denoised by the chosen scheduler, guided
   * by a label or prompt with classifier-free guidance.
   *
   * @example
   * ```ts
   * const x = await model.generate({ n: 8, label: 7, guidanceScale: 3, steps: 50, sampler: 'ddim', seed: 1 });
   * const y = await model.generate({ n: 8, prompt: 'a thin 1', onStep: ({ step, images }) => {} });
   * ```
   */
  async generate(opts: GenerateOptions = {}): Promise<tf.Tensor4D> {
    const n = opts.n ?? 16;
    if (!Number.isInteger(n) || n < 1) throw new Error(`generate: n must be a positive integer, got ${n}`);
    return this.sampleChunks(n, opts, null);
  }

  /**
   * Regenerates the masked pixels of images and keeps the rest (RePaint-style replacement: after
   * every step the known pixels are put back at the current noise level).
   *
   * @example
   * ```ts
   * const mask = tf.ones([1, 28, 28, 1]).mul(rightHalfOnes); // 1 = regenerate
   * const done = await model.inpaint({ image: digits, mask, label: 3, steps: 50, resample: 2 });
   * ```
   */
  async inpaint(opts: InpaintOptions): Promise<tf.Tensor4D> {
    const n = opts.image.shape[0];
    const [H, W, C] = this.config.imageShape as [number, number, number];
    const [, h, w, c] = opts.image.shape;
    if (h !== H || w !== W || c !== C) throw new Error(`inpaint: image must be [B, ${H}, ${W}, ${C}], got [${opts.image.shape}]`);
    const m = opts.mask.shape;
    if (m.length !== 4 || (m[0] !== 1 && m[0] !== n) || m[1] !== H || m[2] !== W || (m[3] !== 1 && m[3] !== C)) {
      throw new Error(`inpaint: mask must be [${n} or 1, ${H}, ${W}, 1 or ${C}] with 1 where pixels are regenerated, got [${m}]`);
    }
    return this.sampleChunks(n, opts, { image: opts.image, mask: opts.mask, resample: opts.resample ?? 1 });
  }

  private async sampleChunks(n: number, opts: GenerateOptions, inpaint: { image: tf.Tensor4D; mask: tf.Tensor4D; resample: number } | null): Promise<tf.Tensor4D> {
    const [H, W, C] = this.config.imageShape as [number, number, number];
    const steps = opts.steps ?? 50;
    const batchSize = opts.batchSize ?? 64;
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`batchSize must be a positive integer, got ${batchSize}`);
    const seed = opts.seed ?? 0;
    const conditioned = opts.label !== undefined || opts.prompt !== undefined;
    const scale = opts.guidanceScale ?? (conditioned ? 3 : 1);
    if (!(scale >= 0) || !Number.isFinite(scale)) throw new Error(`guidanceScale must be a finite number >= 0, got ${scale}`);
    const scheduler = this.scheduler(opts.sampler ?? 'ddim');
    if (!Number.isInteger(steps) || steps < 1 || steps > this.config.timesteps) {
      throw new Error(`steps must be an integer in [1, ${this.config.timesteps}] (the model's timesteps), got ${steps}`);
    }
    const labels = opts.label === undefined ? undefined : asList<number>(opts.label, n, 'label');
    const prompts = opts.prompt === undefined ? undefined : asList<string>(opts.prompt as string | string[], n, 'prompt');
    const chunks: tf.Tensor4D[] = [];
    try {
      for (let offset = 0; offset < n; offset += batchSize) {
        const size = Math.min(batchSize, n - offset);
        const part: Condition = {
          ...(labels ? { label: labels.slice(offset, offset + size) } : {}),
          ...(prompts ? { prompt: prompts.slice(offset, offset + size) } : {}),
        };
        const cond = this.conditionEmbedding(part, size);
        // Guidance needs the unconditional prediction too, unless it cannot change anything.
        const uncond = cond && conditioned && scale !== 1 ? this.conditionEmbedding({}, size) : null;
        const guide: InpaintGuide | undefined = inpaint
          ? {
              known: tf.tidy(() => tf.sub(tf.mul(inpaint.image.slice([offset], [size]), 2), 1) as tf.Tensor4D),
              mask: inpaint.mask.shape[0] === 1 ? inpaint.mask : inpaint.mask.slice([offset], [size]),
              resample: inpaint.resample,
            }
          : undefined;
        try {
          const x = await denoise({
            denoiser: (xt, t) =>
              tf.tidy(() => {
                if (!uncond) return this.net.unet.forward(xt, t, cond);
                const both = this.net.unet.forward(tf.concat([xt, xt]) as tf.Tensor4D, t, tf.concat([cond!, uncond]) as tf.Tensor2D); // [2B, H, W, C]
                const [c, u] = tf.split(both, 2) as [tf.Tensor4D, tf.Tensor4D];
                return tf.add(u, tf.mul(tf.sub(c, u), scale)) as tf.Tensor4D;
              }),
            scheduler,
            steps,
            shape: [size, H, W, C],
            seed: deriveSeed(seed, offset),
            ...(opts.eta !== undefined ? { eta: opts.eta } : {}),
            ...(guide ? { inpaint: guide } : {}),
            ...(opts.onStep ? { onStep: (s: DenoiseStep) => this.handOut(s, offset, opts.onStep!) } : {}),
          });
          chunks.push(tf.tidy(() => tf.clipByValue(tf.div(tf.add(x, 1), 2), 0, 1) as tf.Tensor4D));
          x.dispose();
        } finally {
          tf.dispose([cond, uncond].filter((t): t is tf.Tensor2D => t !== null));
          if (guide) {
            guide.known.dispose();
            if (guide.mask !== inpaint!.mask) guide.mask.dispose();
          }
        }
      }
      return chunks.length === 1 ? chunks[0]! : tf.tidy(() => tf.concat(chunks) as tf.Tensor4D);
    } finally {
      if (chunks.length > 1) tf.dispose(chunks);
    }
  }

  private async handOut(s: DenoiseStep, offset: number, onStep: (step: SampleStep) => void | Promise<void>): Promise<void> {
    const toImage = (x: tf.Tensor4D) => tf.tidy(() => tf.clipByValue(tf.div(tf.add(x, 1), 2), 0, 1) as tf.Tensor4D);
    const images = toImage(s.sample);
    const predicted = toImage(s.predOriginal);
    try {
      await onStep({ step: s.step, steps: s.steps, t: s.t, offset, images, predicted });
    } finally {
      tf.dispose([images, predicted]);
    }
  }

  namedParameters(): NamedVariable[] {
    return this.net.namedParameters();
  }

  getWeights(): tf.NamedTensorMap {
    return this.net.getWeights();
  }

  setWeights(weights: tf.NamedTensorMap): void {
    this.net.setWeights(weights);
  }

  /** Number of scalar parameters. @example `model.parameterCount()` */
  parameterCount(): number {
    return this.net.parameterCount();
  }

  /**
   * For `@genloom/eval`'s `evaluateModel`: images from DDIM with 50 steps, guided (scale 3) towards
   * the requested labels of a conditioned model.
   *
   * @example
   * ```ts
   * const sevens = await model.capabilities().imageGeneration!.generate(8, { seed: 1, labels: new Array(8).fill(7) });
   * ```
   */
  capabilities(): ModelCapabilities {
    const c = this.config;
    return {
      imageGeneration: {
        imageShape: [...c.imageShape],
        numClasses: c.conditioning === 'none' ? 0 : c.classNames.length,
        generate: (n, o) => this.generate({ n, seed: o.seed, sampler: 'ddim', steps: 50, ...(o.labels ? { label: o.labels } : {}) }),
      },
    };
  }

  dispose(): void {
    this.net.dispose();
  }
}

/**
 * A new diffusion model with freshly initialised weights (the config is validated).
 *
 * @example
 * ```ts
 * const model = createDiffusion(resolveDiffusionConfig({}, 'tiny'), 1);
 * ```
 */
export function createDiffusion(config: DiffusionConfig, seed = 0): DiffusionModel {
  return new DiffusionModel(resolveDiffusionConfig(config), seed);
}

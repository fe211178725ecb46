/**
 * The sampling pipeline: for each timestep the denoiser predicts and the scheduler steps. It works
 * with any denoiser (a U-Net, a guided U-Net, an oracle in tests) and any scheduler, and hands
 * every intermediate image to `onStep`. Inpainting (RePaint, Lugmayr et al. 2022) is the same loop
 * with the known pixels put back, noised to the current level, after every step.
 */
import * as tf from '@tensorflow/tfjs';
import { deriveSeed, Rng } from '@genloom/core';
import type { NoiseScheduler } from './schedulers.js';

/** A network seen by the pipeline: noisy images at timestep t → ε (or v) prediction. */
export type Denoiser = (x: tf.Tensor4D, t: number) => tf.Tensor4D;

/** What `onStep` receives after each step; the tensors are disposed when the callback returns. */
export interface DenoiseStep {
  /** 1-based step number and the number of steps. */
  step: number;
  steps: number;
  /** The timestep just denoised. */
  t: number;
  /** The sample after this step, x at the next timestep. */
  sample: tf.Tensor4D;
  /** The estimate of the clean image at this step. */
  predOriginal: tf.Tensor4D;
}

/** Known pixels to keep while the rest is generated. */
export interface InpaintGuide {
  /** The clean image x₀ in the model's value range, [B, H, W, C]. */
  known: tf.Tensor4D;
  /** 1 where pixels are generated, 0 where `known` is kept; [B or 1, H, W, 1 or C]. */
  mask: tf.Tensor4D;
  /** RePaint's resampling: repeat each step this many times, re-noising in between (default 1). */
  resample?: number;
}

/** Options of {@link denoise}. */
export interface DenoiseOptions {
  denoiser: Denoiser;
  scheduler: NoiseScheduler;
  /** Shape of the batch to generate, [B, H, W, C]. */
  shape: [number, number, number, number];
  /** Seed of x_T and of every step's noise. */
  seed: number;
  /** Calls `scheduler.setTimesteps(steps)` first when given. */
  steps?: number;
  /** DDIM's η (default 0). */
  eta?: number;
  /** x_T to start from instead of seeded noise (not disposed). */
  initialNoise?: tf.Tensor4D;
  inpaint?: InpaintGuide;
  /** Receives every intermediate image and x₀ estimate (the denoising film). */
  onStep?: (step: DenoiseStep) => void | Promise<void>;
}

/**
 * Runs the reverse process from noise to an image and returns x₀ (the caller owns it).
 *
 * @example
 * ```ts
 * const scheduler = new DDIMScheduler({ timesteps: 1000, betaSchedule: 'cosine' });
 * const x0 = await denoise({
 *   denoiser: (x, t) => unet.forward(x, t, null),
 *   scheduler, steps: 50, shape: [16, 28, 28, 1], seed: 1,
 *   onStep: async ({ step, predOriginal }) => film.push(await predOriginal.data()),
 * });
 * ```
 */
export async function denoise(opts: DenoiseOptions): Promise<tf.Tensor4D> {
  const { denoiser, scheduler, shape } = opts;
  if (opts.steps !== undefined) scheduler.setTimesteps(opts.steps);
  const rng = new Rng(deriveSeed(opts.seed, 0x5eed));
  const resample = opts.inpaint?.resample ?? 1;
  if (!Number.isInteger(resample) || resample < 1) throw new Error(`inpaint.resample must be an integer >= 1, got ${resample}`);
  let x: tf.Tensor4D = opts.initialNoise ? opts.initialNoise.clone() : tf.randomNormal(shape, 0, 1, 'float32', deriveSeed(opts.seed, 0x7) || 1);
  const noise = (): tf.Tensor4D => tf.randomNormal(shape, 0, 1, 'float32', rng.nextUint32() || 1);
  const timesteps = [...scheduler.timesteps];
  try {
    for (let i = 0; i < timesteps.length; i++) {
      const t = timesteps[i]!;
      const prev = scheduler.previousTimestep(t);
      let predOriginal: tf.Tensor4D | null = null;
      for (let u = 0; u < resample; u++) {
        const out = denoiser(x, t);
        const stepped = scheduler.step(out, t, x, { rng, ...(opts.eta !== undefined ? { eta: opts.eta } : {}) });
        out.dispose();
        predOriginal?.dispose();
        predOriginal = stepped.predOriginalSample;
        let next = stepped.prevSample;
        if (opts.inpaint) {
          const { known, mask } = opts.inpaint;
          next = tf.tidy(() => {
            // The known region at the noise level of the next timestep (exactly x₀ after the last step).
            const knownNoisy = prev >= 0 ? scheduler.addNoise(known, noise(), prev) : known;
            return tf.add(tf.mul(mask, stepped.prevSample), tf.mul(tf.sub(1, mask), knownNoisy)) as tf.Tensor4D;
          });
          stepped.prevSample.dispose();
        }
        x.dispose();
        if (u < resample - 1 && prev >= 0) {
          const z = noise();
          x = scheduler.renoise(next, prev, t, z);
          tf.dispose([z, next]);
        } else {
          x = next;
          break;
        }
      }
      if (opts.onStep) await opts.onStep({ step: i + 1, steps: timesteps.length, t, sample: x, predOriginal: predOriginal! });
      predOriginal!.dispose();
    }
  } catch (err) {
    x.dispose();
    throw err;
  }
  return x;
}

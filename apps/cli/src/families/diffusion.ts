/**
 * `genloom train|sample|eval diffusion`: denoising diffusion on images (MNIST, emoji, IDX, PNG
 * folders). Labelled data gives a conditioned model: `small` is prompt-conditioned (captions are
 * made from the labels), `tiny`/`emoji` take class labels; unlabelled data trains an unconditional
 * model. `sample` runs DDIM or DDPM with classifier-free guidance from `--prompt` or `--label`,
 * and `--film` writes the denoising steps as a strip (one row per sample).
 */
import * as tf from '@tensorflow/tfjs';
import type { DataSource, GenerativeModel } from '@genloom/core';
import { imageBatches, resolveDataSpec, type ImageSet } from '@genloom/datasets';
import { captionedBatches, createDiffusion, DiffusionModel, diffusionPresets, resolveDiffusionConfig, type DiffusionConfig, type SamplerName } from '@genloom/diffusion';
import { imageGridPng } from '../image-grid.js';
import { registerCliFamily, type CliFamily } from '../registry.js';
import { generatedImageMetrics } from '../image-metrics.js';

/** Examples per training batch. */
const BATCH_SIZE = 32;
/** Default training steps (the CLI's --steps overrides). */
const TRAIN_STEPS = 4000;
/** Frames of the denoising film per sample (evenly spaced steps, the last is the result). */
const FILM_FRAMES = 10;

async function loadImages(spec: string): Promise<{ train: ImageSet; test: ImageSet }> {
  const desc = resolveDataSpec(spec);
  if (desc.modality !== 'image') throw new Error(`diffusion models images; --data ${spec} is ${desc.modality} data (use mnist, emoji, idx:…, or images:DIR)`);
  return { train: await desc.load('train'), test: await desc.load('test') };
}

function asDiffusion(model: GenerativeModel): DiffusionModel {
  if (!(model instanceof DiffusionModel)) throw new Error(`expected a diffusion checkpoint, got family "${model.family}"`);
  return model;
}

function classNamesOf(set: ImageSet): string[] | null {
  if (!set.labels) return null;
  if (set.classNames) return [...set.classNames];
  let max = 0;
  for (const l of set.labels) max = Math.max(max, l);
  return Array.from({ length: max + 1 }, (_, i) => String(i));
}

/** The data source a model's conditioning needs: captions for prompts, labels for classes. */
function trainingSource(model: DiffusionModel, set: ImageSet, seed: number): DataSource {
  const c = model.config;
  if (c.conditioning === 'prompt') return captionedBatches(set, { batchSize: BATCH_SIZE, seed, config: c });
  return imageBatches(set, { batchSize: BATCH_SIZE, seed });
}

/** Mean denoising loss on up to 1,024 held-out images at evenly spread timesteps. */
async function validationLoss(model: DiffusionModel, test: ImageSet): Promise<number> {
  const [n, h, w, ch] = test.shape;
  const count = Math.min(n, 1024);
  let total = 0;
  for (let start = 0; start < count; start += 256) {
    const size = Math.min(256, count - start);
    const x = tf.tensor4d(test.images.subarray(start * h * w * ch, (start + size) * h * w * ch), [size, h, w, ch]);
    const labels = test.labels && model.config.conditioning === 'class' ? tf.tensor1d(test.labels.subarray(start, start + size), 'int32') : undefined;
    // Prompt models are scored unconditionally here (no captions for held-out images).
    const { loss } = model.evalStep({ x, ...(labels ? { labels } : {}) });
    total += (await loss!.data())[0]! * size;
    tf.dispose([x, loss!, ...(labels ? [labels] : [])]);
  }
  return total / count;
}

const adapter: CliFamily = {
  name: 'diffusion',
  family: 'diffusion',
  description: 'denoising diffusion (U-Net; DDPM/DDIM sampling; guidance by prompt or label; inpainting; denoising film)',
  defaultData: 'mnist',
  presets: Object.keys(diffusionPresets),

  async prepareTraining({ data, preset, overrides, seed, resumed }) {
    const { train, test } = await loadImages(data);
    let model: DiffusionModel;
    if (resumed) {
      model = asDiffusion(resumed);
    } else {
      const base = resolveDiffusionConfig({}, preset ?? 'small');
      const names = classNamesOf(train);
      const fromData: Partial<DiffusionConfig> = {
        imageShape: [...train.shape.slice(1)],
        ...(names && names.length >= 2 ? { classNames: names } : { conditioning: 'none' }),
      };
      if (base.conditioning !== 'none' && !names) process.stderr.write(`--data ${data} has no labels: training an unconditional model\n`);
      model = createDiffusion(resolveDiffusionConfig({ ...fromData, ...(overrides as Partial<DiffusionConfig>) }, preset ?? 'small'), seed);
    }
    const c = model.config;
    const shape = train.shape.slice(1);
    if (shape.join() !== c.imageShape.join()) throw new Error(`--data ${data} has images of shape [${shape}], the model expects [${c.imageShape}]`);
    if (c.conditioning !== 'none' && !train.labels) throw new Error(`a ${c.conditioning}-conditioned diffusion model needs labelled data; --data ${data} has no labels`);
    return {
      model,
      data: trainingSource(model, train, seed),
      trainOptions: {
        steps: TRAIN_STEPS,
        optimizer: { type: 'adam', lr: 2e-3 },
        schedule: { type: 'warmup-cosine', lr: 2e-3, warmupSteps: 100, decaySteps: TRAIN_STEPS, minLr: 2e-4 },
        clipNorm: 1,
        ema: { decay: 0.995 },
      },
      evaluate: async () => ({ valLoss: await validationLoss(model, test) }),
    };
  },

  async sample(model, args) {
    const m = asDiffusion(model);
    const [h, w, ch] = m.config.imageShape as [number, number, number];
    const f = args.flags;
    const steps = f.steps === undefined ? 50 : Number(f.steps);
    const sampler = (f.sampler ?? 'ddim') as SamplerName;
    if (sampler !== 'ddim' && sampler !== 'ddpm') throw new Error(`--sampler must be ddim or ddpm, got ${String(f.sampler)}`);
    const label = f.label === undefined ? undefined : Number(f.label);
    if (label !== undefined && !Number.isInteger(label)) throw new Error(`--label must be an integer class, got ${String(f.label)}`);
    const guidanceScale = f.guidance === undefined ? undefined : Number(f.guidance);
    const eta = f.eta === undefined ? undefined : Number(f.eta);
    const n = f.film ? Math.min(args.n, 8) : args.n;
    const frames: Float32Array[][] = Array.from({ length: n }, () => []);
    const every = Math.max(1, Math.round(steps / FILM_FRAMES));
    const images = await m.generate({
      n,
      steps,
      sampler,
      seed: args.seed,
      ...(args.prompt !== undefined ? { prompt: args.prompt } : {}),
      ...(label !== undefined ? { label } : {}),
      ...(guidanceScale !== undefined ? { guidanceScale } : {}),
      ...(eta !== undefined ? { eta } : {}),
      ...(f.film
        ? {
            onStep: async ({ step, steps: total, images: x, offset }) => {
              if (step % every !== 0 && step !== total) return;
              const v = (await x.data()) as Float32Array;
              const per = h * w * ch;
              for (let i = 0; i < x.shape[0]; i++) frames[offset + i]!.push(v.slice(i * per, (i + 1) * per));
            },
          }
        : {}),
    });
    const condition = { ...(args.prompt !== undefined ? { prompt: args.prompt } : {}), ...(label !== undefined ? { label } : {}) };
    const json = { images: n, steps, sampler, seed: args.seed, ...condition, ...(guidanceScale !== undefined ? { guidanceScale } : {}), film: !!f.film };
    let png: Uint8Array;
    if (f.film) {
      const cols = frames[0]!.length;
      const flat = new Float32Array(n * cols * h * w * ch);
      frames.flat().forEach((frame, i) => flat.set(frame, i * h * w * ch));
      png = imageGridPng(flat, [n * cols, h, w, ch], { columns: cols, scale: h < 48 ? 2 : 1 });
    } else {
      png = imageGridPng(await images.data(), [n, h, w, ch], { columns: Math.ceil(Math.sqrt(n)), scale: h < 48 ? 2 : 1 });
    }
    images.dispose();
    return { png, json };
  },

  async evaluate(model, data, flags) {
    const m = asDiffusion(model);
    const { test } = await loadImages(data);
    const metrics: Record<string, number> = { valLoss: await validationLoss(m, test) };
    // Image metrics from DDIM 20-step samples (fewer than the other families: each takes 20 network passes).
    const n = Number(flags.samples ?? 200);
    const numClasses = m.config.conditioning === 'none' ? 0 : m.config.classNames.length;
    const labels = numClasses > 0 ? Array.from({ length: n }, (_, i) => i % numClasses) : undefined;
    const samples = await m.generate({ n, steps: 20, sampler: 'ddim', seed: 1, ...(labels ? { label: labels } : {}) });
    try {
      return { ...metrics, ...(await generatedImageMetrics(data, samples as tf.Tensor4D, labels ? { labels } : {})) };
    } finally {
      samples.dispose();
    }
  },
};

registerCliFamily(adapter);

/**
 * `genloom train|sample|eval gan`: DCGAN, ACGAN and WGAN-GP on image data (MNIST, emoji, IDX, PNG
 * folders; pixels scaled to [-1, 1] for the tanh generator), and pix2pix colorization of emoji
 * sprites (`--preset pix2pix-colorize`, data `emoji`). `sample` writes a PNG grid — one column per
 * class for conditional models, grey | colorized | original triplets for pix2pix.
 */
import * as tf from '@tensorflow/tfjs';
import type { GenerativeModel } from '@genloom/core';
import { imageBatches, resolveDataSpec, type ImageSet } from '@genloom/datasets';
import {
  GAN,
  Pix2Pix,
  colorizationPairs,
  createGANModel,
  ganOptimizers,
  ganPresets,
  meanPairwiseDistance,
  pairBatches,
  resolveGANConfig,
  toUnitRange,
  type GANConfig,
} from '@genloom/gan';
import { imageGridPng } from '../image-grid.js';
import { registerCliFamily, type CliFamily } from '../registry.js';
import { generatedImageMetrics } from '../image-metrics.js';

/** Examples per critic batch; a WGAN-GP step takes nCritic of them. */
const CRITIC_BATCH = 64;
/** pix2pix batch (the paper uses 1–10; 16 keeps wasm busy with bigger matmuls). */
const PIX2PIX_BATCH = 16;
/** Samples drawn by `eval` and the end-of-training evaluation. */
const EVAL_SAMPLES = 500;

/** Image splits with pixels in [-1, 1]. */
async function loadImages(spec: string): Promise<{ train: ImageSet; test: ImageSet }> {
  const desc = resolveDataSpec(spec, { normalize: 'minus-one-one' });
  if (desc.modality !== 'image') throw new Error(`gan models images; --data ${spec} is ${desc.modality} data (use mnist, emoji, idx:…, images:DIR)`);
  return { train: await desc.load('train'), test: await desc.load('test') };
}

/** Emoji-style RGBA splits in [0, 1] (what the colorization task is built from). */
async function loadRgba(spec: string): Promise<{ train: ImageSet; test: ImageSet }> {
  const desc = resolveDataSpec(spec);
  if (desc.modality !== 'image') throw new Error(`pix2pix-colorize needs RGBA images; --data ${spec} is ${desc.modality} data (use emoji)`);
  const loaded = { train: await desc.load('train'), test: await desc.load('test') };
  if (loaded.train.shape[3] !== 4) throw new Error(`pix2pix-colorize needs RGBA images (4 channels); --data ${spec} has ${loaded.train.shape[3]}`);
  return loaded;
}

function asGANModel(model: GenerativeModel): GAN | Pix2Pix {
  if (model instanceof GAN || model instanceof Pix2Pix) return model;
  throw new Error(`expected a gan checkpoint, got family "${model.family}"`);
}

/** Generated samples judged against held-out images: spread ratio and the discriminator's verdicts. */
async function ganMetrics(gan: GAN, test: ImageSet): Promise<Record<string, number>> {
  const n = Math.min(EVAL_SAMPLES, test.shape[0]);
  const [, h, w, c] = test.shape;
  const real = tf.tensor4d(test.images.subarray(0, n * h * w * c), [n, h, w, c]);
  const fake = gan.generate(n, { seed: 1 });
  const metrics: Record<string, number> = {};
  metrics.sampleDiversity = await meanPairwiseDistance(fake);
  metrics.diversityRatio = metrics.sampleDiversity / (await meanPairwiseDistance(real));
  const labels = test.labels && gan.config.numClasses > 0 ? tf.tensor1d(test.labels.subarray(0, n), 'int32') : undefined;
  const losses = gan.evalStep({ x: real, ...(labels ? { labels } : {}) });
  for (const [k, v] of Object.entries(losses)) metrics[k] = (await v.data())[0]!;
  tf.dispose([real, fake, ...Object.values(losses), ...(labels ? [labels] : [])]);
  return metrics;
}

/** Mean L1 (in [0, 1] pixel units) of the colorization of held-out sprites. */
async function pix2pixMetrics(model: Pix2Pix, test: ImageSet): Promise<Record<string, number>> {
  const pairs = colorizationPairs(test.images, test.shape, 'colorize');
  const data = pairBatches(pairs, { batchSize: Math.min(64, pairs.inputShape[0]), seed: 0 });
  let l1 = 0;
  for (let i = 0; i < data.batchesPerEpoch; i++) {
    const batch = data.batch(0, i);
    const out = model.evalStep(batch);
    l1 += (await out.l1!.data())[0]! / 2; // [-1, 1] units → [0, 1]
    tf.dispose([batch.x, batch.y, out.l1!]);
  }
  return { l1: l1 / data.batchesPerEpoch };
}

const adapter: CliFamily = {
  name: 'gan',
  family: 'gan',
  description: 'generative adversarial networks: DCGAN, ACGAN (per-class grids), WGAN-GP, pix2pix colorization of emoji; monitored D(real)/D(fake)',
  defaultData: 'mnist',
  presets: Object.keys(ganPresets),

  async prepareTraining({ data, preset, overrides, seed, resumed }) {
    const name = preset ?? 'dcgan';
    const pix2pix = resumed ? resumed instanceof Pix2Pix : resolveGANConfig({}, name).architecture === 'pix2pix';
    if (pix2pix) {
      const loaded = await loadRgba(data);
      const [, h, w] = loaded.train.shape;
      const model = resumed ? asGANModel(resumed) : createGANModel(resolveGANConfig({ outputShape: [h, w, 4], ...(overrides as Partial<GANConfig>) }, name), seed);
      const pairs = colorizationPairs(loaded.train.images, loaded.train.shape, 'colorize');
      return {
        model,
        data: pairBatches(pairs, { batchSize: PIX2PIX_BATCH, seed }),
        trainOptions: { optimizer: ganOptimizers(model.config), steps: 3000, monitorGradNorm: true },
        evaluate: async () => pix2pixMetrics(model as Pix2Pix, loaded.test),
      };
    }
    const loaded = await loadImages(data);
    let gan: GAN;
    if (resumed) {
      gan = asGANModel(resumed) as GAN;
    } else {
      const classes = loaded.train.classNames?.length ?? 0;
      const base = resolveGANConfig({}, name);
      const fromData: Partial<GANConfig> = { outputShape: loaded.train.shape.slice(1), ...(base.numClasses > 0 ? { numClasses: classes } : {}) };
      if (base.numClasses > 0 && (!loaded.train.labels || classes < 2)) throw new Error(`--preset ${name} is conditional; --data ${data} has no class labels`);
      gan = createGANModel(resolveGANConfig({ ...fromData, ...(overrides as Partial<GANConfig>) }, name), seed) as GAN;
    }
    const want = gan.config.outputShape;
    if (!tf.util.arraysEqual(loaded.train.shape.slice(1), want)) throw new Error(`--data ${data} has images of shape [${loaded.train.shape.slice(1)}], the model expects [${want}]`);
    return {
      model: gan,
      data: imageBatches(loaded.train, { batchSize: CRITIC_BATCH * gan.config.nCritic, seed }),
      trainOptions: { optimizer: ganOptimizers(gan.config), steps: 2000, monitorGradNorm: true },
      evaluate: async () => ganMetrics(gan, loaded.test),
    };
  },

  async sample(model, args) {
    const m = asGANModel(model);
    if (m instanceof Pix2Pix) {
      // Triplets from held-out sprites: grey input | colorized | original.
      const { test } = await loadRgba(typeof args.flags.data === 'string' ? args.flags.data : 'emoji');
      const [, h, w] = test.shape;
      if (h !== m.config.outputShape[0]) throw new Error(`the model colorizes ${m.config.outputShape[0]}px sprites; the data has ${h}px`);
      const n = Math.min(args.n, test.shape[0]);
      const pairs = colorizationPairs(test.images.subarray(0, n * h * w * 4), [n, h, w, 4], 'colorize');
      const grid = tf.tidy(() => {
        const grey = tf.tensor4d(pairs.inputs, pairs.inputShape);
        const colour = toUnitRange(m.translate(grey));
        const [l, a] = tf.split(toUnitRange(grey), 2, 3);
        const greyRgba = tf.concat([l!, l!, l!, a!], 3);
        const truth = tf.tensor4d(test.images.subarray(0, n * h * w * 4), [n, h, w, 4]);
        return tf.stack([greyRgba, colour, truth], 1).reshape([3 * n, h, w, 4]); // rows of (grey, made, true)
      });
      const png = imageGridPng(await grid.data(), [3 * n, h, w, 4], { columns: 3, scale: 2 });
      grid.dispose();
      return { png, json: { images: n, layout: 'grey | colorized | original', seed: args.seed } };
    }
    const [h, w, c] = m.config.outputShape as [number, number, number];
    const k = m.config.numClasses;
    const label = args.flags.label === undefined ? undefined : Number(args.flags.label);
    if (label !== undefined && !Number.isInteger(label)) throw new Error(`--label must be an integer class, got ${String(args.flags.label)}`);
    let images: tf.Tensor;
    let columns: number;
    if (args.flags.interpolate) {
      const steps = Math.max(2, Math.min(args.n, 10));
      const rows = Math.max(1, Math.floor(args.n / steps));
      images = tf.tidy(() => tf.concat(Array.from({ length: rows }, (_, r) => m.latentWalk({ seed: args.seed + r, points: 2, steps: steps - 1, ...(label !== undefined ? { label } : {}) }))));
      columns = steps;
    } else {
      // Conditional: the default labels cycle 0…K−1, so a grid of K columns shows one class per column.
      const n = k > 0 && label === undefined ? Math.max(k, Math.round(args.n / k) * k) : args.n;
      images = m.generate(n, { seed: args.seed, ...(label !== undefined ? { label } : {}), ...(args.temperature !== undefined ? { truncation: args.temperature } : {}) });
      columns = k > 0 && label === undefined ? k : Math.ceil(Math.sqrt(n));
    }
    const pixels = toUnitRange(images);
    const n = images.shape[0]!;
    const png = imageGridPng(await pixels.data(), [n, h, w, c], { columns, scale: h < 48 ? 2 : 1 });
    tf.dispose([images, pixels]);
    return { png, json: { images: n, columns, seed: args.seed, perClassColumns: k > 0 && label === undefined && !args.flags.interpolate, ...(label !== undefined ? { label } : {}) } };
  },

  async evaluate(model, data, flags) {
    const m = asGANModel(model);
    if (m instanceof Pix2Pix) return pix2pixMetrics(m, (await loadRgba(data)).test);
    const metrics = await ganMetrics(m, (await loadImages(data)).test);
    const n = Number(flags.samples ?? 1000);
    const labels = m.config.numClasses > 0 ? Array.from({ length: n }, (_, i) => i % m.config.numClasses) : undefined;
    const samples = tf.tidy(() => toUnitRange(m.generate(n, { seed: 1, ...(labels ? { labels } : {}) })) as tf.Tensor4D);
    try {
      return { ...metrics, ...(await generatedImageMetrics(data, samples, labels ? { labels } : {})) };
    } finally {
      samples.dispose();
    }
  },
};

registerCliFamily(adapter);

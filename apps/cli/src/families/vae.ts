/**
 * `genloom train|sample|eval vae` and `genloom anomaly`: variational autoencoders on images (MNIST,
 * emoji, IDX, PNG folders) or table rows (sensor, csv:PATH). Table rows are standardised with the
 * training split's statistics (saved in the checkpoint) and modelled with a learned-variance
 * Gaussian; images keep their [0, 1] pixels and a Bernoulli decoder. After training, an anomaly
 * threshold is calibrated on the held-out split at a 1% false-positive rate and saved too.
 */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { DataSource, GenerativeModel } from '@genloom/core';
import {
  fitStandardizer,
  imageBatches,
  loadCsv,
  resolveDataSpec,
  standardize,
  tabularBatches,
  type ImageSet,
  type TabularSet,
} from '@genloom/datasets';
import { VAE, complexityBits, createVAE, interpolateLatents, removeComplexity, resolveVAEConfig, scoreInBatches, thresholdForRate, vaePresets, type VAEConfig } from '@genloom/vae';
import { imageGridPng } from '../image-grid.js';
import { registerCliFamily, type CliFamily } from '../registry.js';
import { auroc, averagePrecision } from '@genloom/eval';
import { generatedImageMetrics } from '../image-metrics.js';

/** Examples per batch for training and scoring. */
const BATCH_SIZE = 128;
/** False-positive rate of the threshold calibrated after training. */
const CALIBRATION_FPR = 0.01;

type Loaded = { kind: 'image'; train: ImageSet; test: ImageSet } | { kind: 'tabular'; train: TabularSet; test: TabularSet };

async function loadData(spec: string): Promise<Loaded> {
  const desc = resolveDataSpec(spec);
  if (desc.modality === 'image') return { kind: 'image', train: await desc.load('train'), test: await desc.load('test') };
  if (desc.modality === 'tabular') return { kind: 'tabular', train: await desc.load('train'), test: await desc.load('test') };
  throw new Error(`vae models images or table rows; --data ${spec} is ${desc.modality} data (use mnist, emoji, sensor, idx:…, images:DIR or csv:PATH)`);
}

function asVAE(model: GenerativeModel): VAE {
  if (!(model instanceof VAE)) throw new Error(`expected a vae checkpoint, got family "${model.family}"`);
  return model;
}

/** The examples of a split as one tensor, standardised with the model's statistics for table rows. */
function examples(vae: VAE, data: ImageSet | TabularSet): tf.Tensor {
  if ('images' in data) return tf.tensor(data.images, [...data.shape]);
  const values = vae.standardizer ? standardize(data.features, { mean: Float32Array.from(vae.standardizer.mean), std: Float32Array.from(vae.standardizer.std) }) : data.features;
  return tf.tensor2d(values, [data.shape[0], data.shape[1]]);
}

function binaryLabels(data: ImageSet | TabularSet): Int32Array | null {
  const labels = data.labels;
  if (!labels || 'images' in data) return null;
  let ones = 0;
  for (const l of labels) {
    if (l !== 0 && l !== 1) return null;
    ones += l;
  }
  return ones > 0 && ones < labels.length ? labels : null;
}

/** Test −ELBO, its terms, IS-NLL on a subset and, for anomaly-labelled rows, AUROC/AP. */
async function testMetrics(vae: VAE, test: ImageSet | TabularSet, opts: { importanceSamples: number; nllExamples: number }): Promise<Record<string, number>> {
  const x = examples(vae, test);
  try {
    const n = x.shape[0]!;
    const needLabels = vae.config.numClasses > 0;
    const labels = needLabels ? test.labels : undefined;
    if (needLabels && !labels) throw new Error('this conditional VAE needs labelled data to evaluate');
    let negElbo = 0;
    let recon = 0;
    for (let start = 0; start < n; start += 512) {
      const size = Math.min(512, n - start);
      const batch = {
        x: tf.slice(x, [start], [size]),
        ...(labels ? { labels: tf.tensor1d(labels.subarray(start, start + size), 'int32') } : {}),
      };
      const losses = vae.evalStep(batch);
      negElbo += (await losses.negElbo!.data())[0]! * size;
      recon += (await losses.recon!.data())[0]! * size;
      tf.dispose([...Object.values(losses), ...Object.values(batch)]);
    }
    const metrics: Record<string, number> = { negElbo: negElbo / n, recon: recon / n, kl: (negElbo - recon) / n };
    const m = Math.min(n, opts.nllExamples);
    if (m > 0 && opts.importanceSamples > 0) {
      const sub = tf.slice(x, [0], [m]);
      const nll = await scoreInBatches(vae, sub, { method: 'nll', samples: opts.importanceSamples, batchSize: 100, ...(labels ? { labels: labels.subarray(0, m) } : {}) });
      metrics.isNll = nll.reduce((a, b) => a + b, 0) / m;
      sub.dispose();
    }
    const anomalyLabels = binaryLabels(test);
    if (anomalyLabels) {
      const scores = await scoreInBatches(vae, x, { method: 'negElbo', samples: 8 });
      const { auroc, averagePrecision } = anomalyRanking(scores, anomalyLabels);
      Object.assign(metrics, { auroc, averagePrecision });
    }
    return metrics;
  } finally {
    x.dispose();
  }
}

const adapter: CliFamily = {
  name: 'vae',
  family: 'vae',
  description: 'variational autoencoder (MLP/conv, β-VAE, conditional) on images or table rows; samples, interpolation, ELBO/IS-NLL, anomaly scores',
  defaultData: 'mnist',
  presets: Object.keys(vaePresets),

  async prepareTraining({ data, preset, overrides, seed, resumed }) {
    const loaded = await loadData(data);
    let vae: VAE;
    if (resumed) {
      vae = asVAE(resumed);
    } else {
      const shape = loaded.kind === 'image' ? loaded.train.shape.slice(1) : [loaded.train.shape[1]];
      const tabular: Partial<VAEConfig> = loaded.kind === 'tabular' ? { likelihood: 'gaussian', gaussianVariance: 'learned' } : {};
      const config = resolveVAEConfig({ inputShape: shape, ...tabular, ...(overrides as Partial<VAEConfig>) }, preset ?? 'small');
      vae = createVAE(config, seed);
    }
    const c = vae.config;
    const want = c.inputShape.reduce((a, b) => a * b, 1);
    let source: DataSource;
    if (loaded.kind === 'image') {
      const have = loaded.train.shape.slice(1).reduce((a, b) => a * b, 1);
      if (have !== want) throw new Error(`--data ${data} has examples of shape [${loaded.train.shape.slice(1)}], the model expects [${c.inputShape}]`);
      source = imageBatches(loaded.train, { batchSize: BATCH_SIZE, seed });
    } else {
      if (loaded.train.shape[1] !== want) throw new Error(`--data ${data} has ${loaded.train.shape[1]} columns, the model expects ${want}`);
      if (!vae.standardizer) {
        const st = fitStandardizer(loaded.train.features, loaded.train.shape[1]);
        vae.standardizer = { mean: Array.from(st.mean), std: Array.from(st.std) };
      }
      const st = { mean: Float32Array.from(vae.standardizer.mean), std: Float32Array.from(vae.standardizer.std) };
      source = tabularBatches({ ...loaded.train, features: standardize(loaded.train.features, st) }, { batchSize: BATCH_SIZE, seed });
    }
    if (c.numClasses > 0 && !loaded.train.labels) throw new Error(`a conditional VAE (numClasses ${c.numClasses}) needs labelled data; --data ${data} has no labels`);
    return {
      model: vae,
      data: source,
      trainOptions: { optimizer: { type: 'adam', lr: 1e-3 }, epochs: 10 },
      evaluate: async () => {
        const metrics = await testMetrics(vae, loaded.test, { importanceSamples: 0, nllExamples: 0 });
        // Calibrate the anomaly threshold on the held-out split so `genloom anomaly` works right away;
        // image scores are corrected for input complexity (simple images otherwise pass as normal).
        const x = examples(vae, loaded.test);
        const labels = c.numClasses > 0 ? loaded.test.labels : undefined;
        const complexity = c.inputShape.length === 3;
        await vae.calibrateThreshold(x, { falsePositiveRate: CALIBRATION_FPR, complexity, ...(labels ? { labels } : {}) });
        x.dispose();
        return metrics;
      },
    };
  },

  async sample(model, args) {
    const vae = asVAE(model);
    const c = vae.config;
    if (c.inputShape.length !== 3) {
      const x = vae.sample(args.n, { seed: args.seed, ...(args.temperature !== undefined ? { temperature: args.temperature } : {}) });
      const rows = (await x.array()) as number[][];
      x.dispose();
      const st = vae.standardizer;
      const out = st ? rows.map((r) => r.map((v, j) => v * st.std[j]! + st.mean[j]!)) : rows;
      return { text: out.map((r) => r.map((v) => v.toPrecision(6)).join(',')).join('\n'), json: { rows: out, seed: args.seed } };
    }
    const label = args.flags.label === undefined ? undefined : Number(args.flags.label);
    if (label !== undefined && !Number.isInteger(label)) throw new Error(`--label must be an integer class, got ${String(args.flags.label)}`);
    const [h, w, ch] = c.inputShape as [number, number, number];
    let images: tf.Tensor;
    let columns: number;
    if (args.flags.interpolate) {
      // Rows of `steps` images: each row walks the great circle between two prior samples.
      const steps = Math.max(2, Math.min(args.n, 10));
      const rows = Math.max(1, Math.floor(args.n / steps));
      images = tf.tidy(() => {
        const ends = tf.randomNormal([2 * rows, c.latentDim], 0, 1, 'float32', args.seed + 1);
        const paths = Array.from({ length: rows }, (_, r) => interpolateLatents(ends.slice([2 * r], [1]), ends.slice([2 * r + 1], [1]), steps, 'spherical'));
        const z = tf.concat(paths) as tf.Tensor2D;
        return vae.decode(z, label === undefined ? {} : { labels: new Array<number>(z.shape[0]).fill(label) });
      });
      columns = steps;
    } else {
      images = vae.sample(args.n, { seed: args.seed, ...(label !== undefined ? { label } : {}), ...(args.temperature !== undefined ? { temperature: args.temperature } : {}) });
      columns = Math.ceil(Math.sqrt(args.n));
    }
    const n = images.shape[0]!;
    const png = imageGridPng(await images.data(), [n, h, w, ch], { columns, scale: h < 48 ? 2 : 1 });
    images.dispose();
    return { png, json: { images: n, columns, seed: args.seed, interpolate: !!args.flags.interpolate, ...(label !== undefined ? { label } : {}) } };
  },

  async evaluate(model, data, flags) {
    const vae = asVAE(model);
    const loaded = await loadData(data);
    const importanceSamples = flags.importanceSamples === undefined ? 100 : Number(flags.importanceSamples);
    const metrics = await testMetrics(vae, loaded.test, { importanceSamples, nllExamples: 1000 });
    if (vae.config.numClasses > 0) return metrics; // a conditional VAE's samples need labels; scored by its test metrics
    const samples = vae.sample(Number(flags.samples ?? 1000), { seed: 1 }) as tf.Tensor4D;
    try {
      return { ...metrics, ...(await generatedImageMetrics(data, samples.rank === 4 ? samples : (samples.reshape([samples.shape[0], 28, 28, 1]) as tf.Tensor4D))) };
    } finally {
      samples.dispose();
    }
  },

  registerCommands(program, io) {
    program
      .command('anomaly')
      .description('score examples with a trained VAE (higher = more unusual) and flag those above its calibrated threshold')
      .argument('<dir>', 'vae checkpoint directory')
      .requiredOption('--data <spec>', 'the examples to score: csv:PATH[,LABEL_COLUMN] (every row) or any data spec (its test split)')
      .option('--fpr <rate>', 'recalibrate the threshold on these examples at this false-positive rate (they should be mostly normal)')
      .option('--method <name>', 'score: negElbo (default), reconstruction or nll', 'negElbo')
      .option('--out <file>', 'write the scores as CSV (index,score,anomaly)')
      .option('--json', 'print JSON')
      .action(async (dir: string, opts: { data: string; fpr?: string; method: string; out?: string; json?: boolean }) => {
        const vae = asVAE(await io.loadModel(dir, !!opts.json));
        const method = opts.method as 'negElbo' | 'reconstruction' | 'nll';
        if (!['negElbo', 'reconstruction', 'nll'].includes(method)) throw new Error(`--method must be negElbo, reconstruction or nll, got ${opts.method}`);
        let set: ImageSet | TabularSet;
        if (opts.data.startsWith('csv:')) {
          const [path, labelColumn] = opts.data.slice(4).split(',');
          set = await loadCsv(path!, labelColumn ? { labelColumn } : {});
        } else {
          set = (await loadData(opts.data)).test;
        }
        const x = examples(vae, set);
        const labels = vae.config.numClasses > 0 ? set.labels : undefined;
        let scores = await scoreInBatches(vae, x, { method, samples: method === 'nll' ? 64 : 8, ...(labels ? { labels } : {}) });
        // The complexity correction fitted at calibration applies to scores of the same method.
        const complexitySlope = vae.calibration?.method === method ? vae.calibration.complexitySlope : undefined;
        if (complexitySlope !== undefined) scores = removeComplexity(scores, await complexityBits(x), complexitySlope);
        x.dispose();
        let threshold: number;
        if (opts.fpr !== undefined) threshold = thresholdForRate(scores, Number(opts.fpr));
        else if (vae.calibration && vae.calibration.method === method) threshold = vae.calibration.threshold;
        else throw new Error(`the checkpoint has no threshold for method "${method}"; pass --fpr RATE to calibrate on these examples`);
        const flags = Array.from(scores, (s) => s > threshold);
        const flagged = flags.filter(Boolean).length;
        const result: Record<string, unknown> = { examples: scores.length, flagged, threshold, method, ...(complexitySlope !== undefined ? { complexitySlope } : {}) };
        const anomalyLabels = binaryLabels(set);
        if (anomalyLabels) Object.assign(result, anomalyRanking(scores, anomalyLabels));
        if (opts.out) {
          const lines = ['index,score,anomaly', ...Array.from(scores, (s, i) => `${i},${s.toPrecision(7)},${flags[i] ? 1 : 0}`)];
          await writeFile(resolve(opts.out), lines.join('\n') + '\n');
          result.out = resolve(opts.out);
        }
        const top = Array.from(scores.keys()).sort((a, b) => scores[b]! - scores[a]!).slice(0, 10);
        const human = [
          `${flagged} of ${scores.length} examples flagged (score > ${threshold.toPrecision(6)} nats, ${method}${complexitySlope !== undefined ? `, less ${complexitySlope.toPrecision(3)} nats per bit of compressed size` : ''})`,
          ...(anomalyLabels ? [`AUROC ${(result.auroc as number).toFixed(4)}  AP ${(result.averagePrecision as number).toFixed(4)}`] : []),
          'most unusual:',
          ...top.map((i) => `  #${i}  ${scores[i]!.toPrecision(6)}`),
          ...(opts.out ? [`wrote ${result.out as string}`] : []),
        ].join('\n');
        io.print(!!opts.json, opts.json ? { ...result, scores: Array.from(scores), flags } : result, human);
        vae.dispose();
      });
  },
};

registerCliFamily(adapter);

/** AUROC and average precision of anomaly scores against 0/1 labels (1 = anomaly), from @genloom/eval. */
function anomalyRanking(scores: ArrayLike<number>, labels: ArrayLike<number>): { auroc: number; averagePrecision: number } {
  return { auroc: auroc(scores, labels), averagePrecision: averagePrecision(scores, labels) };
}

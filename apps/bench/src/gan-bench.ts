/**
 * `pnpm bench gan [--steps N] [--presets dcgan,acgan,wgan-gp] [--quality-presets …] [--from DIR,…] [--eval-samples N] [--ring-steps N] [--speed-steps N]`:
 *
 * - speed: generator + discriminator step time and examples/s of each preset on wasm (batch 64 per
 *   critic step), achieved GFLOP/s (analytic count, forward + backward ≈ 3× forward) beside the wasm
 *   conv2d and matmul rates measured in the same run;
 * - quality on MNIST after `--steps` steps per preset, judged with the eval package's MNIST
 *   classifier (loaded from its cache, or trained once): classifier Inception Score, classes
 *   covered, classifier-FID, precision and recall (k = 3) against the 10k test digits, and the same
 *   metrics of real test digits as the floor;
 * - the ring of 8 Gaussians (PacGAN's 2D-ring, σ = 0.01): modes covered and high-quality fraction
 *   for a plain GAN and PacGAN2;
 * - sample grids per preset (PNG) and the D(real)/D(fake) series (JSON) for plots.
 *
 * Anchors: real MNIST test digits score IS 9.88; targets IS ≥ 9.3, 10/10 classes, precision ≥ 0.7,
 * recall ≥ 0.5; PacGAN reports plain GANs covering 6.3 of 8 ring modes; PyTorch's DCGAN step
 * (28×28, batch 64) takes 142–205 ms on the same 2 cores (FINDINGS.md).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { directoryCheckpointStore } from '@genloom/core/node';
import { initBackend, loadCheckpoint, train, type Callback } from '@genloom/core';
import { imageBatches, loadMnist, type ImageSet } from '@genloom/datasets';
import { evaluateImages, extractImageFeatures, momentsOf } from '@genloom/eval';
import { loadOrTrainClassifier } from '@genloom/eval/node';
import { createGAN, ganMonitor, ganOptimizers, resolveGANConfig, ringData, ringModeCoverage, toUnitRange, type GAN, type GANConfig } from '@genloom/gan';
import * as tf from '@tensorflow/tfjs';
import { PNG } from 'pngjs';
import type { SuiteOptions } from './main.js';
import { trainingLineage } from './lineage.js';
import { medianMs } from './rates.js';

const ANCHORS = { realTestInceptionScore: 9.88, pacganPlainGanRingModes: 6.3, pytorchDcganStepMs: [142, 205], target: { inceptionScore: 9.3, classes: 10, precision: 0.7, recall: 0.5 } };

/** Critic batch size of every preset. */
const BATCH = 64;

/** Options of {@link ganBench}. */
export interface GanBenchOptions {
  presets?: string[];
  /** Presets trained for the quality numbers (default: all of `presets`). */
  qualityPresets?: string[];
  /** Training steps per preset for the quality numbers (default 3000). */
  steps?: number;
  /** Timed steps per preset for the speed numbers (default 10, after 2 warm-up steps). */
  speedSteps?: number;
  /** Generated images scored per preset (default 5000). */
  evalSamples?: number;
  /**
   * Score checkpoints trained elsewhere instead of training (e.g. the demo site's, trained with
   * `pnpm demo:train`): folder paths; their steps and training time come from the checkpoint.
   */
  from?: string[];
  /** Steps of each ring run (default 2000; 0 skips the ring). */
  ringSteps?: number;
  seed?: number;
  outDir?: string;
  log?: (line: string) => void;
}

/** GFLOP/s of a 1024³ matmul and of a DCGAN-sized conv2d (64×14×14×32 → 64 channels, k4 s2). */
async function kernelRates(): Promise<{ matmul1024: number; conv: number }> {
  const a = tf.randomNormal([1024, 1024]);
  const mm = await medianMs(async () => {
    const c = tf.matMul(a, a);
    await c.data();
    c.dispose();
  }, 5);
  const x = tf.randomNormal([64, 14, 14, 32]) as tf.Tensor4D;
  const f = tf.randomNormal([4, 4, 32, 64]) as tf.Tensor4D;
  const cv = await medianMs(async () => {
    const y = tf.conv2d(x, f, 2, 'same');
    await y.data();
    y.dispose();
  }, 5);
  tf.dispose([a, x, f]);
  return { matmul1024: (2 * 1024 ** 3) / mm / 1e6, conv: (2 * 64 * 7 * 7 * 64 * 16 * 32) / cv / 1e6 };
}

/** Forward FLOPs per example of the generator and the discriminator of a DCGAN config. */
export function dcganForwardFlops(c: GANConfig): { generator: number; discriminator: number } {
  const [h, w, channels] = c.outputShape as [number, number, number];
  const k2 = c.kernelSize ** 2;
  const ch = c.generatorChannels;
  let side = h / 2 ** ch.length;
  let g = 2 * (c.latentDim + c.numClasses) * side * side * ch[0]!;
  ch.forEach((inC, i) => {
    const outC = i === ch.length - 1 ? channels : ch[i + 1]!;
    g += 2 * side * side * inC * k2 * outC; // every input pixel scatters a k×k×outC patch
    side *= 2;
  });
  let d = 0;
  let inC = channels * c.pack;
  let dh = h;
  let dw = w;
  for (const outC of c.discriminatorChannels) {
    dh /= 2;
    dw /= 2;
    d += 2 * dh * dw * outC * k2 * inC;
    inC = outC;
  }
  d += 2 * dh * dw * inC * (1 + c.numClasses);
  return { generator: g, discriminator: d };
}

/** FLOPs of one training step (nCritic critic updates on `batch` examples, one generator update). */
export function ganStepFlops(c: GANConfig, batch: number): number {
  const f = dcganForwardFlops(c);
  const critic = f.generator * batch + 3 * f.discriminator * 2 * batch + (c.gradientPenalty > 0 ? 6 * f.discriminator * batch : 0);
  const gen = 3 * (f.generator + f.discriminator) * batch;
  return c.nCritic * critic + gen;
}

async function writeGrid(file: string, images: tf.Tensor, columns: number): Promise<void> {
  const [n, h, w, c] = images.shape as [number, number, number, number];
  const px = await images.data();
  const pad = 2;
  const rows = Math.ceil(n / columns);
  const png = new PNG({ width: columns * (w + pad) + pad, height: rows * (h + pad) + pad });
  png.data.fill(255);
  for (let i = 0; i < n; i++) {
    const ox = pad + (i % columns) * (w + pad);
    const oy = pad + Math.floor(i / columns) * (h + pad);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const src = ((i * h + y) * w + x) * c;
        const dst = ((oy + y) * png.width + ox + x) * 4;
        for (let k = 0; k < 3; k++) png.data[dst + k] = Math.round(255 * Math.min(1, Math.max(0, px[src + (c >= 3 ? k : 0)]!)));
        png.data[dst + 3] = 255;
      }
    }
  }
  await writeFile(file, PNG.sync.write(png));
}

/**
 * Runs the benchmark and returns (and writes) its results.
 *
 * @example
 * ```ts
 * const r = await ganBench({ steps: 1000, presets: ['dcgan'] });
 * ```
 */
export async function ganBench(opts: GanBenchOptions = {}): Promise<Record<string, unknown>> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const info = await initBackend('wasm');
  const outDir = opts.outDir ?? 'bench-out';
  await mkdir(outDir, { recursive: true });
  const presets = opts.presets ?? ['dcgan', 'acgan', 'wgan-gp'];
  const steps = opts.steps ?? 3000;
  const seed = opts.seed ?? 1;
  const evalSamples = opts.evalSamples ?? 5000;

  const mnist = await loadMnist({ split: 'train', normalize: 'minus-one-one' });
  const testUnit = await loadMnist({ split: 'test' });
  const ratesBefore = await kernelRates();
  log(`gan bench on ${info.backend}: matmul 1024³ ${ratesBefore.matmul1024.toFixed(1)} GFLOP/s, conv2d ${ratesBefore.conv.toFixed(1)} GFLOP/s`);

  // Speed first (it needs no classifier): the Trainer's own loop, median step time.
  const speed: Record<string, Record<string, number>> = {};
  for (const preset of presets) {
    const gan = createGAN({ preset, seed });
    const c = gan.config;
    const data = imageBatches(mnist as ImageSet, { batchSize: BATCH * c.nCritic, seed });
    // Speed: median step time with the Trainer's own loop.
    const stepMs: number[] = [];
    let last = performance.now();
    const timer: Callback = {
      onStepEnd: () => {
        const now = performance.now();
        stepMs.push(now - last);
        last = now;
      },
    };
    const speedSteps = opts.speedSteps ?? 10;
    last = performance.now();
    await train(gan, data, { steps: speedSteps + 2, optimizer: ganOptimizers(c), seed, callbacks: [timer] });
    const timed = stepMs.slice(2).sort((a, b) => a - b);
    const ms = timed[Math.floor(timed.length / 2)]!;
    const flops = ganStepFlops(c, BATCH);
    const gflops = flops / ms / 1e6;
    log(`${preset}: ${ms.toFixed(0)} ms/step (nCritic ${c.nCritic}, batch ${BATCH}), ${((BATCH * c.nCritic * 1000) / ms).toFixed(0)} real examples/s, ${(flops / 1e9).toFixed(2)} GFLOP/step → ${gflops.toFixed(2)} GFLOP/s = ${(gflops / ratesBefore.conv).toFixed(2)}× the conv rate`);
    gan.dispose();
    speed[preset] = { msPerStep: ms, examplesPerSecond: (BATCH * c.nCritic * 1000) / ms, flopsPerStep: flops, achievedGflops: gflops, ratioToConvRate: gflops / ratesBefore.conv, ratioToMatmulRate: gflops / ratesBefore.matmul1024 };
  }

  await writeFile(`${outDir}/gan-speed.json`, JSON.stringify({ backend: info.backend, batch: BATCH, kernelRates: ratesBefore, speed }, null, 2));

  const clf = await loadOrTrainClassifier({ name: 'mnist', train: async () => ({ train: await loadMnist({ split: 'train' }), test: testUnit }), log });
  const realImages = tf.tensor4d(testUnit.images, [...testUnit.shape]);
  const real = extractImageFeatures(clf.model, realImages);
  const realMoments = await momentsOf(real.features);
  // Even against odd test digits: MNIST's test split is two populations of writers one after the
  // other (Census employees, then students), so its first and second halves are not one distribution.
  const n = testUnit.shape[0];
  const even = tf.range(0, n, 2, 'int32');
  const odd = tf.range(1, n, 2, 'int32');
  const halves = tf.tidy(() => ({
    real: { features: tf.gather(real.features, even), probs: tf.gather(real.probs, even) },
    generated: { features: tf.gather(real.features, odd), probs: tf.gather(real.probs, odd) },
  }));
  const floor = await evaluateImages({ classifier: clf.model, ...halves });
  tf.dispose([even, odd, halves.real.features, halves.real.probs, halves.generated.features, halves.generated.probs]);
  log(`real test digits (5k vs 5k): IS ${floor.inceptionScore?.toFixed(2)}, FID ${floor.fid?.toFixed(3)}, precision ${floor.precision?.toFixed(3)}, recall ${floor.recall?.toFixed(3)}`);

  const results: Record<string, unknown> = {};
  const evidence: Record<string, { trainMinutes: number; quality?: { metric: string; value: number; lowerIsBetter: boolean }; samplesPerSecond?: number; data: string }> = {};
  const candidates: Array<{ preset: string; load: () => Promise<{ model: GAN; steps: number; seconds: number; monitor?: unknown; source?: string }> }> = opts.from
    ? opts.from.map((dir) => ({
        preset: basename(dir), // replaced below by the `--preset` of the command that trained it, if recorded
        load: async () => {
          const { model, manifest } = await loadCheckpoint<GAN>(directoryCheckpointStore(dir).reader, { family: 'gan' });
          const { steps, seconds } = await trainingLineage(dir);
          return { model, steps, seconds, source: manifest.provenance.command ?? dir };
        },
      }))
    : (opts.qualityPresets ?? presets).map((preset) => ({
        preset,
        load: async () => {
          // Quality: a fresh model trained for the budget, monitored; kept (`<out>/gan-<preset>-model/`)
          // for the demo site and README pictures.
          const c = resolveGANConfig({}, preset);
          const data = imageBatches(mnist as ImageSet, { batchSize: BATCH * c.nCritic, seed });
          const model = createGAN({ preset, seed });
          const monitor = ganMonitor({ every: 250, log });
          const checkpoint = { writer: directoryCheckpointStore(join(outDir, `gan-${preset}-model`)).writer, provenance: { data: 'mnist', command: `pnpm bench gan --quality-presets ${preset} --steps ${steps}` } };
          const t0 = performance.now();
          const run = await train(model, data, { steps, optimizer: ganOptimizers(c), seed, monitorGradNorm: true, callbacks: [monitor], checkpoint });
          return { model, steps: run.steps, seconds: (performance.now() - t0) / 1000, monitor: monitor.series };
        },
      }));
  for (const { preset: folder, load } of candidates) {
    const { model, steps: trainedSteps, seconds, monitor, source } = await load();
    const preset = source?.match(/--preset (\S+)/)?.[1] ?? folder;
    const c = model.config;
    const quality = await scoreModel(model, clf.model, real, realMoments, evalSamples);
    log(`${preset} after ${trainedSteps} steps (${(seconds / 60).toFixed(1)} min): IS ${quality.inceptionScore?.toFixed(2)}, classes ${quality.modes}/10, FID ${quality.fid?.toFixed(3)}, precision ${quality.precision?.toFixed(3)}, recall ${quality.recall?.toFixed(3)}${quality.conditionalAccuracy !== undefined ? `, conditional accuracy ${quality.conditionalAccuracy.toFixed(3)}` : ''}`);
    const grid = tf.tidy(() => toUnitRange(model.generate(c.numClasses > 0 ? 100 : 64, { seed: 3 })));
    await writeGrid(`${outDir}/gan-${preset}.png`, grid, c.numClasses > 0 ? c.numClasses : 8);
    grid.dispose();
    results[preset] = {
      config: c,
      speed: speed[preset],
      training: { steps: trainedSteps, seconds, examples: trainedSteps * BATCH * c.nCritic, epochs: (trainedSteps * BATCH * c.nCritic) / mnist.shape[0], ...(source ? { source } : {}) },
      quality,
      grid: `gan-${preset}.png`,
    };
    // What `genloom advise` reads: minutes for this budget and the classifier-FID it reached.
    evidence[preset] = { trainMinutes: seconds / 60, ...(quality.fid !== undefined ? { quality: { metric: 'fid', value: Number(quality.fid.toFixed(3)), lowerIsBetter: true } } : {}), data: 'mnist' };
    if (monitor) await writeFile(`${outDir}/gan-${preset}-monitor.json`, JSON.stringify(monitor));
    model.dispose();
  }

  const ring: Record<string, unknown> = {};
  const ringSteps = opts.ringSteps ?? 2000;
  if (ringSteps > 0) {
    for (const pack of [1, 2]) {
      const gan = createGAN({ preset: 'ring', pack, seed });
      await train(gan, ringData({ batchSize: 256, seed: seed + 1, std: 0.01 }), { steps: ringSteps, optimizer: { generator: { type: 'adam', lr: 1e-3, beta1: 0.5 }, discriminator: { type: 'adam', lr: 1e-3, beta1: 0.5 } }, seed });
      const x = gan.generate(2500, { seed: 5 });
      const cov = ringModeCoverage(await x.data(), { std: 0.01 });
      x.dispose();
      ring[`pack${pack}`] = { modesCovered: cov.modesCovered, highQualityFraction: cov.highQualityFraction, counts: cov.counts, steps: ringSteps };
      log(`ring (σ 0.01), pack ${pack}, ${ringSteps} steps: ${cov.modesCovered}/8 modes, high-quality fraction ${cov.highQualityFraction.toFixed(3)}`);
      gan.dispose();
    }
  }

  const ratesAfter = await kernelRates();
  const report = { suite: 'gan', date: new Date().toISOString(), backend: info.backend, batch: BATCH, steps, evalSamples, kernelRates: { before: ratesBefore, after: ratesAfter }, classifier: { source: clf.source, testAccuracy: clf.testAccuracy }, realFloor: floor, presets: results, ring, anchors: ANCHORS, evidence: { gan: evidence } };
  await writeFile(`${outDir}/gan.json`, JSON.stringify(report, null, 2));
  tf.dispose([realImages, real.features, real.probs]);
  clf.model.dispose();
  return report;
}

async function scoreModel(model: GAN, classifier: Parameters<typeof evaluateImages>[0]['classifier'], real: { features: tf.Tensor2D; probs: tf.Tensor2D }, realMoments: Awaited<ReturnType<typeof momentsOf>>, n: number) {
  const parts: Array<{ features: tf.Tensor2D; probs: tf.Tensor2D }> = [];
  const labels: number[] = [];
  for (let start = 0; start < n; start += 500) {
    const size = Math.min(500, n - start);
    const k = model.config.numClasses;
    const want = k > 0 ? Array.from({ length: size }, (_, i) => (start + i) % k) : undefined;
    if (want) labels.push(...want);
    const images = tf.tidy(() => toUnitRange(model.generate(size, { seed: 1000 + start, ...(want ? { labels: want } : {}) })) as tf.Tensor4D);
    parts.push(extractImageFeatures(classifier, images));
    images.dispose();
  }
  const generated = { features: tf.concat(parts.map((p) => p.features)) as tf.Tensor2D, probs: tf.concat(parts.map((p) => p.probs)) as tf.Tensor2D };
  tf.dispose(parts.flatMap((p) => [p.features, p.probs]));
  const report = await evaluateImages({ classifier, real, generated, realMoments, ...(labels.length ? { requestedLabels: labels } : {}), metrics: { kid: false } });
  tf.dispose([generated.features, generated.probs]);
  return report;
}

function argValue(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}


/**
 * Entry for the bench CLI's suite map.
 *
 * @example
 * ```ts
 * await runGanSuite({ outDir: 'bench-out', quick: true, args: ['--steps', '200'] });
 * ```
 */
export async function runGanSuite(o: SuiteOptions): Promise<Record<string, unknown>> {
  const num = (name: string) => (argValue(o.args, name) !== undefined ? Number(argValue(o.args, name)) : undefined);
  const presets = argValue(o.args, '--presets')?.split(',');
  // the quick suite trains one preset for its smoke test of the quality path (speed still covers all)
  const qualityPresets = argValue(o.args, '--quality-presets')?.split(',') ?? (o.quick ? ['dcgan'] : undefined);
  const steps = num('--steps') ?? (o.quick ? 20 : undefined);
  const evalSamples = num('--eval-samples') ?? (o.quick ? 500 : undefined);
  const ringSteps = num('--ring-steps') ?? (o.quick ? 0 : undefined);
  const speedSteps = num('--speed-steps') ?? (o.quick ? 3 : undefined);
  return ganBench({
    outDir: o.outDir,
    ...(presets ? { presets } : {}),
    ...(qualityPresets ? { qualityPresets } : {}),
    ...(steps !== undefined ? { steps } : {}),
    ...(evalSamples !== undefined ? { evalSamples } : {}),
    ...(ringSteps !== undefined ? { ringSteps } : {}),
    ...(speedSteps !== undefined ? { speedSteps } : {}),
    ...(argValue(o.args, '--from') ? { from: argValue(o.args, '--from')!.split(',') } : {}),
    ...(num('--seed') !== undefined ? { seed: num('--seed')! } : {}),
  });
}

/**
 * `pnpm bench vae [--epochs N] [--lr X] [--batch N] [--schedule constant|cosine] [--one-class-epochs N] [--digits 0,1,…] [--base-epochs N] [--is-samples K]`:
 *
 * - speed and quality of the `small` MLP VAE (784-400-20, batch 128, Adam 1e-3) on MNIST, the
 *   pytorch/examples protocol: seconds per epoch, examples/s, achieved GFLOP/s beside the wasm
 *   matmul rate measured in the same run, and the test loss (BCE summed over pixels + KL, per
 *   image, non-binarised MNIST, one posterior sample) after every epoch;
 * - importance-sampled NLL of the `base` preset (optional, `--base-epochs`);
 * - one-class MNIST anomaly detection: a `small` VAE per digit trained on that digit only, the whole
 *   test set scored by −ELBO, AUROC of "other digit" vs "this digit", mean over the digits, both
 *   raw and with the input-complexity correction (its slope fitted on the digit's training images:
 *   no anomaly is seen before the test);
 * - AUROC / average precision on the labelled sensor-network set;
 * - a sample grid and an interpolation strip as PNG.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { initBackend, train, type Callback, type ScheduleConfig } from '@genloom/core';
import { fitStandardizer, imageBatches, loadMnist, loadSensor, selectImages, selectRows, standardize, tabularBatches, type ImageSet } from '@genloom/datasets';
import { complexityBits, createVAE, removeComplexity, interpolateLatents, resolveVAEConfig, scoreInBatches, type VAE } from '@genloom/vae';
import * as tf from '@tensorflow/tfjs';
import { greyGridPng } from './png-grid.js';
import { matmulRate } from './rates.js';
import { auroc, averagePrecision } from '@genloom/eval';

/** Epochs of the pytorch/examples recipe, which `genloom train vae` also runs by default. */
const RECIPE_EPOCHS = 10;

const ANCHORS = {
  pytorchExamplesTestLossEpoch7: 106.66,
  pythaeIsNll: 89.78,
  deepSvddOneClassAuroc: 93.8,
  pytorchSecondsPerEpoch: 15,
  naiveTfjsWasmSecondsPerEpoch: 106,
  target: { testLoss: 100, oneClassAuroc: 95, secondsPerEpoch: 25 },
};

/** Options of {@link vaeBench}. */
export interface VaeBenchOptions {
  /** Epochs of the `small` MNIST run (default 10). */
  epochs?: number;
  /** Adam's learning rate of the `small` run (default 1e-3, pytorch/examples'). */
  lr?: number;
  /** Batch size of the `small` run (default 128, pytorch/examples'). */
  batchSize?: number;
  /** Learning-rate schedule of the `small` run: `constant` (pytorch/examples') or `cosine` (warm-up over 2% of the steps, cosine decay to lr/10 at the end). */
  schedule?: 'constant' | 'cosine';
  /** Epochs of each one-class model (default 10); 0 skips the one-class benchmark. */
  oneClassEpochs?: number;
  /** Digits of the one-class benchmark (default all ten). */
  digits?: number[];
  /** Epochs of the `base` model whose IS-NLL is reported (default 0: skipped). */
  baseEpochs?: number;
  /** Importance samples of the IS-NLL (default 1000; 0 skips it) and test images it is computed on (default 1000). */
  isSamples?: number;
  isExamples?: number;
  seed?: number;
  outDir?: string;
  log?: (line: string) => void;
}

/** Matmul FLOPs of one training step of an MLP VAE: forward 2·B·Σ(in·out), backward twice that (minus dX of the first layer). */
export function mlpVaeFlopsPerStep(vae: VAE, batch: number): number {
  let macs = 0;
  let firstLayerMacs = 0;
  for (const [name, v] of vae.namedParameters()) {
    if (v.rank === 2 && name.endsWith('kernel') && !name.includes('labelKernel')) {
      macs += v.shape[0]! * v.shape[1]!;
      if (name.startsWith('net.enc0.')) firstLayerMacs = v.shape[0]! * v.shape[1]!;
    }
  }
  return 2 * batch * (3 * macs - firstLayerMacs);
}

/** Test loss per image, pytorch/examples' protocol: Σ BCE + KL with one posterior sample. */
async function testLoss(vae: VAE, x: tf.Tensor): Promise<number> {
  const scores = await scoreInBatches(vae, x, { method: 'negElbo', samples: 1, seed: 1, batchSize: 1000 });
  return scores.reduce((a, b) => a + b, 0) / scores.length;
}

/** Images per second that `sample` produces (64 at a time), for the advise evidence. */
async function samplesPerSecond(vae: VAE): Promise<number> {
  const t0 = performance.now();
  let n = 0;
  while (performance.now() - t0 < 1000) {
    const x = vae.sample(64, { seed: 1 + n });
    await x.data();
    x.dispose();
    n += 64;
  }
  return n / ((performance.now() - t0) / 1000);
}

/** Runs the VAE benchmark and returns (and writes) its report. */
export async function vaeBench(opts: VaeBenchOptions = {}): Promise<Record<string, unknown>> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const outDir = opts.outDir ?? 'bench-out';
  const seed = opts.seed ?? 1;
  const epochs = opts.epochs ?? RECIPE_EPOCHS;
  await mkdir(outDir, { recursive: true });
  const info = await initBackend('wasm');
  const matmulBefore = await matmulRate(512, 512, 512);
  const matmulVaeShape = await matmulRate(128, 784, 400);
  log(`backend ${info.backend}; wasm matmul ${matmulBefore.toFixed(1)} GFLOP/s (512³), ${matmulVaeShape.toFixed(1)} GFLOP/s (128×784×400)`);

  const trainSet = await loadMnist({ split: 'train' });
  const testSet = await loadMnist({ split: 'test' });
  const xTest = tf.tensor4d(testSet.images, [...testSet.shape]);

  // ---- small: speed and test loss per epoch ------------------------------------------------------
  const lr = opts.lr ?? 1e-3;
  const batchSize = opts.batchSize ?? 128;
  const scheduleName = opts.schedule ?? 'constant';
  const vae = createVAE(resolveVAEConfig({}, 'small'), seed);
  const data = imageBatches(trainSet, { batchSize, seed });
  const flopsPerEpoch = mlpVaeFlopsPerStep(vae, batchSize) * data.batchesPerEpoch;
  const totalSteps = epochs * data.batchesPerEpoch;
  const schedule: ScheduleConfig =
    scheduleName === 'cosine'
      ? { type: 'warmup-cosine', lr, warmupSteps: Math.round(0.02 * totalSteps), decaySteps: totalSteps, minLr: lr / 10 }
      : { type: 'constant', lr };
  const epochRows: Array<Record<string, number>> = [];
  let epochStart = performance.now();
  const perEpoch: Callback = {
    onStepEnd: async (e) => {
      if (e.step % data.batchesPerEpoch !== 0) return;
      const seconds = (performance.now() - epochStart) / 1000;
      const loss = await testLoss(vae, xTest);
      const row = { epoch: e.step / data.batchesPerEpoch, seconds, examplesPerSecond: trainSet.shape[0] / seconds, gflops: flopsPerEpoch / seconds / 1e9, trainLoss: e.losses.loss!, testLoss: loss };
      epochRows.push(row);
      log(`epoch ${row.epoch}: ${seconds.toFixed(1)} s (${row.examplesPerSecond.toFixed(0)} ex/s, ${row.gflops.toFixed(2)} GFLOP/s), train ${row.trainLoss.toFixed(2)}, test ${loss.toFixed(2)}`);
      epochStart = performance.now();
    },
  };
  await train(vae, data, { epochs, optimizer: { type: 'adam', lr }, schedule, seed, callbacks: [perEpoch] });
  const matmulAfter = await matmulRate(512, 512, 512);
  const secs = epochRows.map((r) => r.seconds!).sort((a, b) => a - b);
  const medianSeconds = secs[Math.floor(secs.length / 2)]!;
  const matmulRef = (matmulBefore + matmulAfter) / 2;
  const speed = {
    secondsPerEpochMedian: medianSeconds,
    examplesPerSecond: trainSet.shape[0] / medianSeconds,
    gflopsAchieved: flopsPerEpoch / medianSeconds / 1e9,
    gflopPerEpoch: flopsPerEpoch / 1e9,
    matmulGflops: { before: matmulBefore, after: matmulAfter, vaeShape: matmulVaeShape },
    fractionOfMatmulRate: flopsPerEpoch / medianSeconds / 1e9 / matmulRef,
    secondsPerEpochAtMatmulRate: flopsPerEpoch / 1e9 / matmulRef,
  };
  log(`speed: ${medianSeconds.toFixed(1)} s/epoch median, ${speed.gflopsAchieved.toFixed(2)} GFLOP/s = ${(100 * speed.fractionOfMatmulRate).toFixed(0)}% of the matmul rate ${matmulRef.toFixed(1)}`);

  // ---- images: a sample grid and interpolation strips ---------------------------------------------
  const samples = vae.sample(64, { seed: 7 });
  await writeFile(`${outDir}/vae-samples.png`, greyGridPng(await samples.data(), 64, 28, 28, 8));
  samples.dispose();
  const strip = tf.tidy(() => {
    const rows: tf.Tensor[] = [];
    for (const [a, b] of [
      [0, 1],
      [2, 3],
      [4, 5],
      [6, 7],
    ] as const) {
      rows.push(vae.interpolate(xTest.slice([a], [1]), xTest.slice([b], [1]), 10, { method: 'spherical' }));
    }
    return tf.concat(rows);
  });
  await writeFile(`${outDir}/vae-interpolation.png`, greyGridPng(await strip.data(), 40, 28, 28, 10));
  strip.dispose();

  // ---- IS-NLL ----------------------------------------------------------------------------------------
  const isSamples = opts.isSamples ?? 1000;
  const isExamples = Math.min(opts.isExamples ?? 1000, testSet.shape[0]);
  const xIs = xTest.slice([0], [isExamples]);
  const nllOf = async (m: VAE) => {
    const s = await scoreInBatches(m, xIs, { method: 'nll', samples: isSamples, batchSize: 50 });
    return s.reduce((a, b) => a + b, 0) / s.length;
  };
  const likelihood: Record<string, number> = { importanceSamples: isSamples, examples: isExamples };
  if (isSamples > 0) {
    likelihood.smallIsNll = await nllOf(vae);
    log(`small IS-NLL (K=${isSamples}, ${isExamples} test images): ${likelihood.smallIsNll.toFixed(2)} nats`);
  }
  if ((opts.baseEpochs ?? 0) > 0) {
    const base = createVAE(resolveVAEConfig({}, 'base'), seed);
    await train(base, imageBatches(trainSet, { batchSize: 128, seed }), { epochs: opts.baseEpochs!, optimizer: { type: 'adam', lr: 1e-3 }, seed });
    likelihood.baseEpochs = opts.baseEpochs!;
    likelihood.baseIsNll = await nllOf(base);
    likelihood.baseTestLoss = await testLoss(base, xTest);
    log(`base IS-NLL after ${opts.baseEpochs} epochs: ${likelihood.baseIsNll.toFixed(2)} nats (pythae ${ANCHORS.pythaeIsNll})`);
    base.dispose();
  }
  xIs.dispose();
  const sampleRate = await samplesPerSecond(vae); // before the model is freed
  vae.dispose();

  // ---- one-class MNIST -------------------------------------------------------------------------------
  const oneClassEpochs = opts.oneClassEpochs ?? 10;
  const digits = opts.digits ?? [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const oneClass: Array<{ digit: number; auroc: number; aurocNegElbo: number; complexitySlope: number; seconds: number }> = [];
  if (oneClassEpochs > 0) {
    const testBits = await complexityBits(xTest);
    for (const digit of digits) {
      const t0 = performance.now();
      const rows = Array.from(trainSet.labels!.keys()).filter((i) => trainSet.labels![i] === digit);
      const own: ImageSet = selectImages(trainSet, rows);
      const model = createVAE(resolveVAEConfig({}, 'small'), seed + digit);
      await train(model, imageBatches(own, { batchSize: 128, seed }), { epochs: oneClassEpochs, optimizer: { type: 'adam', lr: 1e-3 }, seed });
      const xOwn = tf.tensor4d(own.images, [...own.shape]);
      const slope = (await model.calibrateThreshold(xOwn, { complexity: true, samples: 4, batchSize: 1000 })).calibration.complexitySlope!;
      xOwn.dispose();
      const scores = await scoreInBatches(model, xTest, { method: 'negElbo', samples: 4, batchSize: 1000 });
      const labels = Int32Array.from(testSet.labels!, (l) => (l === digit ? 0 : 1));
      const raw = auroc(scores, labels);
      const corrected = auroc(removeComplexity(scores, testBits, slope), labels);
      oneClass.push({ digit, auroc: 100 * corrected, aurocNegElbo: 100 * raw, complexitySlope: slope, seconds: (performance.now() - t0) / 1000 });
      log(`one-class digit ${digit}: AUROC ${(100 * corrected).toFixed(2)} with the complexity correction, ${(100 * raw).toFixed(2)} by −ELBO alone (${oneClass.at(-1)!.seconds.toFixed(0)} s)`);
      model.dispose();
    }
  }
  const meanOf = (key: 'auroc' | 'aurocNegElbo'): number => (oneClass.length ? oneClass.reduce((a, r) => a + r[key], 0) / oneClass.length : NaN);
  const meanAuroc = meanOf('auroc');

  // ---- sensor network ----------------------------------------------------------------------------------
  const sTrain = await loadSensor({ split: 'train' });
  const sTest = await loadSensor({ split: 'test' });
  const normal = selectRows(sTrain, Array.from(sTrain.labels.keys()).filter((i) => sTrain.labels[i] === 0));
  const st = fitStandardizer(normal.features, 2);
  const sensorVae = createVAE({ inputShape: [2], hiddenDims: [64], latentDim: 1, likelihood: 'gaussian', gaussianVariance: 'learned' }, seed);
  await train(sensorVae, tabularBatches({ ...normal, features: standardize(normal.features, st) }, { batchSize: 128, seed }), { epochs: 10, optimizer: { type: 'adam', lr: 3e-3 }, seed });
  const xs = tf.tensor2d(standardize(sTest.features, st), [sTest.shape[0], 2]);
  const sensor = anomalyRanking(await scoreInBatches(sensorVae, xs, { method: 'negElbo', samples: 8 }), sTest.labels);
  log(`sensor network: AUROC ${sensor.auroc.toFixed(4)}, AP ${sensor.averagePrecision.toFixed(4)} (trained on normal readings, 10 epochs)`);
  tf.dispose([xs, xTest]);
  sensorVae.dispose();

  const report = {
    suite: 'vae',
    backend: info.backend,
    date: new Date().toISOString(),
    conditions: { epochs, batchSize, optimizer: `adam ${lr}`, schedule: scheduleName, seed, oneClassEpochs, digits },
    anchors: ANCHORS,
    speed,
    epochs: epochRows,
    quality: {
      testLossAtEpoch7: epochRows[6]?.testLoss ?? null,
      testLossFinal: epochRows.at(-1)?.testLoss ?? null,
      ...likelihood,
      oneClassMeanAuroc: meanAuroc,
      oneClassMeanAurocNegElbo: meanOf('aurocNegElbo'),
      oneClass,
      sensor,
    },
    images: [`${outDir}/vae-samples.png`, `${outDir}/vae-interpolation.png`],
    // What `genloom advise` reads: the small preset's training time for its 10-epoch recipe, its test
    // loss when this run followed that recipe (a shorter run's loss would misreport it), sampling speed.
    evidence: {
      vae: {
        small: {
          trainMinutes: (medianSeconds * RECIPE_EPOCHS) / 60,
          ...(epochs === RECIPE_EPOCHS && epochRows.length ? { quality: { metric: 'testLoss', value: Number(epochRows.at(-1)!.testLoss!.toFixed(2)), lowerIsBetter: true } } : {}),
          samplesPerSecond: sampleRate,
          data: 'mnist',
        },
      },
    },
  };
  await writeFile(`${outDir}/vae.json`, JSON.stringify(report, null, 2));
  return report;
}

function flag(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

/** Entry point for the bench's suite map: parses `--epochs`, `--lr`, `--batch`, `--schedule`, `--one-class-epochs`, `--digits`, `--base-epochs`, `--is-samples`, `--is-examples`, `--seed`, `--out`. */
export async function runVaeBench(argv: string[]): Promise<Record<string, unknown>> {
  const num = (name: string) => (flag(argv, name) === undefined ? undefined : Number(flag(argv, name)));
  const digits = flag(argv, '--digits')?.split(',').map(Number);
  const o: VaeBenchOptions = {};
  const set = <K extends keyof VaeBenchOptions>(k: K, v: VaeBenchOptions[K] | undefined) => {
    if (v !== undefined) o[k] = v;
  };
  set('epochs', num('--epochs'));
  set('lr', num('--lr'));
  set('batchSize', num('--batch'));
  const schedule = flag(argv, '--schedule');
  if (schedule !== undefined && schedule !== 'constant' && schedule !== 'cosine') throw new Error(`--schedule must be constant or cosine, got "${schedule}"`);
  set('schedule', schedule);
  set('oneClassEpochs', num('--one-class-epochs'));
  set('digits', digits);
  set('baseEpochs', num('--base-epochs'));
  set('isSamples', num('--is-samples'));
  set('isExamples', num('--is-examples'));
  set('seed', num('--seed'));
  set('outDir', flag(argv, '--out'));
  return vaeBench(o);
}

// Run directly: `tsx --conditions=@genloom/source apps/bench/src/vae-bench.ts --epochs 2`.
if (import.meta.url === `file://${process.argv[1]}`) {
  runVaeBench(process.argv.slice(2)).then(
    () => process.exit(0),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}

/** AUROC and average precision of anomaly scores against 0/1 labels (1 = anomaly), from @genloom/eval. */
function anomalyRanking(scores: ArrayLike<number>, labels: ArrayLike<number>): { auroc: number; averagePrecision: number } {
  return { auroc: auroc(scores, labels), averagePrecision: averagePrecision(scores, labels) };
}

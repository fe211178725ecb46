/**
 * `pnpm bench diffusion [--minutes M] [--steps N] [--batch B] [--fid-n N] [--quick]`: trains the
 * `small` prompt-conditioned diffusion model on MNIST for a fixed budget on wasm, then measures
 *
 * - speed: training step time and achieved GFLOP/s beside the wasm matmul and conv2d rates measured
 *   in the same run; images/s of DDIM with 50 steps (plain and with guidance);
 * - quality with @genloom/eval's MNIST classifier: classifier-FID and IS for DDIM 20/50/250 and DDPM
 *   (250 steps) without guidance and for DDIM 20/50 at guidance 1.5 and 2, the real-vs-real floor
 *   and genloom's best GAN (the demo ACGAN, `--gan DIR`) at the same sample count against the same
 *   real statistics, and the share of guided samples
 *   (guidance 3, prompt "a handwritten <digit>") that the classifier reads as the requested digit,
 *   plus the same for other prompt wordings (numerals, stroke adjectives, an unknown word);
 * - images: a grid with one row per digit, and the denoising film of four samples.
 *
 * Anchors: the issue's targets (guided accuracy ≥ 95 %; FID below genloom's best GAN, compared at
 * equal n because FID's bias grows as n shrinks).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { initBackend, loadCheckpoint, train, type Callback } from '@genloom/core';
import { directoryCheckpointStore } from '@genloom/core/node';
import { loadMnist } from '@genloom/datasets';
import { captionedBatches, createDiffusion, DIGIT_WORDS, resolveDiffusionConfig, unetFlops, type DiffusionModel, type GenerateOptions } from '@genloom/diffusion';
import { conditionalAccuracy, fid, inceptionScore, momentsOf, type ImageClassifier } from '@genloom/eval';
import { toUnitRange, type GAN } from '@genloom/gan';
import { loadOrTrainClassifier } from '@genloom/eval/node';
import { greyGridPng } from './png-grid.js';
import { trainingLineage } from './lineage.js';
import { medianMs } from './rates.js';

/** Options of {@link runDiffusionBench} (parsed from the suite's arguments). */
export interface DiffusionBenchOptions {
  outDir: string;
  /** Wall-clock training budget in minutes (default 30); training stops at this or at `steps`. */
  minutes?: number;
  /** Training steps (default 4000; the budget usually stops it first on a loaded machine). */
  steps?: number;
  batchSize?: number;
  /** Samples per FID for DDIM 20 and 50 and for the guided accuracy (default 400); DDIM 250 and DDPM use a quarter, each prompt wording a quarter. */
  fidN?: number;
  quick?: boolean;
  seed?: number;
  /** Skip training and measure a checkpoint directory written by an earlier run (its `diffusion-model/`). */
  from?: string;
  /** The GAN checkpoint FID is compared with at the same n (default the demo ACGAN, apps/web/checkpoints/gan-acgan-mnist, when present). */
  gan?: string;
  log?: (line: string) => void;
}

/** The demo ACGAN, genloom's best GAN on MNIST (classifier-FID 51.5 at n = 5,000 in the gan bench). */
const DEMO_GAN = fileURLToPath(new URL('../../web/checkpoints/gan-acgan-mnist', import.meta.url));

function parseArgs(args: string[]): Partial<DiffusionBenchOptions> {
  const out: Partial<DiffusionBenchOptions> = {};
  for (let i = 0; i < args.length; i++) {
    const key = args[i]!;
    const value = Number(args[i + 1]);
    const set = (field: 'minutes' | 'steps' | 'batchSize' | 'fidN' | 'seed') => {
      if (!Number.isFinite(value) || value < 0) throw new Error(`${key} needs a number >= 0, got ${args[i + 1]}`);
      out[field] = value;
      i++;
    };
    if (key === '--minutes') set('minutes');
    else if (key === '--steps') set('steps');
    else if (key === '--batch') set('batchSize');
    else if (key === '--fid-n') set('fidN');
    else if (key === '--seed') set('seed');
    else if (key === '--from') out.from = args[++i]!;
    else if (key === '--gan') out.gan = args[++i]!;
    else throw new Error(`diffusion bench: unknown argument ${key}; expected --minutes, --steps, --batch, --fid-n, --seed, --from DIR or --gan DIR`);
  }
  return out;
}

/** GFLOP/s of a 1024³ matmul and of a 3×3 conv2d (forward and filter gradient) at the small U-Net's widest level. */
async function wasmRates(): Promise<{ matmul: number; conv: number; convBackpropFilter: number }> {
  const a = tf.randomNormal([1024, 1024], 0, 1, 'float32', 1) as tf.Tensor2D;
  const b = tf.randomNormal([1024, 1024], 0, 1, 'float32', 2) as tf.Tensor2D;
  const mm = (1 / 1000) * await medianMs(async () => {
    const c = tf.matMul(a, b);
    await c.data();
    c.dispose();
  }, 3);
  const x = tf.randomNormal([32, 14, 14, 64], 0, 1, 'float32', 3) as tf.Tensor4D;
  const w = tf.randomNormal([3, 3, 64, 64], 0, 0.1, 'float32', 4) as tf.Tensor4D;
  const cv = (1 / 1000) * await medianMs(async () => {
    const y = tf.conv2d(x, w, 1, 'same');
    await y.data();
    y.dispose();
  }, 3);
  const dy = tf.randomNormal([32, 14, 14, 64], 0, 1, 'float32', 5) as tf.Tensor4D;
  const bf = (1 / 1000) * await medianMs(async () => {
    const g = tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: [1, 1], pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 64, 64] }) as tf.Tensor;
    await g.data();
    g.dispose();
  }, 3);
  tf.dispose([a, b, x, w, dy]);
  const convFlops = 2 * 32 * 14 * 14 * 9 * 64 * 64;
  return { matmul: (2 * 1024 ** 3) / mm / 1e9, conv: convFlops / cv / 1e9, convBackpropFilter: convFlops / bf / 1e9 };
}

/** Grey 28×28 images (values in [0, 1]) laid out rows × cols with a 2-pixel gap, scaled ×2. */
function gridPng(cells: Float32Array[], rows: number, cols: number): Uint8Array {
  const pixels = new Float32Array(cells.length * 784);
  cells.forEach((img, i) => pixels.set(img, i * 784));
  return greyGridPng(pixels, Math.min(cells.length, rows * cols), 28, 28, cols);
}

/** Images of a [N, 28, 28, 1] tensor as one array per image. */
async function cellsOf(x: tf.Tensor): Promise<Float32Array[]> {
  const v = (await x.data()) as Float32Array;
  return Array.from({ length: x.shape[0]! }, (_, i) => v.slice(i * 784, (i + 1) * 784));
}

/** Classifier scores of generated images: FID against the real moments, IS, and accuracy on requested labels. */
async function score(clf: ImageClassifier, realMoments: Awaited<ReturnType<typeof momentsOf>>, images: tf.Tensor4D, labels: number[]) {
  const { features, probs } = clf.featuresAndProba(images);
  try {
    return {
      fid: await fid(realMoments, features),
      inceptionScore: (await inceptionScore(probs, { splits: Math.min(10, labels.length) })).mean,
      accuracy: await conditionalAccuracy(probs, labels),
    };
  } finally {
    tf.dispose([features, probs]);
  }
}

/**
 * Runs the diffusion benchmark and writes `diffusion.json`, `diffusion.md`, `diffusion-grid.png`
 * and `diffusion-film.png` to the output folder; the trained model goes to `diffusion-model/`.
 *
 * @example
 * ```ts
 * const r = await runDiffusionBench({ outDir: 'bench-out', minutes: 30 });
 * r.quality.guided.accuracy; // ≥ 0.95 is the target
 * ```
 */
export async function runDiffusionBench(opts: DiffusionBenchOptions): Promise<Record<string, unknown>> {
  const log = opts.log ?? ((line: string) => console.error(line));
  const quick = opts.quick ?? false;
  const minutes = opts.minutes ?? (quick ? 0.5 : 30);
  const maxSteps = opts.steps ?? (quick ? 20 : 4000);
  const batchSize = opts.batchSize ?? 32;
  const fidN = opts.fidN ?? (quick ? 20 : 400);
  const seed = opts.seed ?? 1;
  await mkdir(opts.outDir, { recursive: true });
  await initBackend('wasm');
  const rates = await wasmRates();
  log(`wasm: matmul ${rates.matmul.toFixed(1)} GFLOP/s, conv2d ${rates.conv.toFixed(1)}, conv2d filter gradient ${rates.convBackpropFilter.toFixed(1)}`);

  const mnist = await loadMnist({ split: 'train' });
  const test = await loadMnist({ split: 'test' });
  const loaded = opts.from ? await loadCheckpoint<DiffusionModel>(directoryCheckpointStore(opts.from).reader, { family: 'diffusion' }) : null;
  const model = loaded ? loaded.model : createDiffusion(resolveDiffusionConfig({}, 'small'), seed);
  const lineage = opts.from ? await trainingLineage(opts.from) : null;
  const flops = unetFlops(model.config);
  log(`small: ${model.parameterCount()} parameters, ${(flops / 1e6).toFixed(1)} MFLOP per image per U-Net call`);

  // Training: warm-up then cosine decay over the step budget; EMA weights for sampling.
  const data = captionedBatches(mnist, { batchSize, seed, config: model.config });
  const abort = new AbortController();
  const deadline = performance.now() + minutes * 60_000;
  const stepTimes: number[] = [];
  let last = 0;
  const progress: Callback = {
    onStepEnd: (e) => {
      stepTimes.push(e.seconds - last);
      last = e.seconds;
      if (e.step % 50 === 0) log(`step ${e.step}: loss ${e.losses.loss!.toFixed(4)} (${e.stepsPerSecond.toFixed(2)} steps/s)`);
      if (performance.now() > deadline) abort.abort();
    },
  };
  const warmup = Math.min(100, Math.floor(maxSteps / 10));
  const result = await train(model, data, {
    steps: opts.from ? 0 : maxSteps,
    optimizer: { type: 'adam', lr: 2e-3 },
    schedule: { type: 'warmup-cosine', lr: 2e-3, warmupSteps: warmup, decaySteps: maxSteps, minLr: 2e-4 },
    clipNorm: 1,
    ema: { decay: 0.995 },
    seed,
    signal: abort.signal,
    callbacks: [progress],
    ...(opts.from ? {} : { checkpoint: { writer: directoryCheckpointStore(join(opts.outDir, 'diffusion-model')).writer, provenance: { data: 'mnist', command: 'pnpm bench diffusion' } } }),
  });
  const sorted = [...stepTimes.slice(1)].sort((a, b) => a - b);
  const stepSeconds = sorted[Math.floor(sorted.length / 2)] ?? NaN;
  const trainGflops = (3 * flops * batchSize) / stepSeconds / 1e9;
  const lastLosses = result.history.slice(-50).map((h) => h.losses.loss!);
  const finalLoss = lastLosses.length ? lastLosses.reduce((a, b) => a + b, 0) / lastLosses.length : NaN;
  log(`trained ${result.steps} steps in ${(result.seconds / 60).toFixed(1)} min; median step ${stepSeconds.toFixed(2)} s (${trainGflops.toFixed(2)} GFLOP/s); loss ${finalLoss.toFixed(4)}`);

  // Sampling speed: DDIM 50 steps, with and without guidance (guidance doubles the U-Net batch).
  const speedN = quick ? 4 : 32;
  const timeGenerate = async (o: GenerateOptions) => {
    const t0 = performance.now();
    const x = await model.generate({ n: speedN, steps: 50, sampler: 'ddim', seed: 99, batchSize: speedN, ...o });
    x.dispose();
    return speedN / ((performance.now() - t0) / 1000);
  };
  const imagesPerSecond = { unguided: await timeGenerate({}), guided: await timeGenerate({ label: 3, guidanceScale: 3 }) };
  log(`DDIM 50 steps: ${imagesPerSecond.unguided.toFixed(2)} images/s (unguided), ${imagesPerSecond.guided.toFixed(2)} images/s (guidance 3)`);

  // Quality with the eval classifier.
  const clf = await loadOrTrainClassifier({ name: 'mnist', train: () => ({ train: mnist, test }), log });
  const realAll = tf.tensor4d(test.images, [...test.shape]);
  const realFeatures = clf.model.features(realAll);
  const realMoments = await momentsOf(realFeatures);
  realFeatures.dispose();
  // The floor: fidN real training images scored as if generated.
  const floorImages = tf.tensor4d(mnist.images.subarray(0, fidN * 784), [fidN, 28, 28, 1]);
  const floor = await score(clf.model, realMoments, floorImages, Array.from(mnist.labels!.subarray(0, fidN)));
  floorImages.dispose();
  realAll.dispose();
  log(`real floor (n=${fidN}): FID ${floor.fid.toFixed(3)}, IS ${floor.inceptionScore.toFixed(2)}`);

  // Class-balanced label-conditioned samples: without guidance (s = 1), then at the guidance scales
  // that trade a little diversity for cleaner digits (FID is lowest near 1.5 for this model; 3 is
  // sharper still but less varied, see the guided row).
  const samplers: Array<{ name: string; sampler: 'ddim' | 'ddpm'; steps: number; n: number; guidance: number }> = [
    { name: 'ddim-20', sampler: 'ddim', steps: 20, n: fidN, guidance: 1 },
    { name: 'ddim-50', sampler: 'ddim', steps: 50, n: fidN, guidance: 1 },
    { name: 'ddim-250', sampler: 'ddim', steps: quick ? 25 : 250, n: Math.max(10, Math.round(fidN / 4)), guidance: 1 },
    { name: 'ddpm-250', sampler: 'ddpm', steps: quick ? 25 : 250, n: Math.max(10, Math.round(fidN / 4)), guidance: 1 },
    { name: 'ddim-20 s=1.5', sampler: 'ddim', steps: 20, n: fidN, guidance: 1.5 },
    { name: 'ddim-20 s=2', sampler: 'ddim', steps: 20, n: fidN, guidance: 2 },
    { name: 'ddim-50 s=1.5', sampler: 'ddim', steps: 50, n: fidN, guidance: 1.5 },
  ];
  const quality: Record<string, { fid: number; inceptionScore: number; accuracy: number; n: number; steps: number; guidance: number; seconds: number }> = {};
  for (const s of samplers) {
    const labels = Array.from({ length: s.n }, (_, i) => i % 10);
    const t0 = performance.now();
    const x = await model.generate({ n: s.n, label: labels, guidanceScale: s.guidance, steps: s.steps, sampler: s.sampler, seed: 7 });
    const seconds = (performance.now() - t0) / 1000;
    const r = await score(clf.model, realMoments, x, labels);
    x.dispose();
    quality[s.name] = { ...r, n: s.n, steps: s.steps, guidance: s.guidance, seconds };
    log(`${s.name} (n=${s.n}, guidance ${s.guidance}): FID ${r.fid.toFixed(3)}, IS ${r.inceptionScore.toFixed(2)}, accuracy ${(100 * r.accuracy).toFixed(1)}% [${seconds.toFixed(0)} s]`);
  }

  // genloom's best GAN, scored here at the same n against the same real statistics.
  const ganDir = opts.gan ?? (existsSync(DEMO_GAN) ? DEMO_GAN : undefined);
  let gan: { dir: string; fid: number; inceptionScore: number; accuracy: number; n: number } | undefined;
  if (ganDir) {
    const g = (await loadCheckpoint<GAN>(directoryCheckpointStore(ganDir).reader, { family: 'gan' })).model;
    const k = g.config.numClasses;
    const labels = Array.from({ length: fidN }, (_, i) => i % Math.max(k, 10));
    const x = tf.tidy(() => toUnitRange(g.generate(fidN, { seed: 7, ...(k > 0 ? { labels } : {}) })) as tf.Tensor4D);
    gan = { dir: ganDir, ...(await score(clf.model, realMoments, x, labels)), n: fidN };
    x.dispose();
    g.dispose();
    log(`GAN ${ganDir} (n=${fidN}): FID ${gan.fid.toFixed(3)}, IS ${gan.inceptionScore.toFixed(2)}`);
  }
  const bestName = samplers.filter((s) => s.n === fidN).reduce((a, b) => (quality[b.name]!.fid < quality[a.name]!.fid ? b : a)).name;
  const fidTarget = gan ? { best: bestName, fid: quality[bestName]!.fid, gan: gan.fid, n: fidN, met: quality[bestName]!.fid < gan.fid } : undefined;

  // Guided accuracy at guidance 3 with the canonical prompt, and the per-digit grid from the same samples.
  const guidedN = Math.max(20, Math.round(fidN / 10) * 10);
  const guidedLabels = Array.from({ length: guidedN }, (_, i) => i % 10);
  const guidedImages = await model.generate({ n: guidedN, prompt: guidedLabels.map((l) => `a handwritten ${DIGIT_WORDS[l]}`), guidanceScale: 3, steps: 50, sampler: 'ddim', seed: 11 });
  const guided = { ...(await score(clf.model, realMoments, guidedImages, guidedLabels)), n: guidedN, steps: 50, guidanceScale: 3 };
  log(`guided (guidance 3, "a handwritten <digit>", n=${guidedN}): accuracy ${(100 * guided.accuracy).toFixed(1)}%, FID ${guided.fid.toFixed(3)}`);
  const cells = await cellsOf(guidedImages);
  guidedImages.dispose();
  const perRow = Math.min(10, Math.floor(guidedN / 10));
  const gridCells = Array.from({ length: 10 }, (_, d) => Array.from({ length: perRow }, (_, k) => cells[k * 10 + d]!)).flat();
  await writeFile(join(opts.outDir, 'diffusion-grid.png'), gridPng(gridCells, 10, perRow));

  // Other wordings, including an unknown word, at guidance 3 and DDIM 20.
  const wordings: Record<string, (d: number) => string> = {
    numeral: (d) => `the digit ${d}`,
    thin: (d) => `a thin ${d}`,
    bold: (d) => `a bold ${DIGIT_WORDS[d]}`,
    unknownWord: (d) => `a glittering ${DIGIT_WORDS[d]}`,
  };
  const promptAccuracy: Record<string, number> = {};
  const perWording = Math.max(10, Math.round(fidN / 40) * 10);
  for (const [name, make] of Object.entries(wordings)) {
    const labels = Array.from({ length: perWording }, (_, i) => i % 10);
    const x = await model.generate({ n: perWording, prompt: labels.map(make), guidanceScale: 3, steps: 20, seed: 13 });
    const { probs, features } = clf.model.featuresAndProba(x);
    promptAccuracy[name] = await conditionalAccuracy(probs, labels);
    tf.dispose([x, probs, features]);
    log(`prompt "${make(7)}"…: accuracy ${(100 * promptAccuracy[name]!).toFixed(1)}% (n=${perWording})`);
  }

  // The denoising film: four samples, the current x_t at 10 of the 50 DDIM steps, then the result.
  const frames: Float32Array[][] = [[], [], [], []];
  const filmDigits = [0, 3, 7, 9];
  await model.generate({
    n: 4,
    prompt: filmDigits.map((d) => `a handwritten ${DIGIT_WORDS[d]}`),
    guidanceScale: 3,
    steps: 50,
    seed: 21,
    onStep: async ({ step, images }) => {
      if (step % 5 !== 0) return;
      const c = await cellsOf(images);
      c.forEach((img, i) => frames[i]!.push(img));
    },
  }).then((x) => x.dispose());
  await writeFile(join(opts.outDir, 'diffusion-film.png'), gridPng(frames.flat(), 4, frames[0]!.length));

  const report = {
    suite: 'diffusion',
    backend: tf.getBackend(),
    conditions: `wasm (1 thread) in Node ${process.version}; 2 shared cores with other jobs running; rates measured in this run`,
    wasmGflops: rates,
    model: { preset: 'small', parameters: model.parameterCount(), mflopPerImage: flops / 1e6, config: model.config },
    ...(lineage ? { checkpoint: { dir: opts.from, steps: lineage.steps, trainSeconds: lineage.seconds } } : {}),
    training: {
      budgetMinutes: minutes,
      steps: result.steps,
      batchSize,
      minutes: result.seconds / 60,
      stoppedBy: result.stoppedBy,
      medianStepSeconds: stepSeconds,
      gflops: trainGflops,
      ratioToMatmul: trainGflops / rates.matmul,
      ratioToConv: trainGflops / rates.conv,
      finalLoss,
    },
    sampling: { ddim50ImagesPerSecond: imagesPerSecond, inferenceGflops: (imagesPerSecond.unguided * 50 * flops) / 1e9 },
    quality: { floor: { ...floor, n: fidN }, ...quality, guided, promptAccuracy, ...(gan ? { gan } : {}) },
    targets: { guidedAccuracy: 0.95, fidBelowBestGan: fidTarget ?? 'no GAN checkpoint to compare with (--gan DIR)' },
    // What `genloom advise` reads: training minutes of this budget, FID at DDIM 50 with guidance 1.5, sampling speed.
    evidence: {
      diffusion: {
        small: {
          // a checkpoint trained elsewhere: its recorded training time, when the lineage has one
          ...(lineage ? (Number.isFinite(lineage.seconds) ? { trainMinutes: lineage.seconds / 60 } : {}) : { trainMinutes: result.seconds / 60 }),
          quality: { metric: 'fid', value: Number(quality['ddim-50 s=1.5']!.fid.toFixed(3)), lowerIsBetter: true },
          samplesPerSecond: imagesPerSecond.unguided,
          data: 'mnist',
        },
      },
    },
  };
  await writeFile(join(opts.outDir, 'diffusion.json'), JSON.stringify(report, null, 2));
  const md = [
    `# diffusion (small, MNIST, wasm)`,
    '',
    loaded
      ? `Checkpoint ${opts.from}: trained ${lineage!.steps} steps elsewhere, counting the runs it continued (last run: ${loaded.manifest.provenance.command ?? 'command not recorded'}); not trained here (wasm rates in this run: matmul ${rates.matmul.toFixed(1)}, conv2d ${rates.conv.toFixed(1)} GFLOP/s).`
      : `Training: ${result.steps} steps × batch ${batchSize} in ${(result.seconds / 60).toFixed(1)} min (budget ${minutes} min); median step ${stepSeconds.toFixed(2)} s = ${trainGflops.toFixed(2)} GFLOP/s (matmul ${rates.matmul.toFixed(1)}, conv2d ${rates.conv.toFixed(1)}, conv2d filter gradient ${rates.convBackpropFilter.toFixed(1)} GFLOP/s in this run).`,
    `DDIM 50 steps: ${imagesPerSecond.unguided.toFixed(2)} images/s, ${imagesPerSecond.guided.toFixed(2)} with guidance.`,
    '',
    '| sampler | n | FID | IS | accuracy |',
    '|---|---|---|---|---|',
    `| real floor | ${fidN} | ${floor.fid.toFixed(3)} | ${floor.inceptionScore.toFixed(2)} | ${(100 * floor.accuracy).toFixed(1)}% |`,
    ...samplers.map((s) => {
      const q = quality[s.name]!;
      return `| ${s.name} | ${q.n} | ${q.fid.toFixed(3)} | ${q.inceptionScore.toFixed(2)} | ${(100 * q.accuracy).toFixed(1)}% |`;
    }),
    `| guided (prompt, s = 3, DDIM 50) | ${guidedN} | ${guided.fid.toFixed(3)} | ${guided.inceptionScore.toFixed(2)} | ${(100 * guided.accuracy).toFixed(1)}% (target ≥ 95%) |`,
    ...(gan ? [`| GAN: ${gan.dir.split('/').slice(-2).join('/')} | ${gan.n} | ${gan.fid.toFixed(3)} | ${gan.inceptionScore.toFixed(2)} | ${(100 * gan.accuracy).toFixed(1)}% |`] : []),
    '',
    'Sampler rows are conditioned on class labels (balanced over the digits); s is the guidance scale (1 = none).',
    '',
    fidTarget
      ? `FID target (below genloom's best GAN at the same n = ${fidN}): best diffusion row ${fidTarget.best} ${fidTarget.fid.toFixed(3)} vs GAN ${fidTarget.gan.toFixed(3)} → ${fidTarget.met ? 'met' : 'not met'}.`
      : 'FID target: no GAN checkpoint to compare with (pass --gan DIR).',
    '',
    `Prompt wordings (guidance 3, DDIM 20, n=${perWording} each): ${Object.entries(promptAccuracy).map(([k, v]) => `${k} ${(100 * v).toFixed(1)}%`).join(', ')}.`,
  ].join('\n');
  await writeFile(join(opts.outDir, 'diffusion.md'), md + '\n');
  log(md);
  clf.model.dispose();
  model.dispose();
  return report;
}

/**
 * The suite entry for the bench's registry: `run(options)` with the common options and the suite's arguments.
 *
 * @example
 * ```ts
 * await runDiffusionSuite({ outDir: 'bench-out', quick: true, args: ['--minutes', '1'] });
 * ```
 */
export async function runDiffusionSuite(o: { outDir: string; quick: boolean; args: string[] }): Promise<unknown> {
  return runDiffusionBench({ outDir: o.outDir, quick: o.quick, ...parseArgs(o.args) });
}

/**
 * `pnpm bench eval`: how long the image metrics take on 10k MNIST images, and the real-vs-real
 * floor of every image metric (MNIST test scored against MNIST train with the shipped classifier),
 * the values printed beside every family's numbers.
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@genloom/core';
import { loadMnist } from '@genloom/datasets';
import { classCoverage, classifierAccuracy, classifierTwoSampleTest, conditionalAccuracy, fid, inceptionScore, kid, momentsOf, precisionRecall, type EvalReport } from '@genloom/eval';
import { loadOrTrainClassifier } from '@genloom/eval/node';

/** Options of the eval suite. */
export interface EvalBenchOptions {
  /** Images per side (default 10,000: all of MNIST test against the first 10,000 of train). */
  n?: number;
  /** Also run the classifier two-sample test (default true). */
  twoSample?: boolean;
  log?: (line: string) => void;
}

/** What the eval suite measures. */
export interface EvalBenchResult {
  suite: 'eval';
  backend: string;
  n: number;
  /** Matmul rate of this backend in this run (1024³, GFLOP/s): the yardstick for the timings. */
  matmulGflops: number;
  classifier: { source: string; location: string; testAccuracy: number; parameters: number };
  /** Seconds for each step on n real + n generated images. */
  seconds: { features: number; fid: number; kid: number; precisionRecall: number; inceptionScore: number; twoSample?: number };
  featureImagesPerSecond: number;
  /** The real-vs-real floor: MNIST test as "generated" against MNIST train as real. */
  floor: EvalReport;
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const value = await fn();
  return [value, (performance.now() - t0) / 1000];
}

async function matmulRate(): Promise<number> {
  const n = 1024;
  const a = tf.randomNormal([n, n], 0, 1, 'float32', 1) as tf.Tensor2D;
  const b = tf.randomNormal([n, n], 0, 1, 'float32', 2) as tf.Tensor2D;
  await tf.matMul(a, b).data(); // warm-up
  const reps = 5;
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) {
    const c = tf.matMul(a, b);
    await c.data();
    c.dispose();
  }
  const seconds = (performance.now() - t0) / 1000;
  tf.dispose([a, b]);
  return (2 * n ** 3 * reps) / seconds / 1e9;
}

/**
 * Runs the eval suite.
 *
 * @example
 * ```ts
 * const result = await runEvalBench({ n: 10_000 });
 * console.log(result.floor.fid, result.seconds.fid);
 * ```
 */
export async function runEvalBench(opts: EvalBenchOptions = {}): Promise<EvalBenchResult> {
  const log = opts.log ?? ((line: string) => console.error(line));
  const n = opts.n ?? 10_000;
  await initBackend('wasm');
  const backend = tf.getBackend();
  const matmulGflops = await matmulRate();
  log(`backend ${backend}: matmul 1024³ at ${matmulGflops.toFixed(1)} GFLOP/s`);
  const mnistTrain = await loadMnist({ split: 'train' });
  const mnistTest = await loadMnist({ split: 'test' });
  const clf = await loadOrTrainClassifier({ name: 'mnist', train: () => ({ train: mnistTrain, test: mnistTest }), log });
  const testAccuracy = await classifierAccuracy(clf.model, mnistTest);
  log(`classifier (${clf.source}): test accuracy ${(testAccuracy * 100).toFixed(2)}%`);

  const size = 28 * 28;
  const realImages = tf.tensor4d(mnistTrain.images.subarray(0, n * size), [n, 28, 28, 1]);
  const heldOut = Math.min(n, mnistTest.shape[0]);
  const genImages = tf.tensor4d(mnistTest.images.subarray(0, heldOut * size), [heldOut, 28, 28, 1]);
  const [[real, gen], featureSeconds] = await timed(async () => {
    const r = clf.model.featuresAndProba(realImages);
    const g = clf.model.featuresAndProba(genImages);
    await g.probs.data(); // wait for the work
    return [r, g] as const;
  });
  log(`features of ${n + heldOut} images: ${featureSeconds.toFixed(1)} s`);
  try {
    const [fidValue, fidSeconds] = await timed(async () => fid(await momentsOf(real.features), gen.features));
    log(`FID ${fidValue.toFixed(3)} in ${fidSeconds.toFixed(2)} s`);
    const [kidValue, kidSeconds] = await timed(() => kid(real.features, gen.features, { subsets: 100, subsetSize: 1000 }));
    log(`KID ${kidValue.mean.toExponential(3)} ± ${kidValue.std.toExponential(2)} in ${kidSeconds.toFixed(2)} s`);
    const [pr, prSeconds] = await timed(() => precisionRecall(real.features, gen.features, { k: 3 }));
    log(`precision ${pr.precision.toFixed(4)} recall ${pr.recall.toFixed(4)} in ${prSeconds.toFixed(2)} s`);
    const [is, isSeconds] = await timed(() => inceptionScore(gen.probs, { splits: 10 }));
    const isTrain = await inceptionScore(real.probs, { splits: 10 });
    log(`Inception Score test ${is.mean.toFixed(3)} ± ${is.std.toFixed(3)} (train ${isTrain.mean.toFixed(3)})`);
    const coverage = await classCoverage(gen.probs);
    const accuracy = await conditionalAccuracy(gen.probs, mnistTest.labels!.subarray(0, heldOut));
    const floor: EvalReport = {
      fid: fidValue,
      kid: kidValue.mean,
      kidStd: kidValue.std,
      precision: pr.precision,
      recall: pr.recall,
      inceptionScore: is.mean,
      inceptionScoreStd: is.std,
      classCoverage: coverage.coverage,
      modes: coverage.modes,
      accuracy,
    };
    const seconds: EvalBenchResult['seconds'] = { features: featureSeconds, fid: fidSeconds, kid: kidSeconds, precisionRecall: prSeconds, inceptionScore: isSeconds };
    if (opts.twoSample !== false) {
      const [c2st, c2stSeconds] = await timed(() => classifierTwoSampleTest(real.features, gen.features, { seed: 1 }));
      floor.c2stAccuracy = c2st.accuracy;
      seconds.twoSample = c2stSeconds;
      log(`two-sample test accuracy ${c2st.accuracy.toFixed(4)} (p = ${c2st.pValue.toFixed(3)}) in ${c2stSeconds.toFixed(1)} s`);
    }
    return {
      suite: 'eval',
      backend,
      n,
      matmulGflops,
      classifier: { source: clf.source, location: clf.location, testAccuracy, parameters: clf.model.net.parameterCount() },
      seconds,
      featureImagesPerSecond: (n + heldOut) / featureSeconds,
      floor,
    };
  } finally {
    tf.dispose([realImages, genImages, real.features, real.probs, gen.features, gen.probs]);
    clf.model.dispose();
  }
}

/** The suite as the bench harness registers it. */
export const evalSuite = {
  name: 'eval',
  description: 'FID/KID/precision-recall timing on 10k MNIST images and the real-vs-real floor of every image metric',
  run: runEvalBench,
};

if (import.meta.url === `file://${process.argv[1]}`) {
  const n = Number(process.argv[2] ?? 10_000);
  const result = await runEvalBench({ n });
  console.log(JSON.stringify(result, null, 2));
}

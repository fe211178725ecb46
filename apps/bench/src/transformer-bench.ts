/**
 * `pnpm bench transformer [--corpus PATH] [--iters N] [--lr X]`: nanoGPT's CPU run (`nanogpt-cpu`) on a
 * character corpus — validation loss after 2000 iterations and seconds per iteration — beside the
 * wasm matmul rate measured in the same run, and generation speed with and without the KV cache.
 *
 * Anchors (PyTorch nanoGPT on the same 2-core machine): val loss 1.8857 on Tiny Shakespeare;
 * 0.07 s/iter with OpenBLAS, 0.41 s/iter with the reference BLAS.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { CharTokenizer, initBackend, train, type Callback } from '@genloom/core';
import { loadMobyDick, loadText, textWindows } from '@genloom/datasets';
import { GPT, createGPT, gptTrainOptions, resolveGPTConfig } from '@genloom/transformer';
import * as tf from '@tensorflow/tfjs';
import { matmulRate } from './rates.js';

/** Options of {@link transformerBench}. */
export interface TransformerBenchOptions {
  /** A UTF-8 text file (Tiny Shakespeare); default Moby-Dick. */
  corpus?: string;
  /** Training iterations (default the preset's 2000). */
  iters?: number;
  /** Peak learning rate (default the preset's 1e-3, nanoGPT's); the floor follows at a tenth of it. */
  lr?: number;
  /** Validation batches of the final estimate (default 200, nanoGPT's eval_iters). */
  evalBatches?: number;
  seed?: number;
  /** Where to write transformer.json (default bench-out). */
  outDir?: string;
  log?: (line: string) => void;
}

const ANCHORS = { nanoGPTValLoss: 1.8857, nanoGPTSecondsPerIterOpenBLAS: 0.07, nanoGPTSecondsPerIterRefBLAS: 0.41, target: { valLoss: 1.85, secondsPerIter: 0.4, cacheSpeedup: 5 } };

/** Floating-point operations of one training iteration (forward + backward ≈ 3× forward matmuls). */
export function gptFlopsPerIter(c: { nLayer: number; nEmbd: number; blockSize: number; batchSize: number; vocabSize: number }): number {
  const n = c.batchSize * c.blockSize;
  const C = c.nEmbd;
  const perLayer = 2 * n * C * (3 * C + C + 4 * C + 4 * C) + 2 * 2 * c.batchSize * c.blockSize * c.blockSize * C;
  return 3 * (c.nLayer * perLayer + 2 * n * C * c.vocabSize * 2);
}

async function tokensPerSecond(gpt: GPT, cache: boolean, tokens: number): Promise<number> {
  await gpt.generateIds('\n', { maxTokens: 8, cache, seed: 1 }); // warm-up
  const t0 = performance.now();
  const ids = await gpt.generateIds('\n', { maxTokens: tokens, cache, seed: 1, temperature: 0.8 });
  return ids.length / ((performance.now() - t0) / 1000);
}

/**
 * Runs the benchmark and returns (and writes) its results.
 *
 * @example
 * ```ts
 * const r = await transformerBench({ corpus: '../shared/data/tinyshakespeare.txt' });
 * r.quality.valLoss; // vs 1.8857
 * ```
 */
export async function transformerBench(opts: TransformerBenchOptions = {}): Promise<Record<string, unknown>> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const info = await initBackend('wasm');
  const seed = opts.seed ?? 1337;
  const { train: trainText, val: valText } = opts.corpus ? await loadText(opts.corpus, { valFraction: 0.1 }) : await loadMobyDick();
  const tokenizer = CharTokenizer.fromCorpus(trainText + valText, { specialTokens: {}, onUnknown: 'throw' });
  const config = resolveGPTConfig({ vocabSize: tokenizer.vocabSize, ...(opts.iters ? { maxIters: opts.iters } : {}), ...(opts.lr ? { lr: opts.lr, minLr: opts.lr / 10 } : {}) }, 'nanogpt-cpu');
  const gpt = createGPT(config, { seed, tokenizer });
  const flops = gptFlopsPerIter(config);
  log(`transformer bench: nanogpt-cpu on ${opts.corpus ?? 'moby-dick'} (${tokenizer.vocabSize} chars), ${config.maxIters} iterations, backend ${info.backend}, ${(flops / 1e9).toFixed(2)} GFLOP/iter`);

  const rateBefore = { square1024: await matmulRate(1024, 1024, 1024), mlp768x128x512: await matmulRate(768, 128, 512) };
  log(`wasm matmul GFLOP/s before: 1024³ ${rateBefore.square1024.toFixed(1)}, 768×128×512 ${rateBefore.mlp768x128x512.toFixed(1)}`);

  const data = textWindows(tokenizer.encode(trainText), { blockSize: config.blockSize, batchSize: config.batchSize, seed });
  const valTokens = tokenizer.encode(valText);
  const valData = (batches: number) => textWindows(valTokens, { blockSize: config.blockSize, batchSize: config.batchSize, seed: seed + 1, batchesPerEpoch: batches });
  const progress: Callback = {
    onStepEnd: (e) => {
      if (e.step % 100 === 0 || e.step === 1) log(`step ${e.step}/${e.totalSteps} loss ${e.losses.loss!.toFixed(4)} ${(e.seconds / e.step).toFixed(3)} s/iter`);
    },
  };
  const result = await train(gpt, data, { ...gptTrainOptions(config), seed, callbacks: [progress] });
  const secondsPerIter = result.seconds / result.steps;
  const evalBatches = opts.evalBatches ?? 200;
  const valLoss = await gpt.estimateLoss(valData(evalBatches), evalBatches);
  const trainLoss = await gpt.estimateLoss(textWindows(tokenizer.encode(trainText), { blockSize: config.blockSize, batchSize: config.batchSize, seed: seed + 2, batchesPerEpoch: evalBatches }), evalBatches);
  log(`val loss ${valLoss.toFixed(4)} (nanoGPT 1.8857), train loss ${trainLoss.toFixed(4)}, ${secondsPerIter.toFixed(3)} s/iter`);

  const sample = await gpt.generate('ROMEO:', { maxTokens: 200, temperature: 0.8, seed: 1 });
  const generation: Record<string, number> = {};
  for (const blockSize of [config.blockSize, 256]) {
    const model = blockSize === config.blockSize ? gpt : createGPT({ ...config, blockSize }, { seed, tokenizer });
    const cached = await tokensPerSecond(model, true, 256);
    const uncached = await tokensPerSecond(model, false, 256);
    generation[`block${blockSize}CachedTokensPerSecond`] = cached;
    generation[`block${blockSize}UncachedTokensPerSecond`] = uncached;
    generation[`block${blockSize}CacheSpeedup`] = cached / uncached;
    log(`generation, block ${blockSize}, 256 tokens: ${cached.toFixed(1)} tok/s cached, ${uncached.toFixed(1)} uncached (${(cached / uncached).toFixed(2)}×)`);
    if (model !== gpt) model.dispose();
  }

  const rateAfter = { square1024: await matmulRate(1024, 1024, 1024), mlp768x128x512: await matmulRate(768, 128, 512) };
  const achieved = flops / secondsPerIter / 1e9;
  const meanRate = (rateBefore.mlp768x128x512 + rateAfter.mlp768x128x512) / 2;
  log(`achieved ${achieved.toFixed(2)} GFLOP/s = ${(achieved / meanRate).toFixed(2)} × the 768×128×512 matmul rate (${meanRate.toFixed(1)} GFLOP/s, mean of before/after)`);
  const report = {
    suite: 'transformer',
    date: new Date().toISOString(),
    backend: info.backend,
    corpus: opts.corpus ?? 'moby-dick',
    config,
    quality: { valLoss, trainLoss, evalBatches, iterations: result.steps },
    speed: { secondsPerIter, achievedGflops: achieved, flopsPerIter: flops, matmulRateBefore: rateBefore, matmulRateAfter: rateAfter, ratioToMatmulRate: achieved / meanRate },
    generation,
    anchors: ANCHORS,
    sample,
    lossCurve: result.history.filter((h) => h.step % 100 === 0).map((h) => ({ step: h.step, loss: h.losses.loss })),
    // What `genloom advise` reads: minutes for the preset's 2000 iterations at the measured pace.
    evidence: {
      transformer: {
        'nanogpt-cpu': {
          trainMinutes: (secondsPerIter * 2000) / 60,
          quality: { metric: 'valLoss', value: Number(valLoss.toFixed(4)), lowerIsBetter: true },
          samplesPerSecond: generation[`block${config.blockSize}CachedTokensPerSecond`] ?? 0,
          data: opts.corpus ?? 'moby-dick',
        },
      },
    },
  };
  const outDir = opts.outDir ?? 'bench-out';
  await mkdir(outDir, { recursive: true });
  await writeFile(`${outDir}/transformer.json`, JSON.stringify(report, null, 2));
  gpt.dispose();
  return report;
}

function argValue(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

/** Entry for the bench CLI's suite map: parses `--corpus`, `--iters`, `--lr`, `--eval-batches`, `--seed`, `--out`. */
export async function runTransformerBench(argv: string[]): Promise<Record<string, unknown>> {
  const num = (name: string) => (argValue(argv, name) !== undefined ? Number(argValue(argv, name)) : undefined);
  const iters = num('--iters');
  const lr = num('--lr');
  const evalBatches = num('--eval-batches');
  const seed = num('--seed');
  const corpus = argValue(argv, '--corpus');
  const outDir = argValue(argv, '--out');
  return transformerBench({ ...(corpus ? { corpus } : {}), ...(iters ? { iters } : {}), ...(lr ? { lr } : {}), ...(evalBatches ? { evalBatches } : {}), ...(seed !== undefined ? { seed } : {}), ...(outDir ? { outDir } : {}) });
}

// Runnable on its own until the bench CLI lists it: `tsx --conditions=@genloom/source apps/bench/src/transformer-bench.ts --corpus …`
if (process.argv[1]?.endsWith('transformer-bench.ts')) {
  await runTransformerBench(process.argv.slice(2));
}

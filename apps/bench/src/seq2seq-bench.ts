/**
 * `pnpm bench seq2seq [--preset g2p-small] [--steps N] [--minutes M] [--test-words N] [--beam-words N] [--beam K] [--seed S] [--from DIR]`:
 * grapheme-to-phoneme on CMUdict with the encoder–decoder transformer. Trains on the fixed train
 * split (or loads a checkpoint trained elsewhere, `--from DIR`, counting the runs it continued), then reports word error rate (a word is wrong unless every phoneme is right) and phoneme
 * error rate on held-out words with @genloom/eval's edit-distance rates — greedy on `--test-words`
 * held-out words, beam search on the first `--beam-words` of them — beside the training time, the
 * step rate and the wasm matmul rate measured in the same run.
 *
 * Scored two ways: strictly (stress digits count, only the word's first CMUdict pronunciation is
 * right) and as published CMUdict g2p results are scored (stress ignored, any pronunciation CMUdict
 * lists for the word is right, PER against the closest one).
 *
 * Target (issue 7): WER ≤ 30%, PER ≤ 8% on held-out words.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { initBackend, loadCheckpoint, train, type Callback } from '@genloom/core';
import { directoryCheckpointStore } from '@genloom/core/node';
import { cmudictPronunciations, loadCmudict } from '@genloom/datasets';
import { phonemeErrorRate, pronunciationErrorRates, wordErrorRate } from '@genloom/eval';
import { createSeq2Seq, g2pTokenizers, resolveSeq2SeqConfig, seq2seqTrainOptions, type Seq2Seq, type Seq2SeqConfig } from '@genloom/transformer';
import type { SuiteOptions } from './main.js';
import { matmulRate } from './rates.js';
import { trainingLineage } from './lineage.js';

const TARGET = { wer: 0.3, per: 0.08 };

/** Options of {@link seq2seqBench}. */
export interface Seq2SeqBenchOptions {
  preset?: string;
  overrides?: Partial<Seq2SeqConfig>;
  /** Optimisation steps (default the preset's maxIters); the cosine schedule spans them. */
  steps?: number;
  /** Stop training after this many minutes even if steps remain (default none). */
  minutes?: number;
  /** Held-out words decoded greedily (default all ≈12.6k). */
  testWords?: number;
  /** Held-out words also decoded with beam search (default 2000). */
  beamWords?: number;
  beamSize?: number;
  lengthPenalty?: number;
  seed?: number;
  /** Score this checkpoint instead of training one (the steps of the runs it continued are counted). */
  from?: string;
  outDir?: string;
  log?: (line: string) => void;
}

/** Training FLOPs of one word (forward matmuls × 3), from mean source and target lengths. */
export function seq2seqFlopsPerWord(c: Seq2SeqConfig, srcLen: number, tgtLen: number): number {
  const C = c.nEmbd;
  const enc = c.nEncoderLayer * srcLen * 2 * 12 * C * C + c.nEncoderLayer * 2 * 2 * srcLen * srcLen * C;
  const dec = c.nDecoderLayer * (tgtLen * 2 * 14 * C * C + srcLen * 2 * 2 * C * C + 2 * 2 * tgtLen * (tgtLen + srcLen) * C);
  return 3 * (enc + dec + 2 * tgtLen * C * c.targetVocabSize);
}

/** WER and PER of predictions (space-separated phonemes) against reference phoneme lists. */
function errorRates(references: ReadonlyArray<readonly string[]>, predictions: string[]): { wer: number; per: number } {
  // A pronunciation as one "word" (phonemes joined by '_'): the word error rate is then the share of words not exactly right.
  const wer = wordErrorRate(references.map((r) => r.join('_')), predictions.map((p) => p.split(' ').filter(Boolean).join('_') || '∅')).rate;
  const per = phonemeErrorRate(references.map((r) => [...r]), predictions).rate;
  return { wer, per };
}

async function decodeRates(model: Seq2Seq, pairs: ReadonlyArray<{ source: string; target: readonly string[] }>, beamSize: number, lengthPenalty: number) {
  const t0 = performance.now();
  const predictions = await model.translate(pairs.map((p) => p.source), { beamSize, lengthPenalty, batchSize: 128 });
  const seconds = (performance.now() - t0) / 1000;
  return { ...errorRates(pairs.map((p) => p.target), predictions), words: pairs.length, seconds, wordsPerSecond: pairs.length / seconds, predictions };
}

/**
 * Trains g2p on CMUdict and measures it; writes `seq2seq.json` to the output folder.
 *
 * @example
 * ```ts
 * const r = await seq2seqBench({ steps: 1000, minutes: 30 });
 * r.quality.greedy.wer; // vs the 0.30 target
 * ```
 */
export async function seq2seqBench(opts: Seq2SeqBenchOptions = {}): Promise<Record<string, unknown>> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const info = await initBackend('wasm');
  const seed = opts.seed ?? 1;
  const preset = opts.preset ?? 'g2p-small';
  const [trainSet, testSet, pronunciations] = await Promise.all([loadCmudict({ split: 'train' }), loadCmudict({ split: 'test' }), cmudictPronunciations({ split: 'test' })]);
  /** The published protocol's rates: stress ignored, any listed pronunciation right. */
  const anyPronunciation = (words: ReadonlyArray<{ source: string }>, predictions: string[]) => {
    const r = pronunciationErrorRates(words.map((w) => pronunciations.get(w.source)!), predictions, { ignoreStress: true });
    return { wer: r.wer, per: r.per };
  };
  const tokenizers = g2pTokenizers(trainSet);
  const loaded = opts.from ? (await loadCheckpoint<Seq2Seq>(directoryCheckpointStore(opts.from).reader, { family: 'seq2seq' })).model : null;
  const config = loaded?.config ?? resolveSeq2SeqConfig({ sourceVocabSize: tokenizers.source.vocabSize, targetVocabSize: tokenizers.target.vocabSize, ...opts.overrides }, preset);
  const steps = opts.steps ?? config.maxIters;
  const recipe = { ...config, maxIters: steps, lrDecayIters: steps, warmupIters: Math.min(config.warmupIters, Math.floor(steps / 10)) };
  const model = loaded ?? createSeq2Seq(config, { seed, tokenizers });
  const lineage = opts.from ? await trainingLineage(opts.from) : null;
  if (lineage) log(`checkpoint ${opts.from}: trained ${lineage.steps} steps elsewhere (with the runs it continued); not trained here`);
  const meanLen = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const srcLen = meanLen(trainSet.pairs.map((p) => p.source.length + 1));
  const tgtLen = meanLen(trainSet.pairs.map((p) => p.target.length + 1));
  const flopsPerStep = seq2seqFlopsPerWord(config, srcLen, tgtLen) * config.batchSize;
  log(`seq2seq bench: ${preset} (${model.net.parameterCount()} parameters) on CMUdict, ${trainSet.pairs.length} train / ${testSet.pairs.length} held-out words, ${loaded ? 'no training here' : `${steps} steps of ${config.batchSize}${opts.minutes ? ` or ${opts.minutes} min` : ''}`}, backend ${info.backend}, ${(flopsPerStep / 1e9).toFixed(2)} GFLOP/step`);

  const rateBefore = await matmulRate(640, 128, 512);
  log(`wasm matmul 640×128×512: ${rateBefore.toFixed(1)} GFLOP/s`);
  const controller = new AbortController();
  const timer = opts.minutes ? setTimeout(() => controller.abort(), opts.minutes * 60_000) : undefined;
  const progress: Callback = {
    onStepEnd: (e) => {
      if (e.step % 50 === 0 || e.step === 1) log(`step ${e.step}/${e.totalSteps} loss ${e.losses.loss!.toFixed(4)} ${(e.seconds / e.step).toFixed(3)} s/step`);
    },
  };
  const result = await train(model, model.batches(trainSet.pairs, { seed }), { ...seq2seqTrainOptions(recipe), ...(loaded ? { steps: 0 } : {}), seed, callbacks: [progress], signal: controller.signal });
  if (timer) clearTimeout(timer);
  const secondsPerStep = result.seconds / result.steps;
  const rateAfter = await matmulRate(640, 128, 512);
  const achieved = flopsPerStep / secondsPerStep / 1e9;
  const meanRate = (rateBefore + rateAfter) / 2;
  if (!loaded) log(`trained ${result.steps} steps (${((result.steps * config.batchSize) / trainSet.pairs.length).toFixed(2)} epochs) in ${(result.seconds / 60).toFixed(1)} min, ${secondsPerStep.toFixed(3)} s/step, ${achieved.toFixed(2)} GFLOP/s = ${(achieved / meanRate).toFixed(2)} × the same-run matmul rate (${meanRate.toFixed(1)})`);

  const held = testSet.pairs.slice(0, opts.testWords ?? testSet.pairs.length);
  const testLoss = await model.estimateLoss(model.batches(held, { shuffle: false, batchSize: 256 }));
  const greedy = await decodeRates(model, held, 1, 0);
  log(`held-out (${held.length} words): loss ${testLoss.toFixed(4)}, greedy WER ${(100 * greedy.wer).toFixed(1)}%, PER ${(100 * greedy.per).toFixed(2)}% (${greedy.wordsPerSecond.toFixed(0)} words/s)`);
  const beamSize = opts.beamSize ?? 4;
  const lengthPenalty = opts.lengthPenalty ?? 0.6;
  const beamSet = held.slice(0, opts.beamWords ?? 2000);
  const greedySubset = errorRates(beamSet.map((p) => p.target), greedy.predictions.slice(0, beamSet.length));
  const beam = await decodeRates(model, beamSet, beamSize, lengthPenalty);
  log(`first ${beamSet.length} held-out words: greedy WER ${(100 * greedySubset.wer).toFixed(1)}% PER ${(100 * greedySubset.per).toFixed(2)}%; beam ${beamSize} (α ${lengthPenalty}) WER ${(100 * beam.wer).toFixed(1)}% PER ${(100 * beam.per).toFixed(2)}% (${beam.wordsPerSecond.toFixed(0)} words/s)`);
  const published = {
    greedy: anyPronunciation(held, greedy.predictions),
    beam: anyPronunciation(beamSet, beam.predictions),
    greedyOnBeamWords: anyPronunciation(beamSet, greedy.predictions.slice(0, beamSet.length)),
  };
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  log(`stress ignored, any listed pronunciation right: greedy WER ${pct(published.greedy.wer)} PER ${pct(published.greedy.per)} (${held.length} words); beam ${beamSize} WER ${pct(published.beam.wer)} PER ${pct(published.beam.per)} (first ${beamSet.length}; greedy there ${pct(published.greedyOnBeamWords.wer)} / ${pct(published.greedyOnBeamWords.per)})`);
  const examples = held.slice(0, 12).map((p, i) => ({ word: p.source, reference: p.target.join(' '), greedy: greedy.predictions[i] }));

  const report = {
    suite: 'seq2seq',
    date: new Date().toISOString(),
    backend: info.backend,
    preset,
    config,
    ...(lineage ? { checkpoint: { from: opts.from, stepsElsewhere: lineage.steps, epochsElsewhere: (lineage.steps * model.config.batchSize) / trainSet.pairs.length, secondsElsewhere: lineage.seconds } } : {}),
    // a checkpoint scored here was trained elsewhere: no training or speed numbers of this run
    ...(loaded
      ? {}
      : {
          training: { steps: result.steps, stoppedBy: result.stoppedBy, epochs: (result.steps * config.batchSize) / trainSet.pairs.length, minutes: result.seconds / 60, secondsPerStep, wordsPerSecond: config.batchSize / secondsPerStep },
          speed: { flopsPerStep, achievedGflops: achieved, matmulRateBefore: rateBefore, matmulRateAfter: rateAfter, ratioToMatmulRate: achieved / meanRate },
        }),
    quality: {
      testLoss,
      greedy: { wer: greedy.wer, per: greedy.per, words: greedy.words, wordsPerSecond: greedy.wordsPerSecond },
      beam: { beamSize, lengthPenalty, wer: beam.wer, per: beam.per, words: beam.words, wordsPerSecond: beam.wordsPerSecond, greedyOnSameWords: greedySubset },
      /** Stress ignored, any pronunciation CMUdict lists for the word right (PER to the closest): how published CMUdict g2p results are scored. */
      stressIgnoredAnyPronunciation: published,
    },
    target: TARGET,
    examples,
    lossCurve: result.history.filter((h) => h.step % 50 === 0).map((h) => ({ step: h.step, loss: h.losses.loss })),
  };
  const outDir = opts.outDir ?? 'bench-out';
  await mkdir(outDir, { recursive: true });
  await writeFile(`${outDir}/seq2seq.json`, JSON.stringify(report, null, 2));
  log(`wrote ${outDir}/seq2seq.json`);
  model.dispose();
  return report;
}

function argValue(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

/** Entry of the bench CLI's suite map. `--quick` trains 20 steps and decodes 200 words. */
export async function runSeq2SeqSuite(o: SuiteOptions): Promise<Record<string, unknown>> {
  const num = (name: string) => (argValue(o.args, name) !== undefined ? Number(argValue(o.args, name)) : undefined);
  const overrides: Record<string, unknown> = {};
  for (let i = 0; i < o.args.length; i++) {
    if (o.args[i] !== '--set') continue;
    const [key, value] = (o.args[i + 1] ?? '').split('=');
    overrides[key!] = value === undefined ? undefined : JSON.parse(value);
  }
  const steps = num('--steps') ?? (o.quick ? 20 : undefined);
  const testWords = num('--test-words') ?? (o.quick ? 200 : undefined);
  const beamWords = num('--beam-words') ?? (o.quick ? 100 : undefined);
  const minutes = num('--minutes');
  const beamSize = num('--beam');
  const seed = num('--seed');
  const preset = argValue(o.args, '--preset');
  const from = argValue(o.args, '--from');
  return seq2seqBench({
    ...(from ? { from } : {}),
    outDir: o.outDir,
    overrides: overrides as Partial<Seq2SeqConfig>,
    ...(preset ? { preset } : {}),
    ...(steps !== undefined ? { steps } : {}),
    ...(minutes !== undefined ? { minutes } : {}),
    ...(testWords !== undefined ? { testWords } : {}),
    ...(beamWords !== undefined ? { beamWords } : {}),
    ...(beamSize !== undefined ? { beamSize } : {}),
    ...(seed !== undefined ? { seed } : {}),
  });
}

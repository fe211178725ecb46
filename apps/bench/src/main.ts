/**
 * genloom's benchmark CLI: `pnpm bench <suite> [options]` (from the repo root; runs this file with
 * tsx and the `@genloom/source` condition, so no build is needed).
 *
 * Suites live in a registry, name → run function; add one by writing `xxx-bench.ts` with a
 * `run(options)` and one entry in {@link suites}.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError } from 'commander';
import { runCoreBench } from './core-bench.js';
import { imagesWrittenSince, suiteMarkdown, writeResults, type SuiteRun } from './report.js';

/** Options every suite receives (parsed from the command line). */
export interface SuiteOptions {
  /** Output folder for JSON/Markdown (default `bench-out`, gitignored). */
  outDir: string;
  /** Backends to measure, if the suite compares backends. */
  backends?: string[];
  /** Timed repetitions per measurement. */
  reps?: number;
  /** A short smoke run. */
  quick: boolean;
  /** Arguments after the suite name that the common options did not take. */
  args: string[];
}

/** A benchmark suite: what it measures, and how to run it. */
export interface Suite {
  description: string;
  run: (options: SuiteOptions) => Promise<unknown>;
}

/**
 * Every registered suite, by the name given on the command line.
 *
 * @example
 * ```ts
 * suites.vae = { description: 'VAE quality and speed', run: (o) => runVaeBench(o) };
 * ```
 */
export const suites: Record<string, Suite> = {
  vae: { description: 'MLP VAE on MNIST (pytorch/examples protocol): test loss per epoch, s/epoch and GFLOP/s over the in-run matmul rate, IS-NLL, one-class AUROC, sensor AUROC/AP, sample grid and interpolation strip', run: async (o) => (await import('./vae-bench.js')).runVaeBench(['--out', o.outDir, ...(o.quick ? ['--epochs', '1', '--one-class-epochs', '1', '--digits', '0,1', '--is-examples', '100'] : []), ...o.args]) },
  transformer: { description: 'nanogpt-cpu GPT on a corpus (--corpus PATH, nanoGPT 90/10 split): val loss and s/iter beside the in-run matmul rate, KV-cache generation speed', run: async (o) => (await import('./transformer-bench.js')).runTransformerBench(['--out', o.outDir, ...(o.quick ? ['--iters', '30', '--eval-batches', '20'] : []), ...o.args]) },
  eval: { description: 'FID/KID/precision-recall time on 10k MNIST images and the real-vs-real floor of every image metric', run: async (o) => (await import('./eval-bench.js')).runEvalBench(o.quick ? { n: 2000 } : {}) },
  gan: { description: 'DCGAN/ACGAN/WGAN-GP on MNIST: step time and GFLOP/s over the wasm conv rate, classifier IS/FID/precision/recall and classes covered, 8-Gaussians modes, sample grids and D(real)/D(fake) series', run: async (o) => (await import('./gan-bench.js')).runGanSuite(o) },
  diffusion: { description: 'small diffusion U-Net on MNIST: train step time and GFLOP/s, DDIM images/s, classifier FID/IS for DDIM 20/50/250 and DDPM, guided accuracy, grid and film PNGs', run: async (o) => (await import('./diffusion-bench.js')).runDiffusionSuite(o) },
  'rnn-lm': { description: 'LSTM char-cpu (2000 × 12 × 64 chars) val loss nats/char on Moby-Dick or --corpus PATH (90/10 split), chars/s trained (fused cell vs tf.layers.lstm) and generated, beside the wasm matmul rate', run: async (o) => (await import('./rnn-lm-bench.js')).runRNNLMBench(['--out', o.outDir, ...(o.quick ? ['--iters', '20', '--val-chars', '20000'] : []), ...o.args]) },
  seq2seq: { description: 'grapheme-to-phoneme on CMUdict with the encoder-decoder transformer: held-out WER/PER greedy and with beam search (eval package), training time, s/step and GFLOP/s beside the same-run matmul rate', run: async (o) => (await import('./seq2seq-bench.js')).runSeq2SeqSuite(o) },
  core: {
    description: 'GFLOP/s of matmul, conv2d and its backprops, embedding gradient, attention; per backend, wasm before/after genloom kernels',
    run: (o) => runCoreBench({ outDir: o.outDir, quick: o.quick, ...(o.backends ? { backends: o.backends } : {}), ...(o.reps ? { reps: o.reps } : {}) }),
  },
};

/** The process's peak resident memory so far, in MB (suites run in order, so a suite's row is the peak up to its end). */
function peakRssMB(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

/**
 * Parses `argv` and runs the chosen suite.
 *
 * @example
 * ```ts
 * await main(['node', 'main.ts', 'core', '--backends', 'wasm', '--reps', '3']);
 * ```
 */
export async function main(argv: string[] = process.argv): Promise<void> {
  const program = new Command('bench')
    .description('genloom benchmarks: runs suites, writes bench/results/<date>-<commit>.json and .md with plots, compared with the previous results')
    .argument('[suites...]', `suites to run (default: all): ${Object.keys(suites).join(', ')}; other words are passed to the suites`)
    .option('-o, --out <dir>', 'output folder of the suites\' own files', 'bench-out')
    .option('--results <dir>', 'folder of the session results files', 'bench/results')
    .option('--suite <size>', 'quick (a smoke run of every suite, minutes) or full (the numbers quoted in READMEs)', 'full')
    .option('-b, --backends <list>', 'comma-separated backends, e.g. wasm,cpu')
    .option('-r, --reps <n>', 'timed repetitions per measurement', positiveInt)
    .option('-q, --quick', 'same as --suite quick', false)
    .allowUnknownOption()
    .addHelpText('after', `\nSuites:\n${Object.entries(suites).map(([name, s]) => `  ${name.padEnd(12)} ${s.description}`).join('\n')}`)
    .action(async (words: string[], opts: { out: string; results: string; suite: string; backends?: string; reps?: number; quick: boolean }) => {
      if (!['quick', 'full'].includes(opts.suite)) program.error(`--suite must be quick or full, got "${opts.suite}"`);
      const chosen = words.filter((w) => w in suites);
      const args = words.filter((w) => !(w in suites));
      const unknown = args.filter((w) => !w.startsWith('-') && !/[\/.]/.test(w) && Number.isNaN(Number(w)));
      if (unknown.length && chosen.length === 0) program.error(`unknown suite "${unknown[0]}"; expected one of: ${Object.keys(suites).join(', ')}`);
      const quick = opts.quick || opts.suite === 'quick';
      const runs: SuiteRun[] = [];
      for (const name of chosen.length ? chosen : Object.keys(suites)) {
        const t0 = performance.now();
        const started = Date.now();
        process.stderr.write(`bench: ${name}…\n`);
        try {
          const result = await suites[name]!.run({
            outDir: opts.out,
            quick,
            args,
            ...(opts.backends ? { backends: opts.backends.split(',').map((b) => b.trim()) } : {}),
            ...(opts.reps ? { reps: opts.reps } : {}),
          });
          runs.push({
            suite: name,
            seconds: (performance.now() - t0) / 1000,
            peakRssMB: peakRssMB(),
            result: result ?? null,
            images: await imagesWrittenSince(opts.out, name, started),
            ...(await suiteMarkdownOf(opts.out, name)),
          });
        } catch (err) {
          runs.push({ suite: name, seconds: (performance.now() - t0) / 1000, peakRssMB: peakRssMB(), result: null, error: (err as Error).message });
          process.stderr.write(`bench: ${name} failed: ${(err as Error).message}\n`);
        }
      }
      const written = await writeResults(opts.results, runs, { suite: quick ? 'quick' : 'full', args, backends: opts.backends ?? null });
      process.stderr.write(`bench: wrote ${written.json} and ${written.markdown}${written.regressions ? ` — ${written.regressions} regression(s) flagged` : ''}\n`);
      if (runs.some((r) => r.error)) process.exitCode = 1;
    });
  await program.parseAsync(argv);
}

async function suiteMarkdownOf(outDir: string, suite: string): Promise<{ markdown?: string }> {
  const markdown = await suiteMarkdown(outDir, suite);
  return markdown ? { markdown } : {};
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}

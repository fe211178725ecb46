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
  gan: { description: 'DCGAN/ACGAN/WGAN-GP on MNIST: step time and GFLOP/s over the wasm conv rate, classifier IS/FID/precision/recall and classes covered, 8-Gaussians modes, sample grids and D(real)/D(fake) series', run: async (o) => (await import('./gan-bench.js')).runGanSuite(o) },
  diffusion: { description: 'small diffusion U-Net on MNIST: train step time and GFLOP/s, DDIM images/s, classifier FID/IS for DDIM 20/50/250 and DDPM, guided accuracy, grid and film PNGs', run: async (o) => (await import('./diffusion-bench.js')).runDiffusionSuite(o) },
  'rnn-lm': { description: 'LSTM char-cpu (2000 × 12 × 64 chars) val loss nats/char on Moby-Dick or --corpus PATH (90/10 split), chars/s trained (fused cell vs tf.layers.lstm) and generated, beside the wasm matmul rate', run: async (o) => (await import('./rnn-lm-bench.js')).runRNNLMBench(['--out', o.outDir, ...(o.quick ? ['--iters', '20'] : []), ...o.args]) },
  core: {
    description: 'GFLOP/s of matmul, conv2d and its backprops, embedding gradient, attention; per backend, wasm before/after genloom kernels',
    run: (o) => runCoreBench({ outDir: o.outDir, quick: o.quick, ...(o.backends ? { backends: o.backends } : {}), ...(o.reps ? { reps: o.reps } : {}) }),
  },
};

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
    .description('genloom benchmarks')
    .argument('<suite>', `one of: ${Object.keys(suites).join(', ')}`)
    .argument('[args...]', 'arguments for the suite')
    .option('-o, --out <dir>', 'output folder', 'bench-out')
    .option('-b, --backends <list>', 'comma-separated backends, e.g. wasm,cpu')
    .option('-r, --reps <n>', 'timed repetitions per measurement', positiveInt)
    .option('-q, --quick', 'short smoke run', false)
    .allowUnknownOption()
    .addHelpText('after', `\nSuites:\n${Object.entries(suites).map(([name, s]) => `  ${name.padEnd(12)} ${s.description}`).join('\n')}`)
    .action(async (name: string, args: string[], opts: { out: string; backends?: string; reps?: number; quick: boolean }) => {
      const suite = suites[name];
      if (!suite) program.error(`unknown suite "${name}"; expected one of: ${Object.keys(suites).join(', ')}`);
      await suite!.run({
        outDir: opts.out,
        quick: opts.quick,
        args,
        ...(opts.backends ? { backends: opts.backends.split(',').map((b) => b.trim()) } : {}),
        ...(opts.reps ? { reps: opts.reps } : {}),
      });
    });
  await program.parseAsync(argv);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}

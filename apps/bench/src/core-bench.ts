/**
 * `pnpm bench core`: GFLOP/s of the kernels every family leans on — matmul (plain, transposed,
 * batched), conv2d forward and both backprops, the embedding gradient, attention forward/backward —
 * per backend, and on wasm before/after genloom's kernels (`registerTrainingKernels`).
 *
 * "before" is plain tfjs-backend-wasm 4.22 (its own kernels; missing ones marked n/a); "after" is what
 * `initBackend('wasm')` installs. Timing: warm-up runs, then the median of `reps` runs, each ending with
 * `await t.data()` so the work is really done; on wasm the two variants alternate run by run over the
 * same inputs. The cpu backend (≈30× slower) only runs the small cases.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { initBackend } from '@genloom/core';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';

/** Options of {@link runCoreBench}. */
export interface CoreBenchOptions {
  /** Backends to measure (default `['wasm', 'cpu']`). */
  backends?: string[];
  /** Timed runs per case and variant; the median is reported (default 5). */
  reps?: number;
  /** Untimed runs before timing (default 2). */
  warmup?: number;
  /** Fewer and smaller cases (a smoke run). */
  quick?: boolean;
  /** Where core.json and core.md go (default `bench-out`). */
  outDir?: string;
  log?: (line: string) => void;
}

/** One measured (or skipped) case. */
export interface CoreBenchRow {
  group: string;
  case: string;
  backend: string;
  /** `before`/`after` genloom's kernels on wasm; `-` elsewhere. */
  variant: 'before' | 'after' | '-';
  /** Floating-point operations of one run (for the embedding: those of the one-hot product). */
  flops: number;
  ms: number | null;
  gflops: number | null;
  /** Why it was not measured. */
  skipped?: string;
  /** Ratio to a reference row of the same backend (e.g. conv backward / forward). */
  ratio?: { to: string; value: number };
}

/** Everything `pnpm bench core` writes to core.json. */
export interface CoreBenchResult {
  date: string;
  machine: { cpu: string; cores: number; node: string; tfjs: string };
  /** 1-minute load average when the run started and ended (other processes skew the numbers). */
  load: { start: number; end: number };
  reps: number;
  rows: CoreBenchRow[];
}

type Run = () => tf.Tensor | tf.Tensor[];

interface Case {
  group: string;
  name: string;
  flops: number;
  /** Runs on cpu too (small enough). */
  small: boolean;
  /** Why the cpu backend skips it although it is small. */
  cpuSkip?: string;
  /** Builds inputs (on the current backend) and returns the function to time. */
  setup: () => { run: Run; inputs: tf.Tensor[] };
  /** Does plain tfjs-backend-wasm have the kernels? If not, `before` is n/a. */
  beforeMissing?: string;
  /** Row whose GFLOP/s this one is compared with. */
  ratioTo?: string;
}

/** The kernel configs genloom swaps on wasm, so "before" and "after" can be timed in one process. */
interface KernelSets {
  plain: Map<string, tf.KernelConfig | undefined>;
  genloom: Map<string, tf.KernelConfig>;
}

function useKernels(configs: Map<string, tf.KernelConfig | undefined>): void {
  for (const [name, config] of configs) {
    if (tf.getKernel(name, 'wasm')) tf.unregisterKernel(name, 'wasm');
    if (config) tf.registerKernel(config);
  }
}

async function wasmKernelSets(): Promise<KernelSets> {
  await tf.setBackend('wasm');
  await tf.ready();
  const before = new Map(tf.getKernelsForBackend('wasm').map((k) => [k.kernelName, k] as const));
  const info = await initBackend('wasm');
  const plain = new Map<string, tf.KernelConfig | undefined>();
  const genloom = new Map<string, tf.KernelConfig>();
  for (const name of info.addedKernels) {
    plain.set(name, before.get(name));
    genloom.set(name, tf.getKernel(name, 'wasm'));
  }
  return { plain, genloom };
}

async function readAll(out: tf.Tensor | tf.Tensor[]): Promise<void> {
  const list = Array.isArray(out) ? out : [out];
  await Promise.all(list.map((t) => t.data()));
  tf.dispose(list);
}

const mm = (m: number, k: number, n: number, ta = false, tb = false): Case['setup'] => () => {
  const a = tf.randomNormal(ta ? [k, m] : [m, k]);
  const b = tf.randomNormal(tb ? [n, k] : [k, n]);
  return { inputs: [a, b], run: () => tf.matMul(a, b, ta, tb) };
};

interface ConvShape {
  label: string;
  n: number;
  h: number;
  cin: number;
  cout: number;
  k: number;
  s: number;
  small: boolean;
}

function convCases(c: ConvShape): Case[] {
  const xShape: [number, number, number, number] = [c.n, c.h, c.h, c.cin];
  const fShape: [number, number, number, number] = [c.k, c.k, c.cin, c.cout];
  const info = tf.backend_util.computeConv2DInfo(xShape, fShape, c.s, 1, 'same');
  const flops = 2 * c.n * info.outHeight * info.outWidth * c.k * c.k * c.cin * c.cout;
  const name = `${c.label} ${c.h}×${c.h}×${c.cin}→${info.outHeight}×${info.outWidth}×${c.cout} k${c.k} s${c.s} b${c.n}`;
  const attrs = { strides: c.s, pad: 'same', dataFormat: 'NHWC' };
  const forward = `conv2d ${name}`;
  return [
    {
      group: 'conv2d',
      name: forward,
      flops,
      small: c.small,
      setup: () => {
        const x = tf.randomNormal(xShape) as tf.Tensor4D;
        const w = tf.randomNormal(fShape) as tf.Tensor4D;
        return { inputs: [x, w], run: () => tf.conv2d(x, w, c.s, 'same') };
      },
    },
    {
      group: 'conv2d',
      name: `backprop filter ${name}`,
      flops,
      small: c.small,
      ratioTo: forward,
      beforeMissing: 'Conv2DBackpropFilter missing in tfjs-backend-wasm',
      cpuSkip: 'cpu Conv2DBackpropFilter: 7.5 s for batch 16 of 28×28',
      setup: () => {
        const x = tf.randomNormal(xShape);
        const dy = tf.randomNormal(info.outShape);
        const run = () => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { ...attrs, filterShape: fShape }) as tf.Tensor;
        return { inputs: [x, dy], run };
      },
    },
    {
      group: 'conv2d',
      name: `backprop input ${name}`,
      flops,
      small: c.small,
      ratioTo: forward,
      setup: () => {
        const dy = tf.randomNormal(info.outShape);
        const w = tf.randomNormal(fShape);
        const run = () => tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: w }, { ...attrs, inputShape: xShape }) as tf.Tensor;
        return { inputs: [dy, w], run };
      },
    },
  ];
}

function embeddingCases(tokens: number, vocab: number, dim: number): Case[] {
  const flops = 2 * tokens * vocab * dim;
  const shape = `${tokens} tokens, vocab ${vocab}, d ${dim}`;
  const ids = () => tf.randomUniform([tokens], 0, vocab, 'int32');
  return [
    {
      group: 'embedding backward',
      name: `one-hot matmul oneHot(ids)ᵀ·dy ${shape}`,
      flops,
      small: true,
      setup: () => {
        const i = ids();
        const dy = tf.randomNormal([tokens, dim]);
        const run = () => tf.tidy(() => tf.matMul(tf.oneHot(i, vocab).cast('float32'), dy, true, false));
        return { inputs: [i, dy], run };
      },
    },
    {
      group: 'embedding backward',
      name: `gather gradient (UnsortedSegmentSum) ${shape}`,
      flops,
      small: true,
      ratioTo: `one-hot matmul oneHot(ids)ᵀ·dy ${shape}`,
      beforeMissing: 'UnsortedSegmentSum missing in tfjs-backend-wasm',
      cpuSkip: 'the cpu kernel builds one mask per segment: 47 s for 512 tokens × 500 ids',
      setup: () => {
        const i = ids();
        const dy = tf.randomNormal([tokens, dim]);
        return { inputs: [i, dy], run: () => tf.unsortedSegmentSum(dy, i as tf.Tensor1D, vocab) };
      },
    },
  ];
}

function attentionCases(b: number, heads: number, t: number, d: number): Case[] {
  const matmulFlops = 2 * 2 * b * heads * t * t * d; // QKᵀ and att·V
  const shape = `batch ${b}, ${heads} heads, T ${t}, d ${d}`;
  const inputs = () => [0, 1, 2].map(() => tf.randomNormal([b, heads, t, d]));
  const attend = (q: tf.Tensor, k: tf.Tensor, v: tf.Tensor) =>
    tf.matMul(tf.softmax(tf.matMul(q, k, false, true).mul(1 / Math.sqrt(d))), v); // [B, H, T, d]
  return [
    {
      group: 'attention',
      name: `forward softmax(QKᵀ/√d)·V ${shape}`,
      flops: matmulFlops,
      small: true,
      setup: () => {
        const [q, k, v] = inputs() as [tf.Tensor, tf.Tensor, tf.Tensor];
        return { inputs: [q, k, v], run: () => tf.tidy(() => attend(q, k, v)) };
      },
    },
    {
      group: 'attention',
      name: `forward + backward (dQ, dK, dV) ${shape}`,
      flops: 3 * matmulFlops,
      small: true,
      setup: () => {
        const [q, k, v] = inputs() as [tf.Tensor, tf.Tensor, tf.Tensor];
        const grads = tf.grads((a: tf.Tensor, c: tf.Tensor, e: tf.Tensor) => attend(a, c, e).sum());
        return { inputs: [q, k, v], run: () => grads([q, k, v]) };
      },
    },
  ];
}

function allCases(quick: boolean): Case[] {
  const cases: Case[] = [];
  const matmuls: Array<[number, number, number, boolean]> = quick
    ? [[128, 784, 400, true]]
    : [
        [512, 512, 512, false],
        [1024, 1024, 1024, false],
        [128, 784, 400, true],
        [768, 128, 512, true],
      ];
  for (const [m, k, n, small] of matmuls) {
    cases.push({ group: 'matmul', name: `[${m}×${k}]·[${k}×${n}]`, flops: 2 * m * k * n, small, setup: mm(m, k, n) });
  }
  // The transposed products of backward passes: dW = xᵀ·dy, dX = dy·Wᵀ (dense 784→400, batch 128),
  // and 512³ both ways. "before" is the wasm kernel's own transposed path.
  const transposed: Array<[string, number, number, number, boolean, boolean, boolean]> = quick
    ? [['dense dW = xᵀ·dy', 784, 128, 400, true, false, true]]
    : [
        ['dense dW = xᵀ·dy', 784, 128, 400, true, false, true],
        ['dense dX = dy·Wᵀ', 128, 400, 784, false, true, true],
        ['512³ Aᵀ·B', 512, 512, 512, true, false, false],
        ['512³ A·Bᵀ', 512, 512, 512, false, true, false],
      ];
  for (const [label, m, k, n, ta, tb, small] of transposed) {
    const name = `${label} [${m}×${k}]·[${k}×${n}]`;
    cases.push({ group: 'matmul transposed', name, flops: 2 * m * k * n, small, setup: mm(m, k, n, ta, tb) });
  }
  const convs: ConvShape[] = quick
    ? [{ label: 'D1', n: 16, h: 28, cin: 1, cout: 64, k: 5, s: 2, small: true }]
    : [
        { label: 'DCGAN D1', n: 64, h: 28, cin: 1, cout: 64, k: 5, s: 2, small: true },
        { label: 'DCGAN D2 / G', n: 64, h: 14, cin: 64, cout: 128, k: 5, s: 2, small: false },
        { label: 'DCGAN G→28', n: 64, h: 28, cin: 1, cout: 64, k: 4, s: 2, small: true },
        { label: 'U-Net block', n: 16, h: 14, cin: 64, cout: 64, k: 3, s: 1, small: false },
      ];
  for (const c of convs) cases.push(...convCases(c));
  cases.push(...embeddingCases(quick ? 512 : 2048, quick ? 500 : 2000, 128));
  cases.push(...attentionCases(quick ? 2 : 12, 4, 64, 32));
  return cases;
}

/**
 * Times one case under each variant with the same inputs, alternating variants run by run so that
 * load from other processes falls on both alike.
 */
async function measureVariants(
  c: Case,
  backend: string,
  variants: Array<{ variant: CoreBenchRow['variant']; use?: () => void }>,
  reps: number,
  warmup: number,
): Promise<CoreBenchRow[]> {
  const rows = variants.map(({ variant }): CoreBenchRow => ({ group: c.group, case: c.name, backend, variant, flops: c.flops, ms: null, gflops: null }));
  const { run, inputs } = c.setup();
  const times: number[][] = variants.map(() => []);
  try {
    for (let i = 0; i < warmup + reps; i++) {
      for (let v = 0; v < variants.length; v++) {
        if (rows[v]!.skipped) continue;
        variants[v]!.use?.();
        try {
          const t0 = performance.now();
          await readAll(run());
          if (i >= warmup) times[v]!.push(performance.now() - t0);
        } catch (err) {
          rows[v]!.skipped = `failed: ${(err as Error).message.split('\n')[0]}`;
        }
      }
    }
  } finally {
    tf.dispose(inputs);
  }
  rows.forEach((row, v) => {
    const t = times[v]!.sort((a, b) => a - b);
    if (row.skipped || t.length === 0) return;
    row.ms = t[Math.floor(t.length / 2)]!;
    row.gflops = c.flops / row.ms / 1e6;
  });
  return rows;
}

/**
 * Runs the core kernel benchmark and writes `core.json` and `core.md` into `outDir`.
 *
 * @example
 * ```ts
 * const result = await runCoreBench({ backends: ['wasm'], reps: 3 });
 * console.log(formatCoreBenchMarkdown(result));
 * ```
 */
export async function runCoreBench(options: CoreBenchOptions = {}): Promise<CoreBenchResult> {
  const { backends = ['wasm', 'cpu'], reps = 5, warmup = 2, quick = false, outDir = 'bench-out' } = options;
  const log = options.log ?? ((line: string) => console.log(line));
  const cases = allCases(quick);
  const loadStart = os.loadavg()[0]!;
  const rows: CoreBenchRow[] = [];
  for (const backend of backends) {
    let sets: KernelSets | null = null;
    try {
      if (backend === 'wasm') sets = await wasmKernelSets();
      else await initBackend(backend as Parameters<typeof initBackend>[0]);
    } catch (err) {
      for (const c of cases) {
        rows.push({ group: c.group, case: c.name, backend, variant: '-', flops: c.flops, ms: null, gflops: null, skipped: `backend unavailable: ${(err as Error).message}` });
      }
      continue;
    }
    for (const c of cases) {
      const skip = (why: string, variant: CoreBenchRow['variant'] = '-'): CoreBenchRow => ({
        group: c.group, case: c.name, backend, variant, flops: c.flops, ms: null, gflops: null, skipped: why,
      });
      let measured: CoreBenchRow[];
      if (backend !== 'wasm' && (!c.small || c.cpuSkip)) {
        measured = [skip(c.cpuSkip ?? 'large case: wasm only')];
      } else if (!sets) {
        measured = await measureVariants(c, backend, [{ variant: '-' }], reps, warmup);
      } else {
        const { plain, genloom } = sets;
        const after = { variant: 'after' as const, use: () => useKernels(genloom) };
        if (c.beforeMissing) {
          measured = [skip(c.beforeMissing, 'before'), ...(await measureVariants(c, backend, [after], reps, warmup))];
        } else {
          measured = await measureVariants(c, backend, [{ variant: 'before', use: () => useKernels(plain) }, after], reps, warmup);
        }
      }
      for (const row of measured) {
        rows.push(row);
        log(formatRow(row));
      }
    }
    if (sets) useKernels(sets.genloom);
  }
  addRatios(rows, cases);
  const result: CoreBenchResult = {
    date: new Date().toISOString(),
    machine: { cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length, node: process.version, tfjs: tf.version.tfjs },
    load: { start: loadStart, end: os.loadavg()[0]! },
    reps,
    rows,
  };
  await mkdir(outDir, { recursive: true });
  await writeFile(path.join(outDir, 'core.json'), `${JSON.stringify(result, null, 2)}\n`);
  await writeFile(path.join(outDir, 'core.md'), formatCoreBenchMarkdown(result));
  log(`wrote ${path.join(outDir, 'core.json')} and core.md`);
  return result;
}

/**
 * Ratio of each row's GFLOP/s to its reference case (conv forward, one-hot matmul) on the same backend.
 * The reference is the best of its variants in this run: the forward kernels are the same code before
 * and after, so their spread is load from other processes, and the best one is the conservative base.
 */
function addRatios(rows: CoreBenchRow[], cases: Case[]): void {
  for (const row of rows) {
    const ref = cases.find((c) => c.name === row.case)?.ratioTo;
    if (!ref || row.gflops === null) continue;
    const bases = rows.filter((r) => r.case === ref && r.backend === row.backend && r.gflops !== null).map((r) => r.gflops!);
    if (bases.length > 0) row.ratio = { to: ref, value: row.gflops / Math.max(...bases) };
  }
}

const fmt = (v: number | null, digits = 1) => (v === null ? '' : v.toFixed(digits));

function formatRow(r: CoreBenchRow): string {
  const what = `${r.backend}${r.variant === '-' ? '' : ` ${r.variant}`}`;
  if (r.skipped) return `  ${r.case} [${what}]: skipped (${r.skipped})`;
  const ratio = r.ratio ? `, ${Math.round(r.ratio.value * 100)}% of ${r.ratio.to.split(' ')[0]}` : '';
  return `  ${r.case} [${what}]: ${fmt(r.ms, 2)} ms, ${fmt(r.gflops, 2)} GFLOP/s${ratio}`;
}

/**
 * The result as a Markdown table per group: one line per case, a column per backend/variant with
 * GFLOP/s (and ms), and the ratio columns the targets are about.
 *
 * @example
 * ```ts
 * await writeFile('core.md', formatCoreBenchMarkdown(await runCoreBench()));
 * ```
 */
export function formatCoreBenchMarkdown(result: CoreBenchResult): string {
  const cols = [...new Set(result.rows.map((r) => `${r.backend}${r.variant === '-' ? '' : ` ${r.variant}`}`))];
  const lines = [
    `# core kernels — GFLOP/s (median of ${result.reps}; ms in brackets)`,
    '',
    `${result.machine.cpu}, ${result.machine.cores} cores, Node ${result.machine.node}, tfjs ${result.machine.tfjs}, ${result.date}; ` +
      `load average ${result.load.start.toFixed(1)} at the start, ${result.load.end.toFixed(1)} at the end (other processes share the cores; compare within a run).`,
    '',
    '"wasm before" is plain tfjs-backend-wasm; "wasm after" has genloom\'s kernels (`initBackend(\'wasm\')`). ' +
      'Ratio: GFLOP/s of "wasm after" relative to the conv forward pass (conv rows) or to the one-hot matmul (embedding) on wasm, ' +
      'taking the faster of the reference\'s before/after runs (same kernel; the spread is load).',
    '',
  ];
  for (const group of [...new Set(result.rows.map((r) => r.group))]) {
    lines.push(`## ${group}`, '', `| case | ${cols.join(' | ')} | ratio (wasm after) |`, `|---|${cols.map(() => '---:').join('|')}|---:|`);
    for (const name of [...new Set(result.rows.filter((r) => r.group === group).map((r) => r.case))]) {
      const cells = cols.map((col) => {
        const r = result.rows.find((x) => x.case === name && `${x.backend}${x.variant === '-' ? '' : ` ${x.variant}`}` === col);
        if (!r) return '';
        if (r.skipped) return `— (${r.skipped.replace(/\|/g, '/')})`;
        return `${fmt(r.gflops, 2)} (${fmt(r.ms, 1)} ms)`;
      });
      const after = result.rows.find((x) => x.case === name && x.backend === 'wasm' && x.variant === 'after');
      const ratio = after?.ratio ? `${Math.round(after.ratio.value * 100)}%` : '';
      lines.push(`| ${name} | ${cells.join(' | ')} | ${ratio} |`);
    }
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}

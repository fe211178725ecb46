import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import os from 'node:os';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { BenchEvidence, PresetEvidence } from '@genloom/core';

/** One suite's run inside a bench session. */
export interface SuiteRun {
  suite: string;
  seconds: number;
  /** What the suite returned (its own JSON); an optional `evidence` field feeds `genloom advise`. */
  result: unknown;
  /** The suite's own Markdown report, if it wrote one. */
  markdown?: string;
  /** Peak resident memory of the bench process up to the end of this suite (MB). */
  peakRssMB?: number;
  /** PNG files (sample grids, films) the suite wrote; copied next to the report. */
  images?: string[];
  error?: string;
}

/** The results file: `bench/results/<date>-<commit>.json`. */
export interface BenchResults {
  date: string;
  commit: string;
  machine: { cpu: string; cores: number; node: string; loadAverage: number[] };
  options: Record<string, unknown>;
  runs: SuiteRun[];
  evidence: BenchEvidence;
}

/** Keys that make an array of objects a series over time (plotted, not compared number by number). */
const SERIES_X = ['step', 'epoch', 'iter', 'steps', 'digit', 'seconds'];

/** Every numeric leaf of a JSON value by its dotted path (arrays of numbers are skipped: they are series). */
export function numericLeaves(value: unknown, prefix = ''): Record<string, number> {
  const out: Record<string, number> = {};
  if (typeof value === 'number' && Number.isFinite(value)) out[prefix] = value;
  else if (Array.isArray(value)) {
    const isSeries = value.some((v) => typeof v === 'object' && v !== null && SERIES_X.some((k) => typeof (v as Record<string, unknown>)[k] === 'number'));
    if (!isSeries && value.length <= 64 && value.some((v) => typeof v === 'object' && v !== null)) {
      value.forEach((v, i) => {
        const key = typeof v === 'object' && v !== null ? String((v as Record<string, unknown>).name ?? (v as Record<string, unknown>).case ?? i) : String(i);
        Object.assign(out, numericLeaves(v, prefix ? `${prefix}[${key}]` : `[${key}]`));
      });
    }
  } else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) Object.assign(out, numericLeaves(v, prefix ? `${prefix}.${k}` : k));
  }
  return out;
}

/** Series worth plotting: arrays of ≥ 3 numbers, or of objects with a numeric field, by path. */
export function seriesOf(value: unknown, prefix = ''): Record<string, Array<{ x: number; y: number; series: string }>> {
  const out: Record<string, Array<{ x: number; y: number; series: string }>> = {};
  if (prefix && NOT_MEASURED.test(prefix)) return out;
  if (Array.isArray(value) && value.length >= 3) {
    if (value.every((v) => typeof v === 'number')) {
      out[prefix] = value.map((y, x) => ({ x, y: y as number, series: prefix.split('.').at(-1)! }));
    } else if (value.every((v) => typeof v === 'object' && v !== null)) {
      const rows = value as Array<Record<string, unknown>>;
      const xKey = SERIES_X.find((k) => typeof rows[0]![k] === 'number');
      if (xKey) {
        const points: Array<{ x: number; y: number; series: string }> = [];
        for (const r of rows) {
          for (const [k, v] of Object.entries(r)) if (k !== xKey && typeof v === 'number' && Number.isFinite(v)) points.push({ x: r[xKey] as number, y: v, series: k });
        }
        if (points.length) out[`${prefix} (by ${xKey})`] = points;
      }
    }
  } else if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) Object.assign(out, seriesOf(v, prefix ? `${prefix}.${k}` : k));
  }
  return out;
}

const LOWER_IS_BETTER = /loss|fid|kid|nll|elbo|perplexity|bpc|wer|per\b|cer|seconds|(^|\.)ms|msPer|sPerIter|secondsPer|rss|memory/i;
const HIGHER_IS_BETTER = /gflops|perSecond|persec|accuracy|auroc|averagePrecision|precision|recall|inceptionScore|bleu|chrf|coverage|speedup|ratio/i;

/** Whether a smaller value of this metric is better (null when the name does not say). */
export function lowerIsBetter(path: string): boolean | null {
  if (HIGHER_IS_BETTER.test(path)) return false;
  if (LOWER_IS_BETTER.test(path)) return true;
  return null;
}

/** Rows comparing two sessions' numbers: changes beyond `threshold` (relative), flagged when worse. */
export function compareResults(current: BenchResults, previous: BenchResults, threshold = 0.1): Array<{ suite: string; metric: string; before: number; after: number; change: number; regression: boolean }> {
  const rows: Array<{ suite: string; metric: string; before: number; after: number; change: number; regression: boolean }> = [];
  for (const run of current.runs) {
    const prev = previous.runs.find((r) => r.suite === run.suite);
    if (!prev) continue;
    const a = numericLeaves(prev.result);
    const b = numericLeaves(run.result);
    for (const [metric, after] of Object.entries(b)) {
      const before = a[metric];
      if (before === undefined || before === 0) continue;
      const change = (after - before) / Math.abs(before);
      if (Math.abs(change) < threshold) continue;
      const dir = lowerIsBetter(metric);
      rows.push({ suite: run.suite, metric, before, after, change, regression: dir === null ? false : dir ? change > 0 : change < 0 });
    }
  }
  return rows.sort((x, y) => Number(y.regression) - Number(x.regression) || Math.abs(y.change) - Math.abs(x.change));
}

/** Renders a line chart of one or more series as SVG (vega-lite, headless). */
export async function lineChartSvg(title: string, points: Array<{ x: number; y: number; series: string }>, xTitle: string): Promise<string> {
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    width: 420,
    height: 220,
    data: { values: points },
    mark: { type: 'line', point: points.length <= 40 },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: xTitle },
      y: { field: 'y', type: 'quantitative', scale: { zero: false }, title: null },
      color: { field: 'series', type: 'nominal', title: null },
    },
  };
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}

function gitCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'nocommit';
  }
}

/** Merges the `evidence` sections the suites returned (family → preset → numbers). */
export function collectEvidence(runs: SuiteRun[], source: string): BenchEvidence {
  const families: Record<string, Record<string, PresetEvidence>> = {};
  for (const run of runs) {
    const ev = (run.result as { evidence?: Record<string, Record<string, PresetEvidence>> } | null)?.evidence;
    if (!ev) continue;
    for (const [family, presets] of Object.entries(ev)) families[family] = { ...families[family], ...presets };
  }
  return { source, families };
}

/**
 * Writes a session's results (`<dir>/<date>-<commit>.json`), its Markdown report with the suites'
 * own reports, a comparison with the previous results file (regressions flagged), and SVG plots of
 * every series the suites returned. Returns the paths written.
 */
export async function writeResults(dir: string, runs: SuiteRun[], options: Record<string, unknown>): Promise<{ json: string; markdown: string; regressions: number }> {
  await mkdir(dir, { recursive: true });
  const date = new Date().toISOString();
  const commit = gitCommit();
  // date, time, commit and suites: runs of different suites at one commit (even at once) never
  // overwrite each other; runs of the same suite in the same minute get -2, -3… (the name is claimed
  // with an exclusive create, so two runs finishing together cannot both take it)
  const base = `${date.slice(0, 10)}-${date.slice(11, 16).replace(':', '')}-${commit}-${runs.map((r) => r.suite).join('+') || 'none'}`;
  for (let k = 1; ; k++) {
    const stamp = k === 1 ? base : `${base}-${k}`;
    const results: BenchResults = {
      date,
      commit,
      machine: { cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length, node: process.version, loadAverage: os.loadavg().map((l) => Number(l.toFixed(2))) },
      options,
      runs,
      evidence: collectEvidence(runs, `bench/results/${stamp}.json`),
    };
    const jsonPath = join(dir, `${stamp}.json`);
    try {
      await writeFile(jsonPath, JSON.stringify(results, null, 2), { flag: 'wx' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw err;
    }
    const { markdown, regressions } = await writeReport(dir, stamp, results);
    return { json: jsonPath, markdown, regressions };
  }
}

/**
 * Writes the Markdown report of a results file (`<dir>/<stamp>.md`, plots in `<dir>/<stamp>/`):
 * the suites' status, a comparison with the previous comparable results (regressions flagged), each
 * suite's own report (or, for a suite that wrote none, a table of its numbers) and its plots.
 *
 * @example
 * ```ts
 * const results = JSON.parse(await readFile('bench/results/2026-11-28-1442-7e654ba-vae.json', 'utf8'));
 * await writeReport('bench/results', '2026-11-28-1442-7e654ba-vae', results);
 * ```
 */
export async function writeReport(dir: string, stamp: string, results: BenchResults): Promise<{ markdown: string; regressions: number }> {
  const { date, commit, runs } = results;
  const lines: string[] = [`# genloom bench — ${date.slice(0, 16).replace('T', ' ')} UTC, commit ${commit}`, ''];
  lines.push(`Machine: ${results.machine.cpu}, ${results.machine.cores} cores, Node ${results.machine.node}; load average at the end ${results.machine.loadAverage.join(' / ')} (1/5/15 min). Speeds are comparable only within one run: every suite reports its rates beside the matmul rate it measured in the same run.`, '');
  lines.push('| suite | time | peak RSS | status |', '|---|---:|---:|---|');
  for (const r of runs) lines.push(`| ${r.suite} | ${r.seconds.toFixed(0)} s | ${r.peakRssMB !== undefined ? `${r.peakRssMB} MB` : '—'} | ${r.error ? `failed: ${r.error}` : 'ok'} |`);
  lines.push('');
  const found = await previousResults(dir, `${stamp}.json`, results);
  let regressions = 0;
  if (found) {
    const { name: previous, results: prev } = found;
    const rows = compareResults(results, prev);
    regressions = rows.filter((r) => r.regression).length;
    lines.push(`## Compared with ${previous}`, '', rows.length ? `${regressions} regression(s) beyond 10% (⚠); changes of 10% or more:` : 'No number changed by 10% or more.', '');
    if (rows.length) {
      lines.push('| suite | metric | before | after | change |', '|---|---|---:|---:|---:|');
      for (const r of rows.slice(0, 60)) lines.push(`| ${r.suite} | ${r.metric} | ${Number(r.before.toPrecision(4))} | ${Number(r.after.toPrecision(4))} | ${r.regression ? '⚠ ' : ''}${(r.change * 100).toFixed(0)}% |`);
    }
    lines.push('');
  }
  const plotDir = join(dir, stamp);
  for (const r of runs) {
    lines.push(`## ${r.suite}`, '');
    if (r.markdown) lines.push(r.markdown.replace(/^# /gm, '### '), '');
    else lines.push(...numbersTable(r.result), '');
    const series = seriesOf(r.result);
    const names = Object.keys(series).slice(0, 8);
    if (names.length || r.images?.length) await mkdir(plotDir, { recursive: true });
    for (const image of r.images ?? []) {
      if (!existsSync(image)) continue;
      await copyFile(image, join(plotDir, basename(image)));
      lines.push(`![${r.suite} ${basename(image)}](${stamp}/${basename(image)})`, '');
    }
    for (const [i, name] of names.entries()) {
      const file = `${r.suite}-${i}.svg`;
      const points = series[name]!;
      await writeFile(join(plotDir, file), await lineChartSvg(`${r.suite}: ${name}`, points, name.match(/by (\w+)/)?.[1] ?? 'index'));
      lines.push(`![${r.suite} ${name}](${stamp}/${file})`, '');
    }
  }
  const markdown = join(dir, `${stamp}.md`);
  await writeFile(markdown, lines.join('\n'));
  return { markdown, regressions };
}

/** Paths that describe the run rather than measure it: left out of tables and plots. */
const NOT_MEASURED = /(^|\.)(evidence|conditions|config|anchors|options)(\.|\[|$)/;

/** A Markdown table of a suite's numbers (for suites that write no report of their own). */
export function numbersTable(result: unknown, most = 80): string[] {
  const rows = Object.entries(numericLeaves(result)).filter(([k]) => !NOT_MEASURED.test(k));
  if (!rows.length) return ['(no numbers)'];
  const out = ['| metric | value |', '|---|---:|', ...rows.slice(0, most).map(([k, v]) => `| ${k} | ${Number(v.toPrecision(4))} |`)];
  if (rows.length > most) out.push('', `${rows.length - most} more numbers in the JSON file.`);
  return out;
}

/**
 * The newest earlier results file to compare with: one of the same suite size (quick or full) that ran
 * at least one of the same suites. Files are named by date, so name order is time order.
 */
async function previousResults(dir: string, self: string, current: BenchResults): Promise<{ name: string; results: BenchResults } | undefined> {
  const names = (await readdir(dir)).filter((n) => n.endsWith('.json') && n !== self).sort().reverse();
  for (const name of names) {
    let prev: BenchResults;
    try {
      prev = JSON.parse(await readFile(join(dir, name), 'utf8')) as BenchResults;
    } catch {
      continue; // not a results file
    }
    if ((prev.options?.suite ?? 'full') !== (current.options.suite ?? 'full')) continue;
    if (prev.runs?.some((p) => current.runs.some((r) => r.suite === p.suite))) return { name, results: prev };
  }
  return undefined;
}

/**
 * The suite's PNG images in the output folder (named `<suite>-….png`) written since `since` (ms
 * epoch), to copy next to the report. The name prefix keeps out the images of another suite running
 * at the same time into the same folder.
 *
 * @example
 * ```ts
 * const started = Date.now();
 * await runSuite();
 * await imagesWrittenSince('bench-out', 'vae', started); // ['bench-out/vae-samples.png', …]
 * ```
 */
export async function imagesWrittenSince(outDir: string, suite: string, since: number): Promise<string[]> {
  if (!existsSync(outDir)) return [];
  const out: string[] = [];
  for (const name of (await readdir(outDir)).filter((n) => n.startsWith(`${suite}-`) && n.endsWith('.png')).sort()) {
    const file = join(outDir, name);
    if ((await stat(file)).mtimeMs >= since - 1000) out.push(file);
  }
  return out;
}

/** Reads a suite's own Markdown report from the output folder, if it wrote `<suite>.md`. */
export async function suiteMarkdown(outDir: string, suite: string): Promise<string | undefined> {
  const path = join(outDir, `${suite}.md`);
  return existsSync(path) ? readFile(path, 'utf8') : undefined;
}

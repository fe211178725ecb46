/**
 * Finds the latest bench report for the Bench page in `bench-out/` or `bench/results/`: its
 * Markdown, its JSON results and its plots (SVG or PNG, served under `/bench-files/`).
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';

/** Largest report file read into the answer. */
const MAX_REPORT_BYTES = 2 * 1024 * 1024;

/** One file of the report folder. */
export interface BenchFile {
  name: string;
  kind: 'markdown' | 'json' | 'plot';
  bytes: number;
  modified: string;
}

/** What `GET /api/bench` answers. */
export interface BenchReport {
  /** The folder the report came from, as configured (relative to the repository when it can be). */
  dir: string | null;
  files: BenchFile[];
  /** The newest Markdown report, if any. */
  markdown: { name: string; text: string } | null;
  /** Every JSON result file, parsed. */
  json: Record<string, unknown>;
  /** The folders that were searched, for the page's "nothing yet" message. */
  searched: string[];
}

const KINDS: Record<string, BenchFile['kind']> = { '.md': 'markdown', '.json': 'json', '.svg': 'plot', '.png': 'plot' };

async function listReportFiles(dir: string): Promise<BenchFile[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const files: BenchFile[] = [];
  for (const name of names) {
    const kind = KINDS[extname(name).toLowerCase()];
    if (!kind || name.startsWith('.')) continue;
    const info = await stat(join(dir, name)).catch(() => null);
    if (!info?.isFile()) continue;
    files.push({ name, kind, bytes: info.size, modified: info.mtime.toISOString() });
  }
  return files.sort((a, b) => b.modified.localeCompare(a.modified) || a.name.localeCompare(b.name));
}

/**
 * The latest bench report across `dirs`: the folder holding the newest Markdown report (or, when
 * none has one, the newest file). From a folder of dated reports (`bench/results/DATE-COMMIT.md`
 * and `.json`) only the report's own JSON and plots are taken; from a folder of per-suite results
 * (`bench-out/vae.json`…) all of them.
 *
 * @example
 * ```ts
 * const report = await latestBenchReport([{ path: '/repo/bench-out', label: 'bench-out/' }]);
 * ```
 */
export async function latestBenchReport(dirs: ReadonlyArray<{ path: string; label: string }>): Promise<BenchReport & { path: string | null }> {
  const listed = await Promise.all(dirs.map(async (d) => ({ ...d, files: await listReportFiles(d.path) })));
  const newest = (files: BenchFile[], kind?: BenchFile['kind']) => files.find((f) => !kind || f.kind === kind)?.modified ?? '';
  const withMd = listed.filter((d) => d.files.some((f) => f.kind === 'markdown'));
  const pool = withMd.length ? withMd : listed.filter((d) => d.files.length > 0);
  const dir = pool.sort((a, b) => newest(b.files, withMd.length ? 'markdown' : undefined).localeCompare(newest(a.files, withMd.length ? 'markdown' : undefined)))[0];
  if (!dir) return { dir: null, path: null, files: [], markdown: null, json: {}, searched: dirs.map((d) => d.label) };
  const md = dir.files.find((f) => f.kind === 'markdown' && f.bytes <= MAX_REPORT_BYTES);
  // Dated reports (`2026-11-28-dad2e43.md`) sit beside earlier ones: keep only this one's files.
  const stem = md && /^\d{4}-\d{2}-\d{2}/.test(md.name) ? md.name.replace(/\.md$/i, '') : null;
  const own = stem ? dir.files.filter((f) => f.name !== md!.name && f.name.startsWith(stem)) : [];
  // A dated report keeps its own JSON and plots; per-suite folders show everything.
  const files = own.length ? [md!, ...own] : dir.files;
  const json: Record<string, unknown> = {};
  for (const f of files) {
    if (f.kind !== 'json' || f.bytes > MAX_REPORT_BYTES) continue;
    try {
      json[f.name] = JSON.parse(await readFile(join(dir.path, f.name), 'utf8'));
    } catch (err) {
      json[f.name] = { error: `not valid JSON: ${(err as Error).message}` };
    }
  }
  return {
    dir: dir.label,
    path: dir.path,
    files,
    markdown: md ? { name: md.name, text: await readFile(join(dir.path, md.name), 'utf8') } : null,
    json,
    searched: dirs.map((d) => d.label),
  };
}

/**
 * Finds the latest bench report for the Bench page: the first of the given folders (`bench-out/`,
 * `bench/results/`) that holds report files, its newest Markdown report, its JSON results and its
 * plots (SVG or PNG, served under `/bench-files/`).
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
 * The latest bench report under the first folder of `dirs` that has one.
 *
 * @example
 * ```ts
 * const report = await latestBenchReport([{ path: '/repo/bench-out', label: 'bench-out' }]);
 * ```
 */
export async function latestBenchReport(dirs: ReadonlyArray<{ path: string; label: string }>): Promise<BenchReport & { path: string | null }> {
  for (const dir of dirs) {
    const files = await listReportFiles(dir.path);
    if (files.length === 0) continue;
    const md = files.find((f) => f.kind === 'markdown' && f.bytes <= MAX_REPORT_BYTES);
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
  return { dir: null, path: null, files: [], markdown: null, json: {}, searched: dirs.map((d) => d.label) };
}

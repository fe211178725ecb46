import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchEvidence } from '@genloom/core';

/**
 * Finds the bench's measured numbers: `--evidence FILE`, else the `bench/results/*.json` files under
 * the current directory or the repository this CLI lives in, merged so that each family's preset
 * takes its numbers from the newest full run that measured it (quick smoke runs only fill gaps).
 * Returns null when there are none.
 *
 * @example
 * ```ts
 * const evidence = await findBenchEvidence(); // { source: 'bench/results/2026-11-28-1502-ab12cd3-vae.json, …', families: {…} }
 * ```
 */
export async function findBenchEvidence(file?: string): Promise<BenchEvidence | null> {
  if (file) {
    let parsed: { evidence?: BenchEvidence };
    try {
      parsed = JSON.parse(await readFile(resolve(file), 'utf8')) as { evidence?: BenchEvidence };
    } catch (err) {
      throw new Error(`--evidence ${file}: cannot read bench results (${(err as Error).message})`);
    }
    if (!parsed.evidence?.families) throw new Error(`--evidence ${file} has no "evidence" section; write it with pnpm bench`);
    return { ...parsed.evidence, source: parsed.evidence.source ?? file };
  }
  const here = dirname(fileURLToPath(import.meta.url));
  for (const root of [process.cwd(), resolve(here, '..', '..', '..')]) {
    const dir = join(root, 'bench', 'results');
    let names: string[];
    try {
      names = (await readdir(dir)).filter((n) => n.endsWith('.json')).sort();
    } catch {
      continue; // no results folder there
    }
    const files: Array<{ name: string; quick: boolean; evidence: BenchEvidence }> = [];
    for (const name of names) {
      try {
        const parsed = JSON.parse(await readFile(join(dir, name), 'utf8')) as { options?: { suite?: string }; evidence?: BenchEvidence };
        if (parsed.evidence?.families) files.push({ name, quick: parsed.options?.suite === 'quick', evidence: parsed.evidence });
      } catch {
        // not a results file
      }
    }
    if (!files.length) continue;
    // quick runs first, then full runs, each oldest to newest: later entries override earlier ones
    const ordered = [...files.filter((f) => f.quick), ...files.filter((f) => !f.quick)];
    // field by field: a run that measured only speed keeps the quality of an earlier full run
    const families: BenchEvidence['families'] = {};
    const from = new Map<string, string>(); // family/preset/field → the file it came from
    for (const f of ordered) {
      for (const [family, presets] of Object.entries(f.evidence.families)) {
        for (const [preset, ev] of Object.entries(presets)) {
          const byPreset = (families[family] ??= {});
          byPreset[preset] = { ...byPreset[preset], ...ev };
          for (const field of Object.keys(ev)) from.set(`${family}/${preset}/${field}`, f.name);
        }
      }
    }
    const used = [...new Set(from.values())].sort();
    return { source: used.map((n) => `bench/results/${n}`).join(', '), families };
  }
  return null;
}

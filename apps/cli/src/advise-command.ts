import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchEvidence } from '@genloom/core';

/**
 * Finds the bench's measured numbers: `--evidence FILE`, else the newest `bench/results/*.json`
 * under the current directory or the repository this CLI lives in. Returns null when there are none.
 *
 * @example
 * ```ts
 * const evidence = await findBenchEvidence(); // { source: 'bench/results/2026-11-28-ab12cd3.json', families: {…} }
 * ```
 */
export async function findBenchEvidence(file?: string): Promise<BenchEvidence | null> {
  const candidates: string[] = [];
  if (file) candidates.push(resolve(file));
  else {
    const here = dirname(fileURLToPath(import.meta.url));
    for (const root of [process.cwd(), resolve(here, '..', '..', '..')]) {
      const dir = join(root, 'bench', 'results');
      try {
        const names = (await readdir(dir)).filter((n) => n.endsWith('.json')).sort();
        if (names.length) candidates.push(join(dir, names.at(-1)!));
      } catch {
        // no results folder there
      }
    }
  }
  for (const path of candidates) {
    let parsed: { evidence?: BenchEvidence };
    try {
      parsed = JSON.parse(await readFile(path, 'utf8')) as { evidence?: BenchEvidence };
    } catch (err) {
      if (file) throw new Error(`--evidence ${file}: cannot read bench results (${(err as Error).message})`);
      continue;
    }
    if (parsed.evidence?.families) return { ...parsed.evidence, source: parsed.evidence.source ?? path };
    if (file) throw new Error(`--evidence ${file} has no "evidence" section; write it with pnpm bench`);
  }
  return null;
}

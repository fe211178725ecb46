import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import * as batching from './batching.js';

const here = dirname(fileURLToPath(import.meta.url));

/** Every module `file` reaches through relative imports, with the bare specifiers they import. */
async function reachable(file: string, seen = new Map<string, string[]>()): Promise<Map<string, string[]>> {
  if (seen.has(file)) return seen;
  const source = await readFile(join(here, file), 'utf8');
  const specifiers = [...source.matchAll(/^(?:import|export)\s(?!type\b)[^;]*?from\s+'([^']+)'/gm)].map((m) => m[1]!);
  seen.set(file, specifiers.filter((s) => !s.startsWith('.')));
  for (const s of specifiers.filter((s) => s.startsWith('./'))) await reachable(s.replace(/\.js$/, '.ts'), seen);
  return seen;
}

describe('@genloom/datasets/batching', () => {
  it('reaches no Node built-in and no file-reading module, so browsers can bundle it', async () => {
    const graph = await reachable('batching.ts');
    const bare = new Set([...graph.values()].flat());
    expect([...bare].sort()).toEqual(['@genloom/core', '@tensorflow/tfjs']);
    expect(graph.has('files.ts')).toBe(false);
  });

  it('exports the batchers', () => {
    expect(typeof batching.imageBatches).toBe('function');
    expect(typeof batching.textWindows).toBe('function');
  });
});

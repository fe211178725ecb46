import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/** Every module specifier reachable from an entry file through relative imports. */
function reachableImports(entry: string): Set<string> {
  const seen = new Set<string>();
  const specifiers = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+'([^']+)'|^\s*import\s+'([^']+)'|import\('([^']+)'\)/gm)) {
      const spec = m[1] ?? m[2] ?? m[3]!;
      if (spec.startsWith('.')) visit(join(dirname(file), spec.replace(/\.js$/, '.ts')));
      else specifiers.add(spec);
    }
  };
  visit(entry);
  return specifiers;
}

const src = dirname(fileURLToPath(import.meta.url));

describe('entry points', () => {
  it('the main entry is browser-safe: no SQLite, no Node built-ins', () => {
    const imports = [...reachableImports(join(src, 'index.ts'))];
    expect(imports.filter((s) => s === 'better-sqlite3' || s.startsWith('node:') || s === '@genloom/core/node')).toEqual([]);
    expect(imports.sort()).toEqual(['@genloom/core', '@tensorflow/tfjs']);
  });

  it('the ratings entry is the one that loads better-sqlite3', () => {
    expect(reachableImports(join(src, 'ratings', 'index.ts')).has('better-sqlite3')).toBe(true);
  });
});

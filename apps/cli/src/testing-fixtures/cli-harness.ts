import { vi } from 'vitest';
import { run } from '../program.js';

/** What one `genloom` invocation printed. */
export interface CliResult {
  code: number;
  /** stdout and stderr together, in order. */
  text: string;
  /** The lines that are JSON objects, parsed (untyped: each test reads the fields it checks). */
  json: any[];
}

/**
 * For tests: runs the CLI in-process with stdout and stderr captured. Call `capture()` in
 * `beforeAll` and `release()` in `afterAll`.
 *
 * @example
 * ```ts
 * const genloom = cliHarness();
 * beforeAll(genloom.capture);
 * afterAll(genloom.release);
 * const { code, json } = await genloom.run('info', '--json');
 * ```
 */
export function cliHarness(): { capture: () => void; release: () => void; run: (...args: string[]) => Promise<CliResult> } {
  let out: string[] = [];
  const keep = (s: string | Uint8Array) => {
    out.push(String(s));
    return true;
  };
  return {
    capture: () => {
      vi.spyOn(process.stdout, 'write').mockImplementation(keep);
      vi.spyOn(process.stderr, 'write').mockImplementation(keep);
    },
    release: () => vi.restoreAllMocks(),
    run: async (...args) => {
      out = [];
      const code = await run(['node', 'genloom', ...args]);
      const text = out.join('');
      return { code, text, json: text.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l)) };
    },
  };
}

import type { Overrides } from './registry.js';

/**
 * Parses repeated `--set key=value` flags. Values that parse as JSON (numbers, booleans, arrays)
 * are typed; anything else stays a string.
 *
 * @example
 * ```ts
 * parseOverrides(['latentDim=32', 'activation=relu']); // { latentDim: 32, activation: 'relu' }
 * ```
 */
export function parseOverrides(pairs: string[]): Overrides {
  const out: Overrides = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new Error(`--set expects key=value, got "${pair}"`);
    const key = pair.slice(0, eq).trim();
    const raw = pair.slice(eq + 1).trim();
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      value = raw;
    }
    out[key] = value;
  }
  return out;
}

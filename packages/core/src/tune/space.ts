import type { Rng } from '../rng.js';

/** One hyperparameter's distribution. */
export type ParamSpec =
  | { type: 'loguniform'; min: number; max: number }
  | { type: 'uniform'; min: number; max: number }
  | { type: 'int'; min: number; max: number }
  | { type: 'choice'; values: Array<string | number | boolean> };

/** A search space: config field name → distribution (JSON, e.g. the CLI's `--space space.json`). */
export type SearchSpace = Record<string, ParamSpec>;

/** One point of a search space. */
export type ParamValues = Record<string, string | number | boolean>;

/**
 * Checks a search space, throwing an error that names the bad field.
 *
 * @example
 * ```ts
 * validateSpace({ lr: { type: 'loguniform', min: 1e-4, max: 1e-2 }, layers: { type: 'choice', values: [2, 4] } });
 * ```
 */
export function validateSpace(space: SearchSpace): void {
  const names = Object.keys(space);
  if (names.length === 0) throw new Error('The search space is empty; give at least one parameter');
  for (const [name, spec] of Object.entries(space)) {
    const where = `search space "${name}"`;
    switch (spec?.type) {
      case 'loguniform':
        if (!(spec.min > 0 && spec.max > spec.min)) throw new Error(`${where}: loguniform needs 0 < min < max, got min=${spec.min}, max=${spec.max}`);
        break;
      case 'uniform':
      case 'int':
        if (!(Number.isFinite(spec.min) && Number.isFinite(spec.max) && spec.max >= spec.min)) {
          throw new Error(`${where}: ${spec.type} needs finite min <= max, got min=${spec.min}, max=${spec.max}`);
        }
        break;
      case 'choice':
        if (!Array.isArray(spec.values) || spec.values.length === 0) throw new Error(`${where}: choice needs a non-empty values array`);
        break;
      default:
        throw new Error(`${where}: unknown type ${JSON.stringify((spec as { type?: unknown })?.type)}; expected loguniform, uniform, int or choice`);
    }
  }
}

/**
 * Draws one point from a space.
 *
 * @example
 * ```ts
 * const params = sampleSpace(space, new Rng(1)); // { lr: 0.00153, layers: 4 }
 * ```
 */
export function sampleSpace(space: SearchSpace, rng: Rng): ParamValues {
  const out: ParamValues = {};
  for (const [name, spec] of Object.entries(space)) {
    switch (spec.type) {
      case 'loguniform':
        out[name] = Math.exp(rng.uniform(Math.log(spec.min), Math.log(spec.max)));
        break;
      case 'uniform':
        out[name] = rng.uniform(spec.min, spec.max);
        break;
      case 'int':
        out[name] = spec.min + rng.int(spec.max - spec.min + 1);
        break;
      case 'choice':
        out[name] = spec.values[rng.int(spec.values.length)]!;
        break;
    }
  }
  return out;
}

import type { GenerativeModel } from './model.js';

/**
 * How a model family plugs into genloom: its presets, config validation and constructors. Each
 * family package registers one definition when imported; checkpoints are loaded through it.
 *
 * @example
 * ```ts
 * registerFamily({
 *   name: 'vae',
 *   presets: { tiny: {...}, small: {...} },
 *   defaultPreset: 'small',
 *   resolveConfig: resolveVAEConfig,
 *   create: (config, seed) => new VAE(config, seed),
 * });
 * ```
 */
export interface FamilyDefinition<C = any, M extends GenerativeModel = GenerativeModel> {
  name: string;
  description: string;
  /** Named partial configs; `tiny` is the test preset. */
  presets: Record<string, Partial<C>>;
  defaultPreset: string;
  /** Merges a preset and overrides onto the defaults and validates, throwing an error that names the field. */
  resolveConfig(overrides?: Partial<C>, preset?: string): C;
  /** A new model with freshly initialised weights. */
  create(config: C, seed: number): M;
  /** Restores what `extraState()` returned (tokenizers…) on a model created from a checkpoint's config. */
  restoreExtraState?(model: M, extra: Record<string, unknown>): void;
}

const families = new Map<string, FamilyDefinition>();

/**
 * Registers a family (idempotent for the same definition object).
 *
 * @example
 * ```ts
 * registerFamily(vaeFamily);
 * ```
 */
export function registerFamily(def: FamilyDefinition): void {
  const existing = families.get(def.name);
  if (existing && existing !== def) {
    // A second copy of a family package (two versions installed) would register twice: keep the first.
    return;
  }
  if (!(def.defaultPreset in def.presets)) {
    throw new Error(`Family "${def.name}": defaultPreset "${def.defaultPreset}" is not one of its presets (${Object.keys(def.presets).join(', ')})`);
  }
  families.set(def.name, def);
}

/**
 * The registered family of that name, or an error listing the registered ones.
 *
 * @example
 * ```ts
 * const vae = getFamily('vae');
 * ```
 */
export function getFamily(name: string): FamilyDefinition {
  const def = families.get(name);
  if (!def) {
    const known = [...families.keys()];
    throw new Error(
      `Unknown model family "${name}"; registered families: ${known.length ? known.join(', ') : '(none)'}. ` +
        `Import the family's package (e.g. @genloom/${name}) to register it.`,
    );
  }
  return def;
}

/** Names of the registered families. @example `listFamilies() // ['vae', 'gan']` */
export function listFamilies(): string[] {
  return [...families.keys()];
}

/**
 * Resolves a config from a preset name plus overrides, with an error listing the presets when the
 * name is unknown. Families use it to implement `resolveConfig`.
 *
 * @example
 * ```ts
 * const config = resolvePreset('vae', presets, defaults, 'tiny', { latentDim: 4 });
 * ```
 */
export function resolvePreset<C extends object>(family: string, presets: Record<string, Partial<C>>, defaults: C, preset: string | undefined, overrides: Partial<C> = {}): C {
  if (preset !== undefined && !(preset in presets)) {
    throw new Error(`Unknown ${family} preset "${preset}"; expected one of: ${Object.keys(presets).join(', ')}`);
  }
  const base = preset ? presets[preset]! : {};
  const merged = { ...defaults, ...base, ...overrides } as C;
  const allowed = new Set(Object.keys(defaults));
  for (const key of Object.keys(overrides)) {
    if (!allowed.has(key)) throw new Error(`Unknown ${family} config field "${key}"; valid fields: ${[...allowed].join(', ')}`);
  }
  return merged;
}

import type { DataSource, GenerativeModel, TrainOptions } from '@genloom/core';
import type { Command } from 'commander';

/** Parsed `--set key=value` overrides (values JSON-parsed when they parse, else strings). */
export type Overrides = Record<string, unknown>;

/** What a family's `prepareTraining` returns to the `train` command. */
export interface PreparedTraining {
  model: GenerativeModel;
  data: DataSource;
  /** Defaults for this family and preset (optimizer, schedule, clipNorm, steps…); CLI flags override. */
  trainOptions: Partial<TrainOptions>;
  /** Validation metrics at eval points and at the end (keys as in the foundation issue: valLoss, negElbo…). */
  evaluate?: (step: number) => Promise<Record<string, number>>;
  /** Frees data held in memory after training. */
  dispose?: () => void;
}

/** Arguments of {@link CliFamily.prepareTraining}. */
export interface PrepareArgs {
  /** The `--data` spec: a built-in name or `text:PATH`, `idx:…`, `images:DIR`, `csv:PATH`. */
  data: string;
  preset: string | undefined;
  overrides: Overrides;
  seed: number;
  /** When resuming or fine-tuning: the model loaded from the checkpoint (its config and tokenizer win). */
  resumed?: GenerativeModel;
}

/** What `genloom sample` produced. */
export interface SampleOutput {
  /** Text to print (token models). */
  text?: string;
  /** PNG bytes to write with --out (image models). */
  png?: Uint8Array;
  /** Machine-readable result for --json. */
  json: unknown;
}

/** Options of `genloom sample` passed through to the family. */
export interface SampleArgs {
  n: number;
  seed: number;
  prompt?: string;
  temperature?: number;
  topK?: number;
  topP?: number;
  /** Family-specific flags (`--interpolate`, `--steps`, `--guidance`…), as given. */
  flags: Record<string, unknown>;
}

/**
 * How a model family plugs into the CLI. Each family's adapter lives in `src/families/<name>.ts`
 * and is listed once in `src/families/index.ts`; commands look families up here, never through an
 * `if` chain.
 */
export interface CliFamily {
  /** Name on the command line (`genloom train <name>`). */
  name: string;
  /** Core family name recorded in checkpoints (usually the same). */
  family: string;
  description: string;
  /** Data spec used when `--data` is omitted. */
  defaultData: string;
  presets: string[];
  prepareTraining(args: PrepareArgs): Promise<PreparedTraining>;
  sample(model: GenerativeModel, args: SampleArgs): Promise<SampleOutput>;
  /** Metrics of a checkpoint on data (`genloom eval`). */
  evaluate(model: GenerativeModel, data: string, flags: Record<string, unknown>): Promise<Record<string, number>>;
  /**
   * Config fields that `--set` may change when resuming or fine-tuning (dropout, the training
   * recipe): the model is rebuilt with them around the checkpoint's weights. Any other changed
   * field is refused, since it would describe another architecture than the weights.
   */
  resumableFields?: readonly string[];
  /** Commands of the family's own (`genloom anomaly` for the VAE), added to the program. */
  registerCommands?(program: Command, io: CommandIO): void;
}

/** Shared plumbing that family commands use: backend start-up, checkpoint loading, output. */
export interface CommandIO {
  /** Starts the backend (logging the choice unless --json) and loads a checkpoint directory. */
  loadModel(dir: string, json: boolean): Promise<GenerativeModel>;
  /** Prints a result: JSON when `json`, else the human form. */
  print(json: boolean, value: unknown, human: string): void;
}

const registry = new Map<string, CliFamily>();

/** Adds a family adapter to the CLI. */
export function registerCliFamily(adapter: CliFamily): void {
  registry.set(adapter.name, adapter);
}

/** The adapter for a command-line family name, or an error listing the valid ones. */
export function cliFamily(name: string): CliFamily {
  const found = registry.get(name);
  if (!found) throw new Error(`Unknown family "${name}"; expected one of: ${[...registry.keys()].join(', ') || '(none registered)'}`);
  return found;
}

/** The adapter that handles checkpoints of a core family name. */
export function cliFamilyForCheckpoint(family: string): CliFamily {
  for (const a of registry.values()) if (a.family === family) return a;
  throw new Error(`No command-line support for checkpoints of family "${family}"; known: ${[...registry.values()].map((a) => a.family).join(', ')}`);
}

/** All registered adapters. */
export function cliFamilies(): CliFamily[] {
  return [...registry.values()];
}

/** The fields of core's `TrainingRecipe` (batch size, learning-rate schedule, AdamW, clipping): safe to change on resume. */
export const TRAINING_RECIPE_FIELDS = ['batchSize', 'lr', 'minLr', 'warmupIters', 'lrDecayIters', 'maxIters', 'weightDecay', 'beta1', 'beta2', 'gradClip'] as const;

import * as tf from '@tensorflow/tfjs';
import { getFamily } from '../family.js';
import type { GenerativeModel } from '../model.js';
import type { RngState } from '../rng.js';
import type { CheckpointReader, CheckpointWriter } from './store.js';

/** Version of the checkpoint layout this build writes; it reads this and older ones. */
export const CHECKPOINT_FORMAT_VERSION = 1;

/** Where a checkpoint came from. */
export interface Provenance {
  createdAt: string;
  genloomVersion: string;
  tfjsVersion: string;
  backend: string;
  seed?: number;
  steps?: number;
  /** The checkpoint this one was fine-tuned from. */
  parent?: string;
  /** The checkpoints whose weights were averaged into this one (`averageCheckpoints`). */
  averagedFrom?: string[];
  /** The command line or API call that produced it. */
  command?: string;
  data?: string;
}

/** State needed to resume training exactly (saved beside the weights). */
export interface TrainingState {
  step: number;
  rngState: RngState;
  /** Optimizer groups: config and step count; slots are in `training.bin`. */
  optimizers: Record<string, { config: import('../optim/optimizer.js').OptimizerConfig; step: number }>;
  /** Loss history so far (one entry per logged step). */
  history: Array<{ step: number; losses: Record<string, number> }>;
  emaDecay?: number;
  /** Anything else the run recorded (seed, total steps, data spec). */
  run?: Record<string, unknown>;
}

/** The `genloom.json` manifest. */
export interface CheckpointManifest {
  format: 'genloom-checkpoint';
  formatVersion: number;
  family: string;
  config: unknown;
  extra: Record<string, unknown>;
  metrics: Record<string, number>;
  provenance: Provenance;
  /** Byte length and FNV-1a hash of `weights.bin` (and `training.bin` when present), to detect truncation and corruption. */
  integrity: Record<string, { bytes: number; fnv1a: string }>;
  training?: TrainingState;
}

/** Weight file manifest in the tfjs layout (`model.json`), loadable by `tf.io` handlers too. */
interface WeightsJson {
  format: 'genloom-weights';
  generatedBy: string;
  weightsManifest: Array<{ paths: string[]; weights: tf.io.WeightsManifestEntry[] }>;
}

function fnv1a(bytes: Uint8Array): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i]!;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

async function encodeNamed(tensors: tf.NamedTensorMap, binName: string): Promise<{ json: WeightsJson; bin: Uint8Array }> {
  const { data, specs } = await tf.io.encodeWeights(tensors);
  const buffer = Array.isArray(data) ? tf.io.concatenateArrayBuffers(data) : data;
  return {
    json: { format: 'genloom-weights', generatedBy: `tfjs ${tf.version.tfjs}`, weightsManifest: [{ paths: [binName], weights: specs }] },
    bin: new Uint8Array(buffer),
  };
}

function expectedBytes(specs: tf.io.WeightsManifestEntry[]): number {
  const size: Record<string, number> = { float32: 4, int32: 4, bool: 1, complex64: 8, string: NaN };
  return specs.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1) * (size[s.dtype] ?? NaN), 0);
}

/** Reads one weight file pair (`model.json` + its bin), checking its length and checksum. */
export async function decodeNamed(reader: CheckpointReader, jsonName: string, integrity: CheckpointManifest['integrity']): Promise<tf.NamedTensorMap> {
  let json: WeightsJson;
  try {
    json = JSON.parse(await reader.readText(jsonName)) as WeightsJson;
  } catch (err) {
    throw new Error(`Checkpoint ${reader.location}: ${jsonName} is missing or not valid JSON (${(err as Error).message})`);
  }
  const group = json.weightsManifest?.[0];
  if (!group || !Array.isArray(group.weights) || group.paths.length !== 1) {
    throw new Error(`Checkpoint ${reader.location}: ${jsonName} has no weightsManifest with one weights file`);
  }
  const binName = group.paths[0]!;
  const bin = await reader.readBytes(binName);
  const want = expectedBytes(group.weights);
  if (bin.byteLength !== want) {
    throw new Error(`Checkpoint ${reader.location}: ${binName} has ${bin.byteLength} bytes but its manifest describes ${want} (truncated or corrupt)`);
  }
  const check = integrity[binName];
  if (check && check.fnv1a !== fnv1a(bin)) {
    throw new Error(`Checkpoint ${reader.location}: ${binName} does not match its recorded checksum (corrupt file)`);
  }
  const copy = bin.slice().buffer;
  return tf.io.decodeWeights(copy, group.weights);
}

/** What {@link saveModel} records beside the weights. */
export interface SaveOptions {
  metrics?: Record<string, number>;
  provenance?: Partial<Provenance>;
  /** Resumable training state and its tensors (optimizer slots, EMA shadows). */
  training?: { state: TrainingState; tensors: tf.NamedTensorMap };
}

/**
 * Writes a model as a genloom checkpoint: `genloom.json` (family, config, extra state, metrics,
 * provenance, checksums), `model.json` + `weights.bin` (the tfjs weight layout) and, for resumable
 * runs, `training.json` + `training.bin`.
 *
 * @example
 * ```ts
 * import { directoryCheckpointStore } from '@genloom/core/node';
 * await saveModel(model, directoryCheckpointStore('runs/vae').writer, { metrics: { negElbo: 101.2 } });
 * ```
 */
export async function saveModel(model: GenerativeModel, writer: CheckpointWriter, opts: SaveOptions = {}): Promise<CheckpointManifest> {
  const weights = await encodeNamed(model.getWeights(), 'weights.bin');
  const files: Record<string, string | Uint8Array> = {
    'model.json': JSON.stringify(weights.json),
    'weights.bin': weights.bin,
  };
  const integrity: CheckpointManifest['integrity'] = { 'weights.bin': { bytes: weights.bin.byteLength, fnv1a: fnv1a(weights.bin) } };
  if (opts.training) {
    const t = await encodeNamed(opts.training.tensors, 'training.bin');
    files['training.json'] = JSON.stringify(t.json);
    files['training.bin'] = t.bin;
    integrity['training.bin'] = { bytes: t.bin.byteLength, fnv1a: fnv1a(t.bin) };
  }
  const manifest: CheckpointManifest = {
    format: 'genloom-checkpoint',
    formatVersion: CHECKPOINT_FORMAT_VERSION,
    family: model.family,
    config: model.config,
    extra: model.extraState?.() ?? {},
    metrics: opts.metrics ?? {},
    provenance: {
      createdAt: new Date().toISOString(),
      genloomVersion: GENLOOM_VERSION,
      tfjsVersion: tf.version.tfjs,
      backend: tf.getBackend(),
      ...opts.provenance,
    },
    integrity,
    ...(opts.training ? { training: opts.training.state } : {}),
  };
  files['genloom.json'] = JSON.stringify(manifest, null, 2);
  await writer.writeAll(files);
  return manifest;
}

/** The genloom version recorded in checkpoints. */
export const GENLOOM_VERSION = '0.1.0';

/**
 * Reads and validates `genloom.json`: format, version and (optionally) the expected family.
 *
 * @example
 * ```ts
 * const manifest = await readManifest(reader, 'vae');
 * manifest.metrics.negElbo;
 * ```
 */
export async function readManifest(reader: CheckpointReader, expectedFamily?: string): Promise<CheckpointManifest> {
  let text: string;
  try {
    text = await reader.readText('genloom.json');
  } catch (err) {
    throw new Error(`${reader.location} is not a genloom checkpoint: genloom.json cannot be read (${(err as Error).message})`);
  }
  let manifest: CheckpointManifest;
  try {
    manifest = JSON.parse(text) as CheckpointManifest;
  } catch (err) {
    throw new Error(`Checkpoint ${reader.location}: genloom.json is not valid JSON (${(err as Error).message}); the file is corrupt or truncated`);
  }
  if (manifest.format !== 'genloom-checkpoint') {
    throw new Error(`Checkpoint ${reader.location}: genloom.json has format ${JSON.stringify(manifest.format)}, expected "genloom-checkpoint"`);
  }
  if (!Number.isInteger(manifest.formatVersion) || manifest.formatVersion > CHECKPOINT_FORMAT_VERSION) {
    throw new Error(
      `Checkpoint ${reader.location} has format version ${manifest.formatVersion}; this genloom (${GENLOOM_VERSION}) reads versions up to ${CHECKPOINT_FORMAT_VERSION}. Upgrade genloom to load it.`,
    );
  }
  if (expectedFamily !== undefined && manifest.family !== expectedFamily) {
    throw new Error(`Checkpoint ${reader.location} holds a "${manifest.family}" model, not a "${expectedFamily}" model`);
  }
  return manifest;
}

/** A model restored from a checkpoint, with its manifest and (when saved) its training state. */
export interface LoadedCheckpoint<M extends GenerativeModel = GenerativeModel> {
  model: M;
  manifest: CheckpointManifest;
  /** Optimizer slots and EMA shadows by name, when the checkpoint is resumable (caller disposes). */
  trainingTensors: tf.NamedTensorMap | null;
}

/**
 * Loads a checkpoint through its family's registered definition. Errors are clear for a missing or
 * corrupt file, a wrong family, a future format version, and missing or mis-shaped weights.
 *
 * @example
 * ```ts
 * import '@genloom/vae'; // registers the family
 * const { model, manifest } = await loadCheckpoint(directoryCheckpointStore('runs/vae').reader, { family: 'vae' });
 * ```
 */
export async function loadCheckpoint<M extends GenerativeModel = GenerativeModel>(
  reader: CheckpointReader,
  opts: { family?: string; withTraining?: boolean } = {},
): Promise<LoadedCheckpoint<M>> {
  const manifest = await readManifest(reader, opts.family);
  const weights = await decodeNamed(reader, 'model.json', manifest.integrity ?? {});
  let model: M;
  try {
    model = modelWithWeights<M>(manifest, weights, `Checkpoint ${reader.location}`);
  } finally {
    tf.dispose(weights);
  }
  let trainingTensors: tf.NamedTensorMap | null = null;
  if (opts.withTraining && manifest.training && (await reader.has('training.json'))) {
    trainingTensors = await decodeNamed(reader, 'training.json', manifest.integrity ?? {});
  }
  return { model, manifest, trainingTensors };
}

/**
 * A new model of the manifest's family and config holding `weights` (copied; the caller keeps and
 * disposes them) and the manifest's extra state; errors are prefixed with `where`.
 */
export function modelWithWeights<M extends GenerativeModel>(manifest: Pick<CheckpointManifest, 'family' | 'config' | 'extra'>, weights: tf.NamedTensorMap, where: string): M {
  const family = getFamily(manifest.family);
  const model = family.create(family.resolveConfig(manifest.config as never), 0) as M;
  try {
    model.setWeights(weights);
    family.restoreExtraState?.(model, manifest.extra ?? {});
  } catch (err) {
    model.dispose();
    throw new Error(`${where}: ${(err as Error).message}`);
  }
  return model;
}

/**
 * Loads a checkpoint and returns only the model.
 *
 * @example
 * ```ts
 * const gpt = await loadModel(httpCheckpointReader('/checkpoints/gpt'));
 * ```
 */
export async function loadModel<M extends GenerativeModel = GenerativeModel>(reader: CheckpointReader, family?: string): Promise<M> {
  return (await loadCheckpoint<M>(reader, family === undefined ? {} : { family })).model;
}

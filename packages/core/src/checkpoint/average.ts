import * as tf from '@tensorflow/tfjs';
import type { GenerativeModel } from '../model.js';
import { decodeNamed, modelWithWeights, readManifest, type CheckpointManifest } from './format.js';
import type { CheckpointReader } from './store.js';

/** A model whose weights are the (weighted) mean of several checkpoints', with their manifests. */
export interface AveragedCheckpoint<M extends GenerativeModel = GenerativeModel> {
  model: M;
  /** The manifests of the averaged checkpoints, in the order given. */
  sources: CheckpointManifest[];
  /** The coefficient each checkpoint got (they sum to 1). */
  coefficients: number[];
}

/** JSON with object keys sorted, so two configs compare equal whatever order their keys were written in. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

/**
 * Averages the weights of checkpoints of one architecture: the last checkpoints of one run
 * (checkpoint averaging, as in Vaswani et al. 2017) or runs continued from a shared parent (a
 * "model soup", Wortsman et al. 2022). Every checkpoint must hold the same family, config and extra
 * state (tokenizers, vocabularies; config fields named in `mayDiffer` excepted) and the same weights
 * by name and shape; non-float weights must
 * be equal. Weights are read one checkpoint at a time, so memory holds two copies of the model, not
 * one per checkpoint. The result is a fresh model (no training state): save it with
 * {@link saveModel} and evaluate it like any other.
 *
 * Averaging only helps when the checkpoints lie in one basin of the loss: runs trained from
 * different random initialisations average to nonsense. Evaluate the average beside its sources.
 *
 * @param readers - the checkpoints, at least one.
 * @param opts.weights - relative weight of each checkpoint (positive; default equal); normalised to sum to 1.
 * @param opts.mayDiffer - config fields that may differ between the checkpoints because they only
 *   shape training (dropout, learning rate…); the average keeps the first checkpoint's values.
 * @example
 * ```ts
 * import { directoryCheckpointStore } from '@genloom/core/node';
 * const dirs = ['runs/g2p-a', 'runs/g2p-b'];
 * const { model, sources } = await averageCheckpoints(dirs.map((d) => directoryCheckpointStore(d).reader));
 * await saveModel(model, directoryCheckpointStore('runs/g2p-soup').writer, { provenance: { averagedFrom: dirs } });
 * ```
 */
export async function averageCheckpoints<M extends GenerativeModel = GenerativeModel>(
  readers: CheckpointReader[],
  opts: { weights?: number[]; mayDiffer?: readonly string[] } = {},
): Promise<AveragedCheckpoint<M>> {
  const mayDiffer = opts.mayDiffer ?? [];
  if (readers.length === 0) throw new Error('averageCheckpoints needs at least one checkpoint, got none');
  const raw = opts.weights ?? readers.map(() => 1);
  if (raw.length !== readers.length) {
    throw new Error(`averageCheckpoints: ${raw.length} weights given for ${readers.length} checkpoints; give one weight per checkpoint`);
  }
  raw.forEach((w, i) => {
    if (!(Number.isFinite(w) && w > 0)) throw new Error(`averageCheckpoints: weight ${i} is ${w}; expected a positive finite number`);
  });
  const total = raw.reduce((a, b) => a + b, 0);
  const coefficients = raw.map((w) => w / total);

  const sources: CheckpointManifest[] = [];
  const sum = new Map<string, tf.Tensor>();
  try {
    for (const [i, reader] of readers.entries()) {
      const manifest = await readManifest(reader);
      const first = sources[0];
      if (first) {
        const differs = (what: string) =>
          new Error(`Cannot average ${reader.location} with ${readers[0]!.location}: their ${what} differ (only checkpoints of one architecture and vocabulary can be averaged)`);
        if (manifest.family !== first.family) throw differs(`families ("${manifest.family}" and "${first.family}")`);
        const [mine, theirs] = [manifest.config, first.config] as Record<string, unknown>[];
        const keys = [...new Set([...Object.keys(mine!), ...Object.keys(theirs!)])];
        const fields = keys.filter((key) => !mayDiffer.includes(key) && canonical(mine![key]) !== canonical(theirs![key]));
        if (fields.length > 0) throw differs(`configs (${fields.map((key) => `${key}: ${canonical(mine![key])} vs ${canonical(theirs![key])}`).join(', ')})`);
        if (canonical(manifest.extra ?? {}) !== canonical(first.extra ?? {})) throw differs('extra states (tokenizers, vocabularies)');
      }
      sources.push(manifest);
      const weights = await decodeNamed(reader, 'model.json', manifest.integrity ?? {});
      try {
        await accumulate(sum, weights, coefficients[i]!, i === 0, reader.location);
      } finally {
        tf.dispose(weights);
      }
    }
    const model = modelWithWeights<M>(sources[0]!, Object.fromEntries(sum), 'Averaged checkpoint');
    return { model, sources, coefficients };
  } finally {
    tf.dispose([...sum.values()]);
  }
}

/** Adds `coefficient · weights` into `sum` (which the first checkpoint fills), checking names, shapes and dtypes. */
async function accumulate(sum: Map<string, tf.Tensor>, weights: tf.NamedTensorMap, coefficient: number, first: boolean, location: string): Promise<void> {
  const names = Object.keys(weights);
  if (!first) {
    const missing = [...sum.keys()].filter((n) => !(n in weights));
    const extra = names.filter((n) => !sum.has(n));
    if (missing.length || extra.length) {
      throw new Error(`Cannot average ${location}: its weights differ by name (missing ${JSON.stringify(missing)}, unexpected ${JSON.stringify(extra)})`);
    }
  }
  for (const name of names) {
    const w = weights[name]!;
    const acc = sum.get(name);
    if (acc && (acc.dtype !== w.dtype || !tf.util.arraysEqual(acc.shape, w.shape))) {
      throw new Error(`Cannot average ${location}: weight "${name}" is ${w.dtype} [${w.shape}] but the first checkpoint's is ${acc.dtype} [${acc.shape}]`);
    }
    if (w.dtype !== 'float32') {
      // Counters and indices cannot be averaged: they must agree.
      if (!acc) {
        sum.set(name, w.clone());
        continue;
      }
      const same = tf.tidy(() => tf.all(tf.equal(acc, w)));
      const agree = (await same.data())[0] === 1;
      same.dispose();
      if (!agree) {
        throw new Error(`Cannot average ${location}: its ${w.dtype} weight "${name}" differs from the first checkpoint's (only float weights are averaged)`);
      }
      continue;
    }
    const next = tf.tidy(() => (acc ? acc.add(w.mul(coefficient)) : w.mul(coefficient)));
    acc?.dispose();
    sum.set(name, next);
  }
}

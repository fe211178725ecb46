import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { loadCheckpoint, saveModel } from '../checkpoint/format.js';
import { memoryCheckpointStore } from '../checkpoint/store.js';
import type { DataSource, TensorBatch } from '../data.js';
import { getFamily } from '../family.js';
import type { GenerativeModel } from '../model.js';
import type { OptimizerSettings } from '../train/context.js';
import { train } from '../train/trainer.js';

/** What a family hands the shared contract suite. */
export interface ContractSuiteOptions<M extends GenerativeModel> {
  /** The registered family name (its package must be imported so it is registered). */
  family: string;
  /** Preset to build (default 'tiny'). */
  preset?: string;
  /** Small real data for the family. */
  data: () => DataSource | Promise<DataSource>;
  /** Steps within which the loss must fall (default 40). */
  steps?: number;
  optimizer?: OptimizerSettings;
  /** The loss key that must fall (default 'loss'). */
  lossKey?: string;
  /** Required relative drop of the loss, mean of the last 5 steps vs the first 5 (default 0.1). */
  minDrop?: number;
  /** Generates something comparable (numbers or text) for a seed. */
  generate: (model: M, seed: number) => Promise<ArrayLike<number> | string>;
}

/**
 * The behaviour every genloom family guarantees, as a vitest suite: it builds from its preset with
 * a JSON-serialisable config, its loss is finite and falls on real data, save → load gives identical
 * outputs, generation is deterministic for a seed (and differs across seeds), and neither training
 * nor generation leaks tensors.
 *
 * @example
 * ```ts
 * // packages/vae/src/contract.test.ts
 * import { runContractSuite } from '@genloom/core/testing';
 * import '@genloom/vae';
 * runContractSuite({
 *   family: 'vae',
 *   data: () => imageBatches(loadDigits(), { batchSize: 64, seed: 1 }),
 *   generate: async (m, seed) => (await m.sample(4, { seed })).data(),
 * });
 * ```
 */
export function runContractSuite<M extends GenerativeModel>(opts: ContractSuiteOptions<M>): void {
  const preset = opts.preset ?? 'tiny';
  const lossKey = opts.lossKey ?? 'loss';
  const create = (seed: number): M => {
    const family = getFamily(opts.family);
    return family.create(family.resolveConfig({}, preset), seed) as M;
  };
  const toArray = (x: ArrayLike<number> | string) => (typeof x === 'string' ? x : Array.from(x));

  describe(`${opts.family} (${preset}) satisfies the genloom model contract`, () => {
    it('builds with parameters and a JSON-serialisable config', () => {
      const model = create(1);
      expect(model.family).toBe(opts.family);
      expect(model.namedParameters().length).toBeGreaterThan(0);
      expect(JSON.parse(JSON.stringify(model.config))).toEqual(model.config);
      const names = model.namedParameters().map(([n]) => n);
      expect(new Set(names).size).toBe(names.length);
      model.dispose();
    });

    it(`has a finite ${lossKey} that falls within ${opts.steps ?? 40} steps on real data`, async () => {
      const model = create(1);
      const data = await opts.data();
      const result = await train(model, data, { steps: opts.steps ?? 40, optimizer: opts.optimizer ?? { type: 'adam', lr: 2e-3 }, seed: 1 });
      const losses = result.history.map((h) => h.losses[lossKey]!);
      expect(losses.every(Number.isFinite)).toBe(true);
      const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
      const first = mean(losses.slice(0, 5));
      const last = mean(losses.slice(-5));
      expect(last).toBeLessThan(first * (1 - (opts.minDrop ?? 0.1)));
      model.dispose();
    });

    it('save → load gives identical weights and outputs', async () => {
      const model = create(2);
      const store = memoryCheckpointStore();
      await saveModel(model, store.writer);
      const { model: loaded } = await loadCheckpoint<M>(store.reader, { family: opts.family });
      const a = model.getWeights();
      const b = loaded.getWeights();
      expect(Object.keys(b).sort()).toEqual(Object.keys(a).sort());
      for (const name of Object.keys(a)) {
        expect(Array.from(await b[name]!.data())).toEqual(Array.from(await a[name]!.data()));
      }
      expect(toArray(await opts.generate(loaded, 5))).toEqual(toArray(await opts.generate(model, 5)));
      model.dispose();
      loaded.dispose();
    });

    it('generation is deterministic for a seed and varies across seeds', async () => {
      const model = create(3);
      const a = toArray(await opts.generate(model, 11));
      const b = toArray(await opts.generate(model, 11));
      const c = toArray(await opts.generate(model, 12));
      expect(b).toEqual(a);
      expect(c).not.toEqual(a);
      model.dispose();
    });

    it('declares only known evaluation capabilities; generated images are [n, H, W, C] in [0, 1], fixed by the seed', async () => {
      const model = create(5);
      const caps = model.capabilities?.() ?? {};
      expect(Object.keys(caps).filter((k) => !['imageGeneration', 'likelihood', 'textScoring', 'translation'].includes(k))).toEqual([]);
      const images = caps.imageGeneration;
      if (images) {
        const before = tf.memory().numTensors;
        const labels = images.numClasses > 0 ? [images.numClasses - 1, 0, 1 % images.numClasses] : undefined;
        const a = await images.generate(3, { seed: 5, ...(labels ? { labels } : {}) });
        const b = await images.generate(3, { seed: 5, ...(labels ? { labels } : {}) });
        expect(a.shape).toEqual([3, ...images.imageShape]);
        const pixels = Array.from(await a.data());
        expect(pixels.every((v) => v >= 0 && v <= 1)).toBe(true);
        expect(Array.from(await b.data())).toEqual(pixels);
        tf.dispose([a, b]);
        expect(tf.memory().numTensors).toBe(before);
      }
      model.dispose();
    });

    it('leaks no tensors in training or generation', async () => {
      const model = create(4);
      const data = await opts.data();
      await train(model, data, { steps: 2, optimizer: opts.optimizer ?? { type: 'adam', lr: 1e-3 } });
      await opts.generate(model, 1);
      const before = tf.memory().numTensors;
      await train(model, data, { steps: 5, optimizer: opts.optimizer ?? { type: 'adam', lr: 1e-3 } });
      await opts.generate(model, 1);
      expect(tf.memory().numTensors).toBe(before);
      model.dispose();
    });
  });
}

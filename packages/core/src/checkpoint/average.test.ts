import * as tf from '@tensorflow/tfjs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/index.js';
import { registerFamily } from '../family.js';
import { directoryCheckpointStore } from '../node.js';
import { ToyModel, toyFamily } from '../testing-fixtures/toy.js';
import { averageCheckpoints } from './average.js';
import { loadCheckpoint, saveModel } from './format.js';

let dir: string;
beforeAll(async () => {
  await initBackend('wasm');
  registerFamily(toyFamily);
  dir = await mkdtemp(join(tmpdir(), 'genloom-avg-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function saved(name: string, seed: number, hidden = 3): Promise<string> {
  const model = new ToyModel({ dim: 8, hidden }, seed);
  const path = join(dir, name);
  await saveModel(model, directoryCheckpointStore(path).writer);
  model.dispose();
  return path;
}

async function weightsOf(path: string): Promise<Record<string, number[]>> {
  const { model } = await loadCheckpoint<ToyModel>(directoryCheckpointStore(path).reader);
  const out: Record<string, number[]> = {};
  for (const [name, t] of Object.entries(model.getWeights())) out[name] = Array.from(await t.data());
  model.dispose();
  return out;
}

const reader = (path: string) => directoryCheckpointStore(path).reader;

describe('averageCheckpoints', () => {
  it('gives the weighted mean of every weight, and the mean of a checkpoint with itself is that checkpoint', async () => {
    const [a, b] = [await saved('a', 1), await saved('b', 2)];
    const [wa, wb] = [await weightsOf(a), await weightsOf(b)];
    const before = tf.memory().numTensors;

    const equal = await averageCheckpoints<ToyModel>([reader(a), reader(b)]);
    expect(equal.coefficients).toEqual([0.5, 0.5]);
    const weighted = await averageCheckpoints<ToyModel>([reader(a), reader(b)], { weights: [3, 1] });
    expect(weighted.coefficients).toEqual([0.75, 0.25]);
    for (const [name, t] of Object.entries(equal.model.getWeights())) {
      const got = Array.from(await t.data());
      got.forEach((v, i) => expect(v).toBeCloseTo((wa[name]![i]! + wb[name]![i]!) / 2, 6));
    }
    for (const [name, t] of Object.entries(weighted.model.getWeights())) {
      const got = Array.from(await t.data());
      got.forEach((v, i) => expect(v).toBeCloseTo(0.75 * wa[name]![i]! + 0.25 * wb[name]![i]!, 6));
    }
    expect(equal.sources.map((m) => m.family)).toEqual(['toy', 'toy']);
    equal.model.dispose();
    weighted.model.dispose();

    const self = await averageCheckpoints<ToyModel>([reader(a), reader(a)]);
    const original = await loadCheckpoint<ToyModel>(reader(a));
    expect(Array.from(await self.model.generate(5))).toEqual(Array.from(await original.model.generate(5)));
    self.model.dispose();
    original.model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses checkpoints of another config or family, bad weights and an empty list, naming the problem', async () => {
    const a = await saved('c', 1);
    const wide = await saved('wide', 1, 4);
    const before = tf.memory().numTensors;
    await expect(averageCheckpoints([reader(a), reader(wide)])).rejects.toThrow(/wide with .*c: their configs \(hidden: 4 vs 3\) differ/);
    // a training-only field may differ when named (it does not change the weights' meaning)
    const tuned = await saved('tuned', 2);
    const edited = JSON.parse(await readFile(join(tuned, 'genloom.json'), 'utf8'));
    edited.config = { ...edited.config, lr: 0.5 };
    await writeFile(join(tuned, 'genloom.json'), JSON.stringify(edited));
    await expect(averageCheckpoints([reader(a), reader(tuned)])).rejects.toThrow(/their configs \(lr: 0.5 vs undefined\) differ/);
    const mixed = await averageCheckpoints([reader(a), reader(tuned)], { mayDiffer: ['lr'] });
    mixed.model.dispose();
    await expect(averageCheckpoints([])).rejects.toThrow(/at least one checkpoint, got none/);
    await expect(averageCheckpoints([reader(a)], { weights: [1, 2] })).rejects.toThrow(/2 weights given for 1 checkpoints/);
    await expect(averageCheckpoints([reader(a), reader(a)], { weights: [1, -1] })).rejects.toThrow(/weight 1 is -1; expected a positive finite number/);

    const other = await saved('other-family', 2);
    const manifest = JSON.parse(await readFile(join(other, 'genloom.json'), 'utf8'));
    manifest.family = 'vae';
    await writeFile(join(other, 'genloom.json'), JSON.stringify(manifest));
    await expect(averageCheckpoints([reader(a), reader(other)])).rejects.toThrow(/their families \("vae" and "toy"\) differ/);

    const renamed = await saved('renamed', 2);
    const weightsJson = JSON.parse(await readFile(join(renamed, 'model.json'), 'utf8'));
    weightsJson.weightsManifest[0].weights[0].name = 'enc.kernel2';
    await writeFile(join(renamed, 'model.json'), JSON.stringify(weightsJson));
    await expect(averageCheckpoints([reader(a), reader(renamed)])).rejects.toThrow(/weights differ by name \(missing \["enc.kernel"\], unexpected \["enc.kernel2"\]\)/);
    expect(tf.memory().numTensors).toBe(before);
  });
});

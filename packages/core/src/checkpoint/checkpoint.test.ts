import * as tf from '@tensorflow/tfjs';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/index.js';
import { registerFamily } from '../family.js';
import { directoryCheckpointStore } from '../node.js';
import { ToyModel, toyFamily } from '../testing-fixtures/toy.js';
import { loadCheckpoint, readManifest, saveModel } from './format.js';
import { httpCheckpointReader } from './store.js';

let dir: string;
beforeAll(async () => {
  await initBackend('wasm');
  registerFamily(toyFamily);
  dir = await mkdtemp(join(tmpdir(), 'genloom-ckpt-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function savedToy(name: string): Promise<{ path: string; model: ToyModel }> {
  const model = new ToyModel({ dim: 8, hidden: 3 }, 11);
  const path = join(dir, name);
  await saveModel(model, directoryCheckpointStore(path).writer, { metrics: { loss: 0.5 }, provenance: { command: 'test' } });
  return { path, model };
}

describe('checkpoints', () => {
  it('save → load gives identical outputs and keeps metrics and provenance', async () => {
    const { path, model } = await savedToy('ok');
    expect((await readdir(path)).sort()).toEqual(['genloom.json', 'model.json', 'weights.bin']);
    const { model: loaded, manifest } = await loadCheckpoint<ToyModel>(directoryCheckpointStore(path).reader, { family: 'toy' });
    expect(Array.from(await loaded.generate(3))).toEqual(Array.from(await model.generate(3)));
    expect(manifest.metrics).toEqual({ loss: 0.5 });
    expect(manifest.provenance.command).toBe('test');
    expect(manifest.provenance.tfjsVersion).toBe(tf.version.tfjs);
    model.dispose();
    loaded.dispose();
  });

  it('the same files load over HTTP (as a browser does)', async () => {
    const { path, model } = await savedToy('http');
    const fakeFetch = (async (url: string) => {
      const name = url.split('/').pop()!;
      try {
        const body = await readFile(join(path, name));
        return new Response(body, { status: 200 });
      } catch {
        return new Response('', { status: 404, statusText: 'Not Found' });
      }
    }) as typeof fetch;
    const { model: loaded } = await loadCheckpoint<ToyModel>(httpCheckpointReader('http://example.test/ckpt/', fakeFetch));
    expect(Array.from(await loaded.generate(1))).toEqual(Array.from(await model.generate(1)));
    model.dispose();
    loaded.dispose();
  });

  it('rejects a wrong family, a future version, bad JSON, truncated and corrupt weights', async () => {
    const { path, model } = await savedToy('bad');
    model.dispose();
    const reader = directoryCheckpointStore(path).reader;
    await expect(loadCheckpoint(reader, { family: 'vae' })).rejects.toThrow(/holds a "toy" model, not a "vae" model/);
    const manifestText = await readFile(join(path, 'genloom.json'), 'utf8');
    const manifest = JSON.parse(manifestText);

    await writeFile(join(path, 'genloom.json'), JSON.stringify({ ...manifest, formatVersion: 99 }));
    await expect(readManifest(reader)).rejects.toThrow(/format version 99.*reads versions up to 1/);
    await writeFile(join(path, 'genloom.json'), JSON.stringify({ ...manifest, family: 'nope' }));
    await expect(loadCheckpoint(reader)).rejects.toThrow(/Unknown model family "nope"; registered families: .*toy/);
    await writeFile(join(path, 'genloom.json'), manifestText.slice(0, 40));
    await expect(loadCheckpoint(reader)).rejects.toThrow(/genloom.json is not valid JSON/);
    await writeFile(join(path, 'genloom.json'), manifestText);

    const bin = await readFile(join(path, 'weights.bin'));
    await writeFile(join(path, 'weights.bin'), bin.subarray(0, bin.length - 8));
    await expect(loadCheckpoint(reader)).rejects.toThrow(/weights.bin has \d+ bytes but its manifest describes \d+ \(truncated or corrupt\)/);
    const flipped = Buffer.from(bin);
    flipped[5] = flipped[5]! ^ 0xff;
    await writeFile(join(path, 'weights.bin'), flipped);
    await expect(loadCheckpoint(reader)).rejects.toThrow(/does not match its recorded checksum/);
    await expect(loadCheckpoint(directoryCheckpointStore(join(dir, 'missing')).reader)).rejects.toThrow(/is not a genloom checkpoint/);
  });

  it('refuses weights of another architecture, naming the weight', async () => {
    const { path, model } = await savedToy('arch');
    model.dispose();
    const manifest = JSON.parse(await readFile(join(path, 'genloom.json'), 'utf8'));
    manifest.config = { dim: 8, hidden: 4 };
    await writeFile(join(path, 'genloom.json'), JSON.stringify(manifest));
    await expect(loadCheckpoint(directoryCheckpointStore(path).reader)).rejects.toThrow(/"enc.kernel" has shape \[8,3\] but the model expects \[8,4\]/);
  });

  it('overwrites a checkpoint atomically and leaves no temporary folders', async () => {
    const { path, model } = await savedToy('atomic');
    await saveModel(model, directoryCheckpointStore(path).writer);
    const names = await readdir(dir);
    expect(names.filter((n) => n.includes('.tmp-') || n.includes('.old-'))).toEqual([]);
    model.dispose();
  });
});

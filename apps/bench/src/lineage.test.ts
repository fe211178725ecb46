import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend, saveModel } from '@genloom/core';
import { directoryCheckpointStore } from '@genloom/core/node';
import { createVAE, resolveVAEConfig } from '@genloom/vae';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trainingLineage } from './lineage.js';

let dir: string;
beforeAll(async () => {
  await initBackend('wasm');
  dir = await mkdtemp(join(tmpdir(), 'genloom-lineage-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function checkpoint(name: string, provenance: { steps: number; parent?: string }): Promise<string> {
  const model = createVAE(resolveVAEConfig({}, 'tiny'), 1);
  const at = join(dir, name);
  await saveModel(model, directoryCheckpointStore(at).writer, { provenance });
  model.dispose();
  return at;
}

describe('trainingLineage', () => {
  it('adds the steps of the runs a checkpoint continued, prefers demo.json totals, and stops at loops and missing parents', async () => {
    const first = await checkpoint('first', { steps: 3000 });
    const second = await checkpoint('second', { steps: 2000, parent: first });
    const third = await checkpoint('third', { steps: 1000, parent: second });
    expect((await trainingLineage(third)).steps).toBe(6000);
    const orphan = await checkpoint('orphan', { steps: 500, parent: join(dir, 'deleted') });
    expect((await trainingLineage(orphan)).steps).toBe(500);
    const loop = await checkpoint('loop', { steps: 700, parent: join(dir, 'loop') }); // a folder overwritten by its own continuation
    expect((await trainingLineage(loop)).steps).toBe(700);
    await writeFile(join(second, 'demo.json'), JSON.stringify({ steps: 2500, trainSeconds: 90 }));
    expect(await trainingLineage(second)).toEqual({ steps: 2500, seconds: 90 });
    expect((await trainingLineage(third)).steps).toBe(3500); // 1000 + the demo's total
  });
});

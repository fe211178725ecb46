import { initBackend } from '@genloom/core';
import { runContractSuite } from '@genloom/core/testing';
import { imageBatches, loadMnist } from '@genloom/datasets';
import { beforeAll } from 'vitest';
import { type VAE } from './index.js';

beforeAll(async () => {
  await initBackend('wasm');
});

// The shared contract on the tiny preset (784-32-4), trained on 2,048 real MNIST digits.
runContractSuite<VAE>({
  family: 'vae',
  data: async () => imageBatches(await loadMnist({ split: 'train', limit: 2048 }), { batchSize: 64, seed: 1 }),
  steps: 40,
  optimizer: { type: 'adam', lr: 3e-3 },
  generate: async (m, seed) => {
    const x = m.sample(4, { seed });
    const values = await x.data();
    x.dispose();
    return values;
  },
});

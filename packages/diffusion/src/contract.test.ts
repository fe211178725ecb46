import { initBackend } from '@genloom/core';
import { runContractSuite } from '@genloom/core/testing';
import { imageBatches, loadMnist } from '@genloom/datasets';
import { beforeAll } from 'vitest';
import { type DiffusionModel } from './index.js';

beforeAll(async () => {
  await initBackend('wasm');
});

// The shared contract on the tiny preset (class-conditioned, 28×28, a [8, 16] U-Net behind a 2×2 patch
// stem), trained on 1,024 real MNIST digits; generation is 3 DDIM steps with guidance.
runContractSuite<DiffusionModel>({
  family: 'diffusion',
  data: async () => imageBatches(await loadMnist({ split: 'train', limit: 1024 }), { batchSize: 16, seed: 1 }),
  steps: 40,
  optimizer: { type: 'adam', lr: 3e-3 },
  generate: async (m, seed) => {
    const x = await m.generate({ n: 2, label: [3, 7], steps: 3, seed, guidanceScale: 2 });
    const values = await x.data();
    x.dispose();
    return values;
  },
});

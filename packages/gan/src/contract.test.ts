import { initBackend } from '@genloom/core';
import { runContractSuite } from '@genloom/core/testing';
import { imageBatches, loadMnist } from '@genloom/datasets';
import { beforeAll } from 'vitest';
import './index.js';
import type { GAN } from './index.js';

beforeAll(async () => {
  await initBackend('wasm');
});

// The shared contract on the tiny DCGAN (28×28, 8→4 generator channels), on 1,024 real MNIST digits
// in [-1, 1]. For a GAN "the loss falls" is the discriminator's: it learns to tell digits from the
// untrained generator's blobs within the first steps.
runContractSuite<GAN>({
  family: 'gan',
  data: async () => imageBatches(await loadMnist({ split: 'train', limit: 1024, normalize: 'minus-one-one' }), { batchSize: 32, seed: 1 }),
  steps: 30,
  lossKey: 'dLoss',
  optimizer: { type: 'adam', lr: 2e-3, beta1: 0.5 },
  generate: async (m, seed) => {
    const x = m.generate(4, { seed });
    const values = await x.data();
    x.dispose();
    return values;
  },
});

import { beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../backend/index.js';
import { registerFamily } from '../family.js';
import { runContractSuite } from '../testing/contract.js';
import { toyData, toyFamily, type ToyModel } from './toy.js';

beforeAll(async () => {
  await initBackend('wasm');
});
registerFamily(toyFamily);

// The suite itself, exercised on core's toy autoencoder.
runContractSuite<ToyModel>({
  family: 'toy',
  data: () => toyData(1),
  optimizer: { type: 'adam', lr: 0.02 },
  generate: (m, seed) => m.generate(seed),
});
void tf;

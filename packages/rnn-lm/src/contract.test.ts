import { CharTokenizer, initBackend } from '@genloom/core';
import { runContractSuite } from '@genloom/core/testing';
import { loadMobyDick, sequentialTextBatches } from '@genloom/datasets';
import { beforeAll } from 'vitest';
import { withStateResets, type RNNLM } from './index.js';

beforeAll(async () => {
  await initBackend('wasm');
});

// The tiny preset (vocabSize 128) trained on Moby-Dick's first 40k characters (84 ids with <unk>).
runContractSuite<RNNLM>({
  family: 'rnn-lm',
  data: async () => {
    const text = (await loadMobyDick()).train.slice(0, 40_000);
    const tokens = CharTokenizer.fromCorpus(text).encode(text);
    return withStateResets(sequentialTextBatches(tokens, { blockSize: 16, batchSize: 4 }));
  },
  optimizer: { type: 'adam', lr: 1e-2 },
  generate: (model, seed) => model.generateIds([1, 2, 3], { maxTokens: 20, seed }),
});

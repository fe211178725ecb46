/**
 * @genloom/rnn-lm: LSTM and GRU language models that train in TypeScript (character or BPE
 * tokens, stacked layers, dropout, tied embeddings, truncated BPTT with carried state), with
 * perplexity and bits per character, and seeded generation as a string or a stream.
 */
import { registerFamily } from '@genloom/core';
import { rnnLMFamily } from './family.js';

export { defaultRNNLMConfig, resolveRNNLMConfig, rnnLMPresets, validateRNNLMConfig } from './config.js';
export type { CellKind, RNNLMConfig, TokenizerKind } from './config.js';
export { lstmCell, gruCell, lstmSequence, gruSequence } from './cells.js';
export type { LSTMCellOutput } from './cells.js';
export { RecurrentLayer, LSTMLayer, GRULayer, createRecurrentLayer } from './layers.js';
export type { LayerState, RecurrentLayerArgs } from './layers.js';
export { RNNLMNetwork, crossEntropy } from './network.js';
export { RNNLM, createRNNLM, withStateResets } from './model.js';
export type { RNNLMBatch, GenerateOptions, PerplexityResult, EvaluateOptions } from './model.js';
export { buildTokenizer, rnnLMFamily, rnnLMTrainOptions } from './family.js';

registerFamily(rnnLMFamily);

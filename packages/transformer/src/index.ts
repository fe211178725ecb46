/**
 * @genloom/transformer: a decoder-only GPT (nanoGPT's design, KV-cache generation) and an
 * encoder–decoder transformer for sequence-to-sequence tasks. Importing the package registers the
 * `transformer` and `seq2seq` families with @genloom/core.
 */
import { registerFamily, type FamilyDefinition } from '@genloom/core';
import { gptPresets, resolveGPTConfig, type GPTConfig } from './config.js';
import { GPT } from './gpt.js';

export { defaultGPTConfig, gptPresets, resolveGPTConfig } from './config.js';
export type { GPTConfig, PositionKind } from './config.js';
export { GPT, createGPT, gptTrainOptions } from './gpt.js';
export type { GPTBatch, GenerateOptions } from './gpt.js';
export { GPTNet, Block, MLP } from './model.js';
export type { ForwardOptions, ForwardResult } from './model.js';
export { SelfAttention, CrossAttention, causalMask, paddingMask } from './attention.js';
export type { LayerCache, AttentionCall, AttentionResult } from './attention.js';
export { applyRotary } from './rotary.js';
export { matMul, linear, gelu, layerNorm, crossEntropy, tokenNll, embeddingLookup, attend, attentionWeights } from './ops.js';

/** The `transformer` family (decoder-only GPT) as registered with @genloom/core. */
export const transformerFamily: FamilyDefinition<GPTConfig, GPT> = {
  name: 'transformer',
  description: 'decoder-only GPT language model (causal self-attention, learned or rotary positions, KV cache)',
  presets: gptPresets,
  defaultPreset: 'small',
  resolveConfig: (overrides, preset) => resolveGPTConfig(overrides, preset),
  create: (config, seed) => new GPT(config, seed),
  restoreExtraState: (model, extra) => model.restoreExtraState(extra),
};

registerFamily(transformerFamily);

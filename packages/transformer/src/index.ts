/**
 * @genloom/transformer: a decoder-only GPT (nanoGPT's design, KV-cache generation) and an
 * encoder–decoder transformer for sequence-to-sequence tasks. Importing the package registers the
 * `transformer` and `seq2seq` families with @genloom/core.
 */
import { registerFamily, type FamilyDefinition } from '@genloom/core';
import { gptPresets, resolveGPTConfig, type GPTConfig } from './config.js';
import { GPT } from './gpt.js';
import { Seq2Seq } from './seq2seq.js';
import { resolveSeq2SeqConfig, seq2seqPresets, type Seq2SeqConfig } from './seq2seq-config.js';

export { defaultGPTConfig, gptPresets, resolveGPTConfig } from './config.js';
export type { GPTConfig, PositionKind } from './config.js';
export { GPT, createGPT, gptTrainOptions } from './gpt.js';
export type { GPTBatch, GenerateOptions } from './gpt.js';
export { GPTNet, Block, MLP } from './model.js';
export type { ForwardOptions, ForwardResult } from './model.js';
export { SelfAttention, CrossAttention, causalMask, paddingMask } from './attention.js';
export type { LayerCache, AttentionCall, AttentionResult } from './attention.js';
export { applyRotary } from './rotary.js';
export { defaultSeq2SeqConfig, seq2seqPresets, resolveSeq2SeqConfig } from './seq2seq-config.js';
export type { Seq2SeqConfig } from './seq2seq-config.js';
export { Seq2Seq, createSeq2Seq, seq2seqTrainOptions } from './seq2seq.js';
export type { TranslateOptions, Seq2SeqTokenizers, TextPair } from './seq2seq.js';
export { Seq2SeqNet, DecoderBlock } from './seq2seq-model.js';
export type { EncoderMemory, DecodeResult } from './seq2seq-model.js';
export { pairBatches, padPairs } from './seq2seq-data.js';
export type { Seq2SeqBatch, EncodedPair, PairBatchOptions } from './seq2seq-data.js';
export { beamSearch, gnmtLengthPenalty } from './beam-search.js';
export type { Hypothesis, NextLogits, BeamSearchOptions } from './beam-search.js';
export { SymbolTokenizer } from './symbol-tokenizer.js';
export type { SymbolTokenizerJSON } from './symbol-tokenizer.js';
export { g2pTokenizers, charPairTokenizers, SEQ2SEQ_SPECIAL_TOKENS } from './g2p.js';
export { matMul, linear, gelu, layerNorm, crossEntropy, maskedCrossEntropy, tokenNll, embeddingLookup, attend, attentionWeights } from './ops.js';

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

/** The `seq2seq` family (encoder–decoder transformer) as registered with @genloom/core. */
export const seq2seqFamily: FamilyDefinition<Seq2SeqConfig, Seq2Seq> = {
  name: 'seq2seq',
  description: 'encoder-decoder transformer for sequence-to-sequence tasks (grapheme-to-phoneme, translation); greedy and beam search',
  presets: seq2seqPresets,
  defaultPreset: 'g2p-small',
  resolveConfig: (overrides, preset) => resolveSeq2SeqConfig(overrides, preset),
  create: (config, seed) => new Seq2Seq(config, seed),
  restoreExtraState: (model, extra) => model.restoreExtraState(extra),
};

registerFamily(seq2seqFamily);

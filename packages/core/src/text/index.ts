export { SPECIAL_TOKEN_NAMES, TokenTextStream, checkTokenId } from './tokenizer.js';
export type {
  DecodeOptions,
  EncodeOptions,
  SpecialTokenIds,
  SpecialTokenName,
  SpecialTokens,
  Tokenizer,
  TokenizerJSONBase,
} from './tokenizer.js';
export { SpecialVocabulary } from './special-tokens.js';
export type { TextSegment } from './special-tokens.js';
export { CharTokenizer } from './char-tokenizer.js';
export type { CharTokenizerJSON, CharTokenizerOptions, UnknownCharPolicy } from './char-tokenizer.js';
export { BpeTokenizer } from './bpe-tokenizer.js';
export type { BpeTokenizerJSON, BpeTokenizerOptions, BpeTrainOptions } from './bpe-tokenizer.js';
export { learnMerges, MAX_BPE_VOCAB } from './bpe-train.js';
export type { LearnMergesOptions } from './bpe-train.js';
export { GPT2_PRETOKENIZE_PATTERN, compilePreTokenizer, preTokenize } from './pre-tokenize.js';
export type { PreTokenizerSpec } from './pre-tokenize.js';
export { registerTokenizer, tokenizerFromJSON } from './tokenizer-registry.js';
export type { TokenizerJSON } from './tokenizer-registry.js';
export { argmax, checkLogits, logSoftmax, softmax } from './logits.js';
export {
  TokenSampler,
  applyRepetitionPenalty,
  processLogits,
  sampleToken,
  validateSamplingOptions,
} from './sampling.js';
export type { SamplingOptions, TokenSamplerOptions } from './sampling.js';

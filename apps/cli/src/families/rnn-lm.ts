/**
 * `genloom train|sample|eval rnn-lm`: an LSTM or GRU language model on a text corpus, trained with
 * truncated BPTT on contiguous streams (the hidden state is carried from batch to batch). The
 * tokenizer (characters, or BPE with `--set tokenizer=bpe`) is built from the training text; the
 * last 10% of the text validates. `--resume DIR --data text:NEW.txt` fine-tunes a checkpoint on new
 * text with the checkpoint's own tokenizer (characters it never saw become <unk>).
 */
import type { GenerativeModel } from '@genloom/core';
import { sequentialTextBatches } from '@genloom/datasets';
import { RNNLM, buildTokenizer, createRNNLM, resolveRNNLMConfig, rnnLMPresets, rnnLMTrainOptions, withStateResets, type RNNLMConfig } from '@genloom/rnn-lm';
import { TRAINING_RECIPE_FIELDS, registerCliFamily, type CliFamily } from '../registry.js';
import { loadCorpus, sampleText } from './text-lm.js';

/** Parallel streams the validation text is cut into; each carries its state across the whole stream. */
const EVAL_STREAMS = 64;

function asRNNLM(model: GenerativeModel): RNNLM {
  if (!(model instanceof RNNLM)) throw new Error(`expected an rnn-lm checkpoint, got family "${model.family}"`);
  if (!model.tokenizer) throw new Error('this rnn-lm checkpoint has no tokenizer saved with it');
  return model;
}

/** Validation loss in nats per token and per character, bits per character and perplexity per character. */
async function validationMetrics(model: RNNLM, val: string): Promise<Record<string, number>> {
  const tokens = model.encode(val);
  const streams = Math.max(1, Math.min(EVAL_STREAMS, Math.floor(tokens.length / 2)));
  const { loss } = await model.evaluateTokens(tokens, { streams, blockSize: 128 });
  const perChar = (loss * tokens.length) / Array.from(val).length;
  return { valLoss: perChar, valLossPerToken: loss, bitsPerChar: perChar / Math.LN2, perplexity: Math.exp(perChar) };
}

const adapter: CliFamily = {
  name: 'rnn-lm',
  family: 'rnn-lm',
  description: 'LSTM/GRU language model on characters or BPE tokens (truncated BPTT, carried state); presets tiny, small, char-cpu',
  defaultData: 'moby-dick',
  presets: Object.keys(rnnLMPresets),
  resumableFields: [...TRAINING_RECIPE_FIELDS, 'dropout'],
  async prepareTraining({ data, preset, overrides, seed, resumed }) {
    const { train, val } = await loadCorpus(data, 'rnn-lm');
    let model: RNNLM;
    if (resumed) {
      model = asRNNLM(resumed); // fine-tuning keeps the checkpoint's config and tokenizer
    } else {
      const base = resolveRNNLMConfig(overrides as Partial<RNNLMConfig>, preset ?? 'small');
      const tokenizer = buildTokenizer(base, train);
      model = createRNNLM({ ...base, vocabSize: tokenizer.vocabSize }, { seed, tokenizer });
    }
    const c = model.config;
    return {
      model,
      data: withStateResets(sequentialTextBatches(model.encode(train), { blockSize: c.blockSize, batchSize: c.batchSize, seed, shiftEachEpoch: true })),
      trainOptions: rnnLMTrainOptions(c),
      evaluate: async () => validationMetrics(model, val),
    };
  },
  async sample(model, args) {
    const lm = asRNNLM(model);
    return sampleText((prompt, options) => lm.generate(prompt, options), args, '');
  },
  async evaluate(model, data) {
    const lm = asRNNLM(model);
    const { val } = await loadCorpus(data, 'rnn-lm');
    return validationMetrics(lm, val);
  },
};

registerCliFamily(adapter);

/**
 * `genloom train|sample|eval transformer`: a character-level GPT on a text corpus. The vocabulary is
 * the corpus's characters (nanoGPT's `sorted(set(text))`); the last 10% of the text validates.
 */
import { CharTokenizer, type GenerativeModel } from '@genloom/core';
import { textWindows } from '@genloom/datasets';
import { GPT, createGPT, gptPresets, gptTrainOptions, resolveGPTConfig, type GPTConfig } from '@genloom/transformer';
import { TRAINING_RECIPE_FIELDS, registerCliFamily, type CliFamily } from '../registry.js';
import { loadCorpus, sampleText } from './text-lm.js';

/** Random validation windows per estimate (nanoGPT's `eval_iters` for Shakespeare). */
const EVAL_BATCHES = 200;
const EVAL_SEED = 1337;

function asGPT(model: GenerativeModel): GPT {
  if (!(model instanceof GPT)) throw new Error(`expected a transformer (GPT) checkpoint, got family "${model.family}"`);
  if (!model.tokenizer) throw new Error('this GPT checkpoint has no tokenizer saved with it');
  return model;
}

/** Mean loss of `batches` random windows of the validation text (nanoGPT's estimate_loss). */
async function validationLoss(gpt: GPT, val: string, batches: number): Promise<number> {
  const c: GPTConfig = gpt.config;
  const tokens = gpt.tokenizer!.encode(val);
  return gpt.estimateLoss(textWindows(tokens, { blockSize: Math.min(c.blockSize, tokens.length - 1), batchSize: c.batchSize, seed: EVAL_SEED, batchesPerEpoch: batches }), batches);
}

const adapter: CliFamily = {
  name: 'transformer',
  family: 'transformer',
  description: 'decoder-only GPT language model on characters (nanoGPT); presets tiny, nanogpt-cpu, small',
  defaultData: 'moby-dick',
  presets: Object.keys(gptPresets),
  resumableFields: [...TRAINING_RECIPE_FIELDS, 'dropout'],
  async prepareTraining({ data, preset, overrides, seed, resumed }) {
    const { train, val } = await loadCorpus(data, 'transformer');
    let gpt: GPT;
    if (resumed) {
      // Fine-tuning keeps the checkpoint's config and tokenizer: the new corpus must use its characters.
      gpt = asGPT(resumed);
    } else {
      const tokenizer = CharTokenizer.fromCorpus(train + val, { specialTokens: {}, onUnknown: 'throw' });
      const config = resolveGPTConfig({ vocabSize: tokenizer.vocabSize, ...(overrides as Partial<GPTConfig>) }, preset ?? 'small');
      gpt = createGPT(config, { seed, tokenizer });
    }
    const c = gpt.config;
    const tokens = gpt.tokenizer!.encode(train);
    return {
      model: gpt,
      data: textWindows(tokens, { blockSize: c.blockSize, batchSize: c.batchSize, seed }),
      trainOptions: gptTrainOptions(c),
      evaluate: async () => ({ valLoss: await validationLoss(gpt, val, EVAL_BATCHES) }),
    };
  },
  async sample(model, args) {
    const gpt = asGPT(model);
    return sampleText((prompt, options) => gpt.generate(prompt, options), args, '\n');
  },
  async evaluate(model, data) {
    const gpt = asGPT(model);
    const { val } = await loadCorpus(data, 'transformer');
    const valLoss = await validationLoss(gpt, val, EVAL_BATCHES);
    return { valLoss, valPerplexity: Math.exp(valLoss), bitsPerChar: valLoss / Math.LN2 };
  },
};

registerCliFamily(adapter);

import { resolveDataSpec } from '@genloom/datasets';
import type { SampleArgs, SampleOutput } from '../registry.js';

/**
 * The train and validation text of a data spec, for the token-model families (`family` names the
 * caller in the error for non-text data).
 *
 * @example
 * ```ts
 * const { train, val } = await loadCorpus('moby-dick', 'rnn-lm');
 * ```
 */
export async function loadCorpus(spec: string, family: string): Promise<{ train: string; val: string }> {
  const desc = resolveDataSpec(spec);
  if (desc.modality !== 'text') throw new Error(`${family} trains on text; --data ${spec} is ${desc.modality} data (use text:PATH or moby-dick)`);
  return { train: await desc.load('train'), val: await desc.load('test') };
}

/**
 * `genloom sample` for a language model: the prompt and `args.n` generated tokens, with the CLI's
 * temperature (default 0.8), top-k and top-p.
 *
 * @example
 * ```ts
 * return sampleText((p, o) => gpt.generate(p, o), args, '\n');
 * ```
 */
export async function sampleText(
  generate: (prompt: string, options: { maxTokens: number; seed: number; temperature: number; topK?: number; topP?: number }) => Promise<string>,
  args: SampleArgs,
  defaultPrompt: string,
): Promise<SampleOutput> {
  const prompt = args.prompt ?? defaultPrompt;
  const continuation = await generate(prompt, {
    maxTokens: args.n,
    seed: args.seed,
    temperature: args.temperature ?? 0.8,
    ...(args.topK !== undefined ? { topK: args.topK } : {}),
    ...(args.topP !== undefined ? { topP: args.topP } : {}),
  });
  return { text: prompt + continuation, json: { prompt, continuation, tokens: args.n, seed: args.seed } };
}

import { BpeTokenizer, CharTokenizer, initBackend, loadCheckpoint, memoryCheckpointStore, saveModel, train } from '@genloom/core';
import { loadMobyDick, sequentialTextBatches } from '@genloom/datasets';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRNNLM, resolveRNNLMConfig, withStateResets, type RNNLM } from './index.js';

let text = '';
let tokenizer: CharTokenizer;

beforeAll(async () => {
  await initBackend('wasm');
  text = (await loadMobyDick()).train.slice(0, 30_000);
  tokenizer = CharTokenizer.fromCorpus(text);
});

const zeroHead = (model: RNNLM) => {
  model.net.head!.kernel.assign(tf.zerosLike(model.net.head!.kernel));
  model.net.head!.bias!.assign(tf.zerosLike(model.net.head!.bias!));
};

describe('scoring', () => {
  it('a uniform model has perplexity equal to the vocabulary size and log2(V) bits per character', async () => {
    const model = createRNNLM({ preset: 'tiny' }, { tokenizer, seed: 1 });
    zeroHead(model); // every logit 0: each of the V ids has probability 1/V
    const V = tokenizer.vocabSize;
    const r = await model.perplexity(text.slice(0, 500));
    expect(r.tokens).toBe(499);
    expect(r.perplexity).toBeCloseTo(V, 3);
    expect(r.bitsPerChar).toBeCloseTo(Math.log2(V), 5);
    expect(await model.logProb('Call me Ishmael.')).toBeCloseTo(-15 * Math.log(V), 3);
    model.dispose();
  });

  it('carries the state across windows: any window length gives the same loss, and logProb adds up over a split', async () => {
    const model = createRNNLM({ preset: 'tiny' }, { tokenizer, seed: 2 });
    const ids = tokenizer.encode(text.slice(0, 300));
    const short = await model.evaluateTokens(ids, { streams: 1, blockSize: 7 });
    const long = await model.evaluateTokens(ids, { streams: 1, blockSize: 1000 });
    expect(short.tokens).toBe(299);
    expect(short.loss).toBeCloseTo(long.loss, 5);
    const whole = await model.logProb('Call me Ishmael.');
    const split = (await model.logProb('Call me')) + (await model.logProb(' Ishmael.', { context: 'Call me' }));
    expect(split).toBeCloseTo(whole, 4);
    model.dispose();
  });

  it('maps an unknown character to <unk> instead of failing', async () => {
    const model = createRNNLM({ preset: 'tiny' }, { tokenizer, seed: 3 });
    expect(text.includes('☃')).toBe(false);
    expect(tokenizer.encode('a☃b')[1]).toBe(tokenizer.specialIds.unk);
    expect(Number.isFinite(await model.logProb('a snowman ☃ in the sea'))).toBe(true);
    const out = await model.generate('☃ Call me', { maxTokens: 10, seed: 1 });
    expect(Array.from(out).length).toBe(10);
    model.dispose();
  });
});

describe('generation', () => {
  it('streaming and one-shot generation give the same text for a seed, and the seed fixes it', async () => {
    const model = createRNNLM({ preset: 'tiny' }, { tokenizer, seed: 4 });
    const opts = { maxTokens: 40, temperature: 0.9, topK: 20, topP: 0.95, seed: 11 };
    const once = await model.generate('Call me ', opts);
    let streamed = '';
    for await (const piece of model.stream('Call me ', opts)) streamed += piece;
    expect(streamed).toBe(once);
    expect(Array.from(once).length).toBe(40);
    expect(await model.generate('Call me ', opts)).toBe(once);
    expect(await model.generate('Call me ', { ...opts, seed: 12 })).not.toBe(once);
    model.dispose();
  });

  it('streams whole characters with a byte-level BPE tokenizer', async () => {
    const corpus = `${text.slice(0, 3000)} café naïve 🐋 café 🐋`;
    const bpe = BpeTokenizer.train(corpus, { vocabSize: 300 });
    const model = createRNNLM({ preset: 'tiny', tokenizer: 'bpe' }, { tokenizer: bpe, seed: 5 });
    expect(model.config.vocabSize).toBe(bpe.vocabSize);
    const opts = { maxTokens: 30, seed: 3, temperature: 1.5 };
    const pieces: string[] = [];
    for await (const piece of model.stream('the 🐋', opts)) pieces.push(piece);
    expect(pieces.join('')).toBe(await model.generate('the 🐋', opts));
    model.dispose();
  });

  it('the state kept between streamed tokens equals re-reading the whole text', async () => {
    // Greedy decoding: each token is the argmax after prompt + everything generated so far.
    const model = createRNNLM({ preset: 'tiny', cell: 'gru' }, { tokenizer, seed: 6 });
    const prompt = 'The whale';
    const generated = await model.generate(prompt, { maxTokens: 6, temperature: 0 });
    let again = '';
    for (let k = 0; k < 6; k++) again += await model.generate(prompt + again, { maxTokens: 1, temperature: 0 });
    expect(again).toBe(generated);
    model.dispose();
  });

  it('leaks no tensors when a stream is abandoned early', async () => {
    const model = createRNNLM({ preset: 'tiny' }, { tokenizer, seed: 7 });
    const before = tf.memory().numTensors;
    for await (const piece of model.stream('Call', { maxTokens: 50 })) if (piece) break;
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});

describe('training', () => {
  const data = (blockSize: number, batchSize: number) => withStateResets(sequentialTextBatches(tokenizer.encode(text), { blockSize, batchSize }));

  it('carries the hidden state from one batch to the next (truncated BPTT)', async () => {
    // With lr 0 the weights stay put, so batch 2's loss must equal the loss of its tokens scored
    // after batch 1's tokens in one pass from a zero state.
    const model = createRNNLM({ preset: 'tiny' }, { tokenizer, seed: 8 });
    const source = data(8, 2);
    const result = await train(model, source, { steps: 2, optimizer: { type: 'sgd', lr: 0 } });
    const b1 = source.batch(0, 0);
    const b2 = source.batch(0, 1);
    const expected = tf.tidy(() => {
      const x = tf.transpose(tf.concat([b1.x, b2.x], 1)); // [16, 2]
      const y = tf.concat([b1.y, b2.y], 1);
      const { logits } = model.net.forward(x as tf.Tensor2D, model.net.zeroState(2), null);
      const ce = tf.losses.softmaxCrossEntropy(tf.cast(tf.oneHot(tf.reshape(tf.transpose(y), [-1]) as tf.Tensor1D, model.config.vocabSize), 'float32'), logits, undefined, 0, tf.Reduction.NONE);
      return tf.mean(tf.slice(ce, [16], [16])); // time-major: rows 8..15 of both streams
    });
    expect(result.history[1]!.losses.loss!).toBeCloseTo((await expected.data())[0]!, 5);
    const fresh = await train(createRNNLM({ preset: 'tiny' }, { tokenizer, seed: 8 }), { batchesPerEpoch: 1, batch: () => source.batch(0, 1) }, { steps: 1, optimizer: { type: 'sgd', lr: 0 } });
    expect(fresh.history[0]!.losses.loss!).not.toBeCloseTo(result.history[1]!.losses.loss!, 4); // from zeros it differs
    tf.dispose([b1, b2, expected]);
    model.dispose();
  });

  it('trains a GRU with tied embeddings, dropout and three layers: the loss falls', async () => {
    const model = createRNNLM({ preset: 'tiny', cell: 'gru', tieWeights: true, dropout: 0.1, numLayers: 3 }, { tokenizer, seed: 9 });
    expect(model.net.projection).not.toBeNull(); // hiddenSize 32 ≠ embedDim 16
    const result = await train(model, data(16, 4), { steps: 40, optimizer: { type: 'adam', lr: 1e-2 }, seed: 1 });
    const losses = result.history.map((h) => h.losses.loss!);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(losses.slice(-5))).toBeLessThan(mean(losses.slice(0, 5)) * 0.85);
    model.dispose();
  });

  it('fine-tunes a saved checkpoint on new text, keeping its tokenizer', async () => {
    const model = createRNNLM({ preset: 'tiny' }, { tokenizer, seed: 10 });
    await train(model, data(16, 4), { steps: 20, optimizer: { type: 'adam', lr: 1e-2 } });
    const store = memoryCheckpointStore();
    await saveModel(model, store.writer);
    model.dispose();
    const { model: loaded } = await loadCheckpoint<RNNLM>(store.reader, { family: 'rnn-lm' });
    expect(loaded.tokenizer!.toJSON()).toEqual(tokenizer.toJSON());
    const fresh = 'To be, or not to be, that is the question: '.repeat(40); // new text, one unknown-free alphabet
    const before = await loaded.perplexity(fresh);
    await train(loaded, withStateResets(sequentialTextBatches(loaded.encode(fresh), { blockSize: 16, batchSize: 4 })), { steps: 60, optimizer: { type: 'adam', lr: 2e-2 } });
    const after = await loaded.perplexity(fresh);
    expect(after.nll).toBeLessThan(before.nll * 0.6);
    loaded.dispose();
  });
});

describe('config', () => {
  it('names the bad field', () => {
    expect(() => resolveRNNLMConfig({ hiddenSize: 0 })).toThrow(/RNNLMConfig\.hiddenSize must be an integer >= 1, got 0/);
    expect(() => resolveRNNLMConfig({ cell: 'rnn' as never })).toThrow(/RNNLMConfig\.cell must be one of 'lstm', 'gru'/);
    expect(() => resolveRNNLMConfig({ dropout: 1 })).toThrow(/RNNLMConfig\.dropout/);
    expect(() => resolveRNNLMConfig({}, 'huge')).toThrow(/Unknown rnn-lm preset "huge"/);
    expect(() => createRNNLM({ vocabSize: 10 }, { tokenizer })).toThrow(/vocabSize is 10/);
  });

  it('char-cpu trains on exactly nanoGPT’s CPU budget of 2000 × 12 × 64 characters', () => {
    const c = resolveRNNLMConfig({}, 'char-cpu');
    expect(c.maxIters * c.batchSize * c.blockSize).toBe(2000 * 12 * 64);
  });
});

import { initBackend, loadCheckpoint, memoryCheckpointStore, saveModel, tokenizerFromJSON, train } from '@genloom/core';
import { runContractSuite } from '@genloom/core/testing';
import { loadCmudict, type PairSet } from '@genloom/datasets';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  SymbolTokenizer,
  createSeq2Seq,
  g2pTokenizers,
  maskedCrossEntropy,
  padPairs,
  resolveSeq2SeqConfig,
  seq2seqTrainOptions,
  type Seq2Seq,
  type Seq2SeqTokenizers,
} from './index.js';

let train_: PairSet;
let test_: PairSet;
let tokenizers: Seq2SeqTokenizers;

beforeAll(async () => {
  await initBackend('wasm');
  [train_, test_] = await Promise.all([loadCmudict({ split: 'train' }), loadCmudict({ split: 'test' })]);
  tokenizers = g2pTokenizers(train_);
});

/** Every 40th training word: 2,800 pairs from the whole alphabet. */
const trainPairs = () => train_.pairs.filter((_, i) => i % 40 === 0);

function tinyModel(overrides: Parameters<typeof resolveSeq2SeqConfig>[0] = {}, seed = 1): Seq2Seq {
  return createSeq2Seq(resolveSeq2SeqConfig(overrides, 'tiny'), { seed, tokenizers });
}

runContractSuite<Seq2Seq>({
  family: 'seq2seq',
  data: () => {
    const m = tinyModel();
    const data = m.batches(trainPairs(), { seed: 1 });
    m.dispose();
    return data;
  },
  optimizer: { type: 'adamw', lr: 3e-3, weightDecay: 0.01 },
  steps: 40,
  generate: async (m, seed) => {
    const { bos, eos } = tokenizers.target.specialIds;
    const sources = ['cat', 'whale'].map((w) => tokenizers.source.encode(w, { addEos: true }));
    const hyps = await m.translateIds(sources, { temperature: 1, seed, maxLength: 12, bos: bos!, eos: eos! });
    return hyps.flatMap((h) => [...h.ids, -1]);
  },
});

/** A tiny model trained briefly on CMUdict, shared by the decoding tests (its outputs are not trivial). */
let trained: Seq2Seq;
const words = ['cat', 'whale', 'ishmael', 'a', 'photograph', 'queue'];

describe('Seq2Seq', () => {
  beforeAll(async () => {
    trained = tinyModel();
    await train(trained, trained.batches(trainPairs(), { seed: 2 }), { ...seq2seqTrainOptions(trained.config), steps: 40 });
  });

  it('beam size 1 equals greedy decoding', async () => {
    const sources = words.map((w) => trained.encodeSource(w));
    const greedy = await trained.translateIds(sources); // beamSize 1: the greedy loop
    const search = (await trained.nBest(sources, { beamSize: 1 })).map((h) => h[0]!); // the beam search with one beam
    expect(greedy.some((h) => h.ids.length > 0)).toBe(true);
    for (let i = 0; i < words.length; i++) {
      expect(search[i]!.ids).toEqual(greedy[i]!.ids);
      expect(search[i]!.logProb).toBeCloseTo(greedy[i]!.logProb, 4);
    }
  });

  it('cached decoding equals uncached decoding, greedy and beam', async () => {
    const sources = words.map((w) => trained.encodeSource(w));
    for (const beamSize of [1, 3]) {
      const cached = await trained.translateIds(sources, { beamSize, cache: true });
      const uncached = await trained.translateIds(sources, { beamSize, cache: false });
      expect(cached.map((h) => h.ids)).toEqual(uncached.map((h) => h.ids));
      cached.forEach((h, i) => expect(h.logProb).toBeCloseTo(uncached[i]!.logProb, 3));
    }
  });

  it('a padded batch gives the same outputs as unpadded single examples', async () => {
    const pairs = trained.encodePairs(['ishmael', 'a', 'queue'].map((w) => ({ source: w, target: test_.pairs[0]!.target })));
    const ids = trained.targetSpecialIds();
    const padded = padPairs(pairs, ids);
    const batchLogits = trained.logits(padded.src, padded.srcMask, padded.tgtIn); // [3, T, V]
    for (let i = 0; i < pairs.length; i++) {
      const single = padPairs([pairs[i]!], ids);
      const alone = trained.logits(single.src, single.srcMask, single.tgtIn); // [1, T, V]
      const row = batchLogits.slice([i, 0, 0], [1, -1, -1]);
      const d = tf.max(tf.abs(tf.sub(row, alone)));
      expect((await d.data())[0]).toBeLessThan(1e-4);
      tf.dispose([d, row, alone, ...Object.values(single)]);
    }
    tf.dispose([batchLogits, ...Object.values(padded)]);
    // Decoding: one batch of all words (padded to the longest) vs one word at a time.
    const sources = words.map((w) => trained.encodeSource(w));
    for (const beamSize of [1, 3]) {
      const together = await trained.translateIds(sources, { beamSize, batchSize: 64 });
      const alone = await trained.translateIds(sources, { beamSize, batchSize: 1 });
      expect(together.map((h) => h.ids)).toEqual(alone.map((h) => h.ids));
    }
  });

  it('loss falls on real CMUdict pairs, on held-out words too', async () => {
    const model = tinyModel({}, 3);
    const held = model.batches(test_.pairs.slice(0, 256), { shuffle: false });
    const before = await model.estimateLoss(held);
    const result = await train(model, model.batches(trainPairs(), { seed: 3 }), { ...seq2seqTrainOptions(model.config), steps: 80 });
    const after = await model.estimateLoss(held);
    const losses = result.history.map((h) => h.losses.loss!);
    expect(before).toBeGreaterThan(Math.log(model.config.targetVocabSize) * 0.9); // near-uniform at init
    expect(losses.slice(-5).reduce((a, b) => a + b) / 5).toBeLessThan(losses.slice(0, 5).reduce((a, b) => a + b) / 5 - 1);
    expect(after).toBeLessThan(before - 1);
    model.dispose();
  });

  it('translates text to phonemes and saves both tokenizers in its checkpoint', async () => {
    const out = await trained.translate(words, { beamSize: 2 });
    expect(out.length).toBe(words.length);
    for (const phones of out) for (const p of phones.split(' ').filter(Boolean)) expect(train_.targetSymbols).toContain(p);
    expect(await trained.translate('cat', { beamSize: 2 })).toBe(out[0]);
    const store = memoryCheckpointStore();
    await saveModel(trained, store.writer);
    const { model } = await loadCheckpoint<Seq2Seq>(store.reader, { family: 'seq2seq' });
    expect(model.targetTokenizer).toBeInstanceOf(SymbolTokenizer);
    expect(await model.translate(words, { beamSize: 2 })).toEqual(out);
    model.dispose();
  });

  it('offers translation to the evaluation: phonemes output, pairs beyond its lengths do not fit, same outputs as translate', async () => {
    const t = trained.capabilities().translation!;
    expect(t.output).toBe('phonemes');
    expect(t.fits('cat', 'K AE1 T')).toBe(true);
    expect(t.fits('a'.repeat(trained.config.maxSourceLength + 1), 'AH0')).toBe(false);
    expect(t.fits('cat', Array(trained.config.maxTargetLength).fill('AH0').join(' '))).toBe(false);
    expect(await t.translate(words, { beamSize: 2 })).toEqual(await trained.translate(words, { beamSize: 2 }));
  });

  it('decodes without leaking tensors', async () => {
    const sources = words.map((w) => trained.encodeSource(w));
    await trained.translateIds(sources, { beamSize: 2 });
    const before = tf.memory().numTensors;
    await trained.translateIds(sources, { beamSize: 3, cache: true });
    await trained.translateIds(sources, { beamSize: 1, cache: false, temperature: 0.8, seed: 3 });
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('seq2seq building blocks', () => {
  it('maskedCrossEntropy matches the formula by hand and ignores weight-0 rows', async () => {
    const logits = tf.tensor2d([[1, 2, 3], [0, 0, 0], [5, -5, 0]]);
    const targets = tf.tensor1d([2, 0, 1], 'int32');
    const weights = tf.tensor1d([1, 1, 0]);
    const eps = 0.3;
    const lse = (z: number[]) => Math.log(z.reduce((a, b) => a + Math.exp(b), 0));
    const ce = (z: number[], t: number) => lse(z) - ((1 - eps) * z[t]! + (eps / 3) * z.reduce((a, b) => a + b, 0));
    const expected = (ce([1, 2, 3], 2) + ce([0, 0, 0], 0)) / 2;
    expect((await maskedCrossEntropy(logits, targets, weights, eps).data())[0]).toBeCloseTo(expected, 5);
    // Gradient against autodiff of the textbook form.
    const reference = (z: tf.Tensor2D) => {
      const q = tf.add(tf.mul(tf.oneHot(targets, 3).cast('float32'), 1 - eps), eps / 3);
      const nll = tf.neg(tf.sum(tf.mul(q, tf.logSoftmax(z)), -1));
      return tf.div(tf.sum(tf.mul(nll, weights)), tf.sum(weights));
    };
    const g = tf.grad((z: tf.Tensor) => maskedCrossEntropy(z as tf.Tensor2D, targets, weights, eps))(logits);
    const r = tf.grad((z: tf.Tensor) => reference(z as tf.Tensor2D))(logits);
    expect((await tf.max(tf.abs(tf.sub(g, r))).data())[0]).toBeLessThan(1e-6);
    expect(Array.from(await g.slice([2, 0], [1, 3]).data()).every((v) => v === 0)).toBe(true); // the weight-0 row gets no gradient
  });

  it('SymbolTokenizer: one token per phoneme, JSON round trip through the registry', () => {
    const t = tokenizers.target as SymbolTokenizer;
    expect(t.vocabSize).toBe(train_.targetSymbols.length + 4);
    const ids = t.encode('HH AH0 L OW1');
    expect(ids.length).toBe(4);
    expect(t.decode(ids)).toBe('HH AH0 L OW1');
    expect(t.decode(t.encodeSymbols(['K', 'AE1', 'T'], { addBos: true, addEos: true }))).toBe('<s> K AE1 T </s>');
    expect(t.decode(t.encode('XX K'))).toBe('<unk> K');
    const again = tokenizerFromJSON(JSON.parse(JSON.stringify(t.toJSON())));
    expect(again).toBeInstanceOf(SymbolTokenizer);
    expect(Array.from(again.encode('HH AH0 L OW1'))).toEqual(Array.from(ids));
    expect(() => new SymbolTokenizer(['A', 'A'])).toThrow(/symbol "A" appears twice/);
    expect(() => new SymbolTokenizer(['A'], { specialTokens: {}, onUnknown: 'throw' }).encode('B')).toThrow(/unknown symbol "B" at position 0/);
  });

  it('validates its config and its inputs with errors that name the field', async () => {
    expect(() => resolveSeq2SeqConfig({ nEmbd: 100, nHead: 3 })).toThrow(/nEmbd must be divisible by nHead \(3\)/);
    expect(() => resolveSeq2SeqConfig({ labelSmoothing: 1 })).toThrow(/labelSmoothing must be a number in \[0, 1\)/);
    expect(() => resolveSeq2SeqConfig({}, 'huge')).toThrow(/Unknown seq2seq preset "huge"/);
    expect(() => createSeq2Seq(resolveSeq2SeqConfig({ targetVocabSize: 10 }, 'tiny'), { tokenizers })).toThrow(/target tokenizer has 73 ids but targetVocabSize is 10/);
    const m = tinyModel();
    await expect(m.translate('a'.repeat(30))).rejects.toThrow(/source 0 has 31 tokens; expected 1…24/);
    await expect(m.translate('cat', { beamSize: 2, temperature: 1 })).rejects.toThrow(/sampling \(temperature 1\) works with beamSize 1/);
    expect(() => m.batches([{ source: 'cat', target: Array(30).fill('K') }])).toThrow(/pair 0 has a target of 30 tokens/);
    m.dispose();
  });
});

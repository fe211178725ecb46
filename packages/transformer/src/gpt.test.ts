import { CharTokenizer, initBackend, saveModel, loadCheckpoint, memoryCheckpointStore, train } from '@genloom/core';
import { runContractSuite } from '@genloom/core/testing';
import { loadMobyDick, textWindows } from '@genloom/datasets';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createGPT, gptTrainOptions, resolveGPTConfig, type GPT } from './index.js';

let text = '';
let tok: CharTokenizer;

beforeAll(async () => {
  await initBackend('wasm');
  text = (await loadMobyDick()).train.slice(0, 60_000); // the first chapters
  tok = CharTokenizer.fromCorpus(text);
});

runContractSuite<GPT>({
  family: 'transformer',
  data: () => textWindows(tok.encode(text), { blockSize: 16, batchSize: 8, seed: 1 }),
  optimizer: { type: 'adamw', lr: 3e-3, weightDecay: 0.1 },
  steps: 40,
  generate: async (m, seed) => m.generateIds([1, 2, 3], { maxTokens: 10, seed }),
});

function tinyGPT(overrides: Parameters<typeof resolveGPTConfig>[0] = {}, seed = 1): GPT {
  return createGPT(resolveGPTConfig({ vocabSize: tok.vocabSize, ...overrides }, 'tiny'), { seed, tokenizer: tok });
}

describe('GPT', () => {
  it('the causal mask lets no token see the future (learned and rotary positions)', async () => {
    for (const positions of ['learned', 'rotary'] as const) {
      const gpt = tinyGPT({ positions });
      const ids = Array.from(tok.encode(text.slice(100, 116)));
      const changed = ids.slice();
      changed[10] = (changed[10]! + 7) % tok.vocabSize;
      const a = gpt.logits(tf.tensor2d([ids, changed], undefined, 'int32'));
      const [la, lb] = tf.unstack(a) as [tf.Tensor2D, tf.Tensor2D]; // [T, V] each
      const before = tf.max(tf.abs(tf.sub(la.slice([0, 0], [10, -1]), lb.slice([0, 0], [10, -1]))));
      const after = tf.max(tf.abs(tf.sub(la.slice([10, 0], [6, -1]), lb.slice([10, 0], [6, -1]))));
      expect((await before.data())[0]).toBe(0);
      expect((await after.data())[0]).toBeGreaterThan(1e-4);
      tf.dispose([a, la, lb, before, after]);
      gpt.dispose();
    }
  });

  it('KV-cache generation equals uncached generation token for token', async () => {
    for (const positions of ['learned', 'rotary'] as const) {
      const gpt = tinyGPT({ positions });
      await train(gpt, textWindows(tok.encode(text), { blockSize: 16, batchSize: 8, seed: 2 }), { ...gptTrainOptions(gpt.config), steps: 15 });
      for (const temperature of [0, 1]) {
        const opts = { maxTokens: 13, temperature, seed: 5 }; // 3 + 13 = 16 tokens: one full block
        const cached = await gpt.generateIds('The', { ...opts, cache: true });
        const uncached = await gpt.generateIds('The', { ...opts, cache: false });
        expect(Array.from(cached)).toEqual(Array.from(uncached));
      }
      // Incremental logits equal the full forward pass's, position by position.
      const ids = Array.from(tok.encode('Call me Ishmael.'));
      const full = gpt.logits(tf.tensor2d([ids], undefined, 'int32'));
      let past: Array<{ k: tf.Tensor3D; v: tf.Tensor3D }> | undefined;
      for (let i = 0; i < ids.length; i++) {
        const prev = past;
        const out = tf.tidy(() => {
          const r = gpt.net.forward(tf.tensor2d([[ids[i]!]], undefined, 'int32'), prev ? { past: prev } : {});
          return [gpt.net.logits(r.hidden), ...r.cache.flatMap((c) => [c.k, c.v])];
        });
        const step = { logits: out[0]!, cache: gpt.net.blocks.map((_, l) => ({ k: out[1 + 2 * l] as tf.Tensor3D, v: out[2 + 2 * l] as tf.Tensor3D })) };
        const d = tf.max(tf.abs(tf.sub(step.logits, full.slice([0, i, 0], [1, 1, -1]).reshape([1, -1]))));
        expect((await d.data())[0]).toBeLessThan(1e-4);
        tf.dispose([d, step.logits, ...(past ?? []).flatMap((c) => [c.k, c.v])]);
        past = step.cache;
      }
      tf.dispose([full, ...(past ?? []).flatMap((c) => [c.k, c.v])]);
      gpt.dispose();
    }
  });

  it('keeps generating past the block with the cache, without leaking tensors', async () => {
    const gpt = tinyGPT();
    const before = tf.memory().numTensors;
    const ids = await gpt.generateIds('Ishmael', { maxTokens: 40, seed: 1 }); // 7 + 40 > 16
    expect(ids.length).toBe(40);
    expect(tf.memory().numTensors).toBe(before);
    gpt.dispose();
  });

  it('a uniform-logit model has perplexity = vocabSize and logProb = −(n−1)·ln V', async () => {
    const gpt = tinyGPT();
    gpt.net.wte.table.assign(tf.zerosLike(gpt.net.wte.table)); // tied head → every logit is 0
    const sample = text.slice(0, 50); // 50 tokens: spans several blocks of 16
    const v = gpt.config.vocabSize;
    expect(await gpt.perplexity(sample)).toBeCloseTo(v, 3);
    expect(await gpt.logProb(sample)).toBeCloseTo(-49 * Math.log(v), 3);
    gpt.dispose();
  });

  it('scores long text in blocks, batched: equal to scoring each block alone; the text-scoring capability sums them', async () => {
    const gpt = tinyGPT();
    const block = gpt.config.blockSize;
    const ids = tok.encode(text.slice(0, 40 * block + 7)); // 40 full blocks (two batched passes) and a short one
    const all = await gpt.tokenNlls(ids);
    const oneByOne: number[] = [];
    for (let s = 0; s < ids.length - 1; s += block) oneByOne.push(...(await gpt.tokenNlls(ids.slice(s, Math.min(s + block + 1, ids.length)))));
    expect(all.length).toBe(ids.length - 1);
    const bad = Array.from(all).findIndex((v, i) => Math.abs(v - oneByOne[i]!) > 1e-4);
    expect(bad).toBe(-1);
    const score = await gpt.capabilities().textScoring!.score(text.slice(0, 40 * block + 7));
    expect(score.tokens).toBe(ids.length - 1);
    expect(score.characters).toBe(ids.length - 1); // characters
    expect(score.nats).toBeCloseTo(-(await gpt.logProb(ids)), 2);
    gpt.dispose();
  });

  it('perplexity falls as the model learns the text', async () => {
    const gpt = tinyGPT();
    const held = text.slice(50_000, 50_400);
    const start = await gpt.perplexity(held);
    await train(gpt, textWindows(tok.encode(text.slice(0, 50_000)), { blockSize: 16, batchSize: 8, seed: 3 }), { ...gptTrainOptions(gpt.config), steps: 60 });
    const end = await gpt.perplexity(held);
    expect(start).toBeGreaterThan(tok.vocabSize * 0.8); // near-uniform at init
    expect(end).toBeLessThan(start * 0.5);
    gpt.dispose();
  });

  it('generate and its streaming form are deterministic for a seed', async () => {
    const gpt = tinyGPT();
    const opts = { maxTokens: 30, temperature: 0.9, topK: 20, topP: 0.95, seed: 42 };
    const a = await gpt.generate('Call me', opts);
    let streamed = '';
    for await (const piece of gpt.stream('Call me', opts)) streamed += piece;
    expect(streamed).toBe(a);
    expect(await gpt.generate('Call me', opts)).toBe(a);
    expect(await gpt.generate('Call me', { ...opts, seed: 43 })).not.toBe(a);
    expect(Array.from(a).length).toBe(30);
    gpt.dispose();
  });

  it('attention maps: one per layer and head, causal rows summing to 1', async () => {
    const gpt = tinyGPT();
    const maps = await gpt.attention('Loomings');
    expect(maps.length).toBe(2);
    expect(maps[0]!.length).toBe(2);
    const row = maps[1]![0]![3]!;
    expect(row.length).toBe(8);
    expect(row.slice(0, 4).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    expect(row.slice(4).every((w) => w === 0)).toBe(true);
    gpt.dispose();
  });

  it('saves its tokenizer and loads back an identical model', async () => {
    const gpt = tinyGPT({ dropout: 0.1 });
    const store = memoryCheckpointStore();
    await saveModel(gpt, store.writer);
    const { model } = await loadCheckpoint<GPT>(store.reader, { family: 'transformer' });
    expect(model.tokenizer?.vocabSize).toBe(tok.vocabSize);
    expect(await model.generate('Whale', { maxTokens: 20, seed: 9 })).toBe(await gpt.generate('Whale', { maxTokens: 20, seed: 9 }));
    model.dispose();
    gpt.dispose();
  });

  it('trains with dropout (a seeded stream) and stays finite', async () => {
    const gpt = tinyGPT({ dropout: 0.2 });
    const result = await train(gpt, textWindows(tok.encode(text), { blockSize: 16, batchSize: 8, seed: 4 }), { ...gptTrainOptions(gpt.config), steps: 20, seed: 1 });
    const losses = result.history.map((h) => h.losses.loss!);
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses.at(-1)!).toBeLessThan(losses[0]!);
    gpt.dispose();
  });

  it('validates its config with errors that name the field', () => {
    expect(() => resolveGPTConfig({ nEmbd: 100, nHead: 3 })).toThrow(/nEmbd must be divisible by nHead \(3\)/);
    expect(() => resolveGPTConfig({ dropout: 1 })).toThrow(/dropout must be a number in \[0, 1\)/);
    expect(() => resolveGPTConfig({ positions: 'alibi' as never })).toThrow(/positions must be 'learned' or 'rotary'/);
    expect(() => resolveGPTConfig({}, 'huge')).toThrow(/Unknown transformer preset "huge"/);
    const c = resolveGPTConfig({ vocabSize: 65 }, 'nanogpt-cpu');
    expect([c.nLayer, c.nHead, c.nEmbd, c.blockSize, c.batchSize, c.dropout, c.bias]).toEqual([4, 4, 128, 64, 12, 0, false]);
    expect([c.lr, c.minLr, c.warmupIters, c.lrDecayIters, c.maxIters, c.weightDecay, c.beta2, c.gradClip]).toEqual([1e-3, 1e-4, 100, 2000, 2000, 0.1, 0.99, 1]);
    const gpt = createGPT(c);
    // nanoGPT reports 0.80M parameters for this model (position embeddings included).
    expect(gpt.net.parameterCount()).toBe(65 * 128 + 64 * 128 + 4 * (2 * 128 + 128 * 384 + 128 * 128 + 128 * 512 + 512 * 128) + 128);
    gpt.dispose();
  });
});

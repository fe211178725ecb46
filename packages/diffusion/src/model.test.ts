import * as tf from '@tensorflow/tfjs';
import { initBackend, Rng, train } from '@genloom/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { captionedBatches, captionFor, canonicalCaption, classWords, createDiffusion, resolveDiffusionConfig, strokeStyles, unetFlops, type DiffusionConfig } from './index.js';

beforeAll(async () => {
  await initBackend('wasm');
});

const tiny = (o: Partial<DiffusionConfig> = {}) => createDiffusion(resolveDiffusionConfig(o, 'tiny'), 1);
const values = async (t: tf.Tensor) => {
  const v = Array.from(await t.data());
  t.dispose();
  return v;
};
const maxDiff = (a: number[], b: number[]) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

describe('config', () => {
  it('names the bad field', () => {
    expect(() => resolveDiffusionConfig({ imageShape: [30, 30, 1] }, 'tiny')).toThrow(/divisible by 4/);
    expect(() => resolveDiffusionConfig({ channels: [10, 16] }, 'tiny')).toThrow(/channels\[0\] = 10 is not divisible by groups = 4/);
    expect(() => resolveDiffusionConfig({ prediction: 'x0' as never })).toThrow(/prediction must be one of/);
    expect(() => resolveDiffusionConfig({ conditioning: 'class', classNames: ['a'] })).toThrow(/at least 2 classes/);
    expect(() => resolveDiffusionConfig({ nope: 1 } as never)).toThrow(/Unknown diffusion config field "nope"/);
    expect(() => resolveDiffusionConfig({}, 'huge')).toThrow(/Unknown diffusion preset "huge"/);
  });
});

describe('U-Net', () => {
  it('denoises any size divisible by the levels and any channel count, and trains (ε and v)', async () => {
    for (const o of [
      { imageShape: [12, 20, 3], patchSize: 1, channels: [8, 8, 16], conditioning: 'none', prediction: 'v' },
      { imageShape: [32, 32, 4], patchSize: 2, channels: [8, 16], conditioning: 'class', classNames: ['a', 'b', 'c'] },
    ] as Partial<DiffusionConfig>[]) {
      const m = tiny(o);
      const [h, w, c] = m.config.imageShape as [number, number, number];
      const x = tf.randomUniform([3, h, w, c], 0, 1, 'float32', 2) as tf.Tensor4D;
      const out = m.predict(x, [0, 50, 99], null);
      expect(out.shape).toEqual([3, h, w, c]);
      out.dispose();
      const labels = tf.tensor1d([0, 1, 2], 'int32');
      const data = { batchesPerEpoch: 1, batchSize: 3, batch: () => ({ x: x.clone(), labels: labels.clone() }) };
      const r = await train(m, data, { steps: 2, optimizer: { type: 'adam', lr: 1e-3 } });
      expect(r.history.every((s) => Number.isFinite(s.losses.loss))).toBe(true);
      expect(unetFlops(m.config)).toBeGreaterThan(0);
      tf.dispose([x, labels]);
      m.dispose();
    }
  });

  it('rejects images of the wrong shape and conditions the model does not take', async () => {
    const m = tiny();
    expect(() => m.predict(tf.zeros([1, 8, 8, 1]) as tf.Tensor4D, 0, null)).toThrow(/expected images \[B, 28, 28, 1\]/);
    await expect(m.generate({ n: 1, prompt: 'a seven', steps: 1 })).rejects.toThrow(/class-conditioned; pass label/);
    await expect(m.generate({ n: 1, label: 12, steps: 1 })).rejects.toThrow(/label 12 is not a class/);
    await expect(m.generate({ n: 1, steps: 500 })).rejects.toThrow(/steps must be an integer in \[1, 100\]/);
    m.dispose();
  });
});

describe('guidance and sampling', () => {
  it('guidance scale 0 equals the unconditional model; other scales do not', async () => {
    const m = tiny();
    // Untrained, the output layer is zero; give it and the class embedding weight so the condition matters.
    tf.tidy(() => {
      for (const [name, v] of m.namedParameters()) if (name.includes('convOut') || name.startsWith('classes')) v.assign(tf.randomNormal(v.shape, 0, 0.5, 'float32', 4));
    });
    const opts = { n: 2, steps: 4, seed: 5 };
    const uncond = await values(await m.generate(opts));
    const zero = await values(await m.generate({ ...opts, label: [3, 8], guidanceScale: 0 }));
    const three = await values(await m.generate({ ...opts, label: [3, 8], guidanceScale: 3 }));
    expect(maxDiff(zero, uncond)).toBeLessThan(1e-5);
    expect(maxDiff(three, uncond)).toBeGreaterThan(1e-3);
    m.dispose();
  });

  it('hands out every step’s images in [0, 1] and leaks nothing (DDPM and DDIM, guided)', async () => {
    const m = tiny();
    for (const sampler of ['ddim', 'ddpm'] as const) {
      const seen: number[] = [];
      const before = tf.memory().numTensors;
      const x = await m.generate({
        n: 3, label: 1, steps: 5, sampler, seed: 1, batchSize: 2,
        onStep: async ({ step, steps, images, predicted, offset }) => {
          expect(steps).toBe(5);
          expect(images.shape).toEqual([offset === 0 ? 2 : 1, 28, 28, 1]);
          const v = await images.data();
          expect(Math.min(...v)).toBeGreaterThanOrEqual(0);
          expect(Math.max(...(await predicted.data()))).toBeLessThanOrEqual(1);
          seen.push(step);
        },
      });
      expect(x.shape).toEqual([3, 28, 28, 1]);
      x.dispose();
      expect(tf.memory().numTensors).toBe(before);
      expect(seen).toEqual([1, 2, 3, 4, 5, 1, 2, 3, 4, 5]);
    }
    m.dispose();
  });

  it('inpainting keeps the unmasked pixels of the image', async () => {
    const m = tiny();
    const image = tf.randomUniform([2, 28, 28, 1], 0, 1, 'float32', 3) as tf.Tensor4D;
    const mask = tf.concat([tf.zeros([1, 28, 14, 1]), tf.ones([1, 28, 14, 1])], 2) as tf.Tensor4D; // regenerate the right half
    const out = await m.inpaint({ image, mask, label: 4, steps: 4, seed: 2, resample: 2 });
    const [o, im, mk] = [await out.data(), await image.data(), await mask.data()];
    for (let i = 0; i < o.length; i++) {
      const j = i % (28 * 28);
      if (mk[j] === 0) expect(Math.abs(o[i]! - im[i]!)).toBeLessThan(1e-5);
    }
    tf.dispose([image, mask, out]);
    m.dispose();
  });
});

describe('prompts', () => {
  const classes = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

  it('captions name the class in words or numerals, with true stroke adjectives', () => {
    expect(classWords('7')).toEqual(['7', 'seven']);
    expect(classWords('Smiley_face')).toEqual(['smiley face']);
    expect(canonicalCaption(7, classes)).toBe('a handwritten seven');
    const rng = new Rng(1);
    const caps = Array.from({ length: 200 }, () => captionFor(8, classes, rng, 'thin'));
    expect(caps.every((c) => /\b(8|eight)\b/.test(c))).toBe(true);
    expect(caps.some((c) => /\b(thin|light|skinny)\b/.test(c))).toBe(true);
    expect(caps.some((c) => /\ban (8|eight)\b/.test(c))).toBe(true);
    expect(caps.some((c) => /\b(bold|thick|heavy)\b/.test(c))).toBe(false);
    // Ink tertiles per class: the faintest third is thin, the heaviest third bold.
    const images = Float32Array.from([1, 2, 3, 10, 20, 30], (v) => v);
    expect(strokeStyles(images, 1, Int32Array.from([0, 0, 0, 1, 1, 1]))).toEqual(['thin', 'plain', 'bold', 'thin', 'plain', 'bold']);
    expect(() => captionFor(10, classes, rng)).toThrow(/label 10 is outside 0..9/);
  });

  it('captioned batches are deterministic per (epoch, index) and vary across epochs', () => {
    const n = 40;
    const set = { images: new Float32Array(n * 4).map((_, i) => (i % 7) / 7), shape: [n, 2, 2, 1] as const, labels: Int32Array.from({ length: n }, (_, i) => i % 10) };
    const config = resolveDiffusionConfig({}, 'small');
    const a = captionedBatches(set, { batchSize: 8, seed: 3, config });
    const b = captionedBatches(set, { batchSize: 8, seed: 3, config });
    expect(a.captionsOf(1, 2)).toEqual(b.captionsOf(1, 2));
    expect(a.captionsOf(0, 0)).not.toEqual(a.captionsOf(1, 0));
    const batch = a.batch(0, 1);
    expect(batch.prompt.shape).toEqual([8, config.maxPromptLength]);
    expect(batch.prompt.dtype).toBe('int32');
    tf.dispose(Object.values(batch));
  });

  it('a prompt model reads labels as captions, takes unknown words and characters, and trains on captions', async () => {
    const m = tiny({ conditioning: 'prompt' });
    const opts = { n: 1, steps: 2, seed: 3, guidanceScale: 2 };
    const byLabel = await values(await m.generate({ ...opts, label: 7 }));
    const byPrompt = await values(await m.generate({ ...opts, prompt: 'A  handwritten SEVEN' }));
    expect(maxDiff(byLabel, byPrompt)).toBeLessThan(1e-6);
    const odd = await values(await m.generate({ ...opts, prompt: 'a glittering purple 7 ☃ with a very long tail that goes on and on past the limit' }));
    expect(odd.every(Number.isFinite)).toBe(true);
    const empty = await values(await m.generate({ ...opts, prompt: '   ', guidanceScale: 1 }));
    const uncond = await values(await m.generate({ ...opts, guidanceScale: 1 }));
    expect(maxDiff(empty, uncond)).toBeLessThan(1e-6);
    const n = 32;
    const set = { images: new Float32Array(n * 784).map((_, i) => ((i * 7919) % 13) / 13), shape: [n, 28, 28, 1] as const, labels: Int32Array.from({ length: n }, (_, i) => i % 10) };
    const r = await train(m, captionedBatches(set, { batchSize: 8, seed: 1, config: m.config }), { steps: 2 });
    expect(Number.isFinite(r.lastLosses.loss)).toBe(true);
    m.dispose();
  });
});

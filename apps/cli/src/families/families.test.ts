import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { loadEmoji, loadMnist } from '@genloom/datasets';
import type { EvalData } from '@genloom/eval';
import { evaluateCheckpoint } from '@genloom/eval/node';
import { cliHarness } from '../testing-fixtures/cli-harness.js';

// Every family through the real CLI, as a user runs it: train the tiny preset for a few steps on
// real data, then sample from and evaluate the checkpoint.
let dir: string;
let textFile: string;
const genloom = cliHarness();
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'genloom-families-'));
  textFile = join(dir, 'corpus.txt');
  const { loadMobyDick } = await import('@genloom/datasets');
  await writeFile(textFile, (await loadMobyDick()).train.slice(0, 20_000));
  genloom.capture();
});
afterAll(async () => {
  genloom.release();
  await rm(dir, { recursive: true, force: true });
});

/** Runs genloom; its JSON lines, or an error with the end of its output when it fails. */
let lastText = '';
const cli = async (...args: string[]) => {
  const { code, text, json } = await genloom.run(...args);
  lastText = text;
  if (code !== 0) throw new Error(`genloom ${args.join(' ')} exited ${code}: ${text.slice(-600)}`);
  return json;
};

// `library`: the metrics the library's evaluateCheckpoint must report for the family's checkpoint.
const cases: Array<{ family: string; data: () => string; sample: string[]; expectPng: boolean; library: string[] }> = [
  { family: 'vae', data: () => 'mnist', sample: ['--n', '4'], expectPng: true, library: ['negElbo', 'nll', 'bitsPerDim', 'fid', 'precision', 'inceptionScore'] },
  { family: 'gan', data: () => 'mnist', sample: ['--n', '4'], expectPng: true, library: ['fid', 'precision', 'recall', 'inceptionScore', 'classCoverage'] },
  { family: 'diffusion', data: () => 'mnist', sample: ['--n', '2', '--steps', '3'], expectPng: true, library: ['fid', 'inceptionScore'] },
  { family: 'rnn-lm', data: () => `text:${textFile}`, sample: ['--n', '20', '--prompt', 'Call me'], expectPng: false, library: ['bpc', 'perplexity'] },
  { family: 'transformer', data: () => `text:${textFile}`, sample: ['--n', '20', '--prompt', 'Call me'], expectPng: false, library: ['bpc', 'perplexity'] },
];

/** Held-out data as the library takes it: MNIST test digits, or the last 2,000 characters of the corpus. */
async function heldOut(spec: string): Promise<EvalData> {
  if (spec === 'mnist') {
    const test = await loadMnist({ split: 'test', limit: 200 });
    return { x: tf.tensor4d(test.images, [...test.shape] as [number, number, number, number]), labels: test.labels! };
  }
  return { text: (await readFile(spec.slice('text:'.length), 'utf8')).slice(-2000) };
}

describe('every family through the CLI', () => {
  it('eval --real mnist scores real test digits against real training digits', async () => {
    const [floor] = await cli('eval', '--real', 'mnist', '--samples', '500', '--json');
    const m = floor!.metrics as Record<string, number>;
    expect(m.inceptionScore).toBeGreaterThan(8.5); // ten well-separated classes: IS near 10
    expect(m.classCoverage).toBe(1);
    expect(m.precision).toBeGreaterThan(0.7);
    expect(m.fid).toBeGreaterThan(0);
  });

  it('classifier: train tiny on MNIST → eval accuracy; sampling says it does not generate', async () => {
    const ckpt = join(dir, 'classifier');
    const [done] = (await cli('train', 'classifier', '--data', 'mnist', '--preset', 'tiny', '--steps', '30', '--out', ckpt, '--json')).slice(-1);
    expect(done).toMatchObject({ event: 'done', steps: 30 });
    const [evaluated] = await cli('eval', ckpt, '--json');
    expect((evaluated!.metrics as Record<string, number>).accuracy).toBeGreaterThan(0.2); // 30 steps: well above chance (0.1)
    await expect(cli('sample', ckpt)).rejects.toThrow(/a classifier does not generate/);
  });

  it('emoji: a classifier in the cache is the feature extractor of eval --real and of evaluateCheckpoint', async () => {
    // The first use trains one (≈ 1 minute); here a tiny one is put in a fresh cache, as that first use would.
    const cache = join(dir, 'cache');
    process.env.GENLOOM_CACHE_DIR = cache;
    try {
      await cli('train', 'classifier', '--data', 'emoji', '--preset', 'tiny', '--steps', '20', '--out', join(cache, 'classifiers', 'emoji'), '--json');
      const [floor] = await cli('eval', '--real', 'emoji', '--json');
      const m = floor!.metrics as Record<string, number>;
      expect(lastText).not.toContain('training one');
      expect(m.precision).toBeGreaterThan(0.5); // real vs real
      expect(Number.isFinite(m.fid) && Number.isFinite(m.accuracy)).toBe(true);

      const ckpt = join(dir, 'vae-emoji');
      await cli('train', 'vae', '--data', 'emoji', '--preset', 'tiny', '--steps', '3', '--out', ckpt, '--json');
      const test = await loadEmoji({ split: 'test' });
      const x = tf.tensor4d(test.images, [...test.shape] as [number, number, number, number]);
      const lib = await evaluateCheckpoint(ckpt, { x }, { samples: 16, importanceSamples: 0 });
      expect(lib.used).toEqual(['likelihood', 'imageGeneration']);
      expect(lib.report.fid).toBeGreaterThan(0);
      x.dispose();
    } finally {
      delete process.env.GENLOOM_CACHE_DIR;
    }
  });

  it('vae anomaly: image scores carry the complexity correction of the calibration; table rows do not', async () => {
    const images = join(dir, 'vae-anomaly-mnist');
    await cli('train', 'vae', '--data', 'mnist', '--preset', 'tiny', '--steps', '4', '--seed', '1', '--out', images, '--json');
    const [m] = await cli('anomaly', images, '--data', 'mnist', '--json');
    expect(m).toMatchObject({ examples: 10000, method: 'negElbo' });
    expect(Number.isFinite(m!.complexitySlope)).toBe(true);
    const flagged = (m!.flags as boolean[]).filter(Boolean).length;
    expect(flagged).toBe(m!.flagged);
    expect(flagged / 10000).toBeLessThan(0.05); // calibrated at 1% on this very split (8 samples here, 1 there)

    const rows = join(dir, 'vae-anomaly-sensor');
    await cli('train', 'vae', '--data', 'sensor', '--preset', 'tiny', '--steps', '30', '--seed', '1', '--out', rows, '--json');
    const [s] = await cli('anomaly', rows, '--data', 'sensor', '--json');
    expect(s!.complexitySlope).toBeUndefined();
    expect(s!.auroc).toBeGreaterThan(0.5); // the test split's labels mark the anomalies
    await expect(cli('anomaly', rows, '--data', 'sensor', '--method', 'nll')).rejects.toThrow(/no threshold for method "nll"; pass --fpr RATE/);
  });

  it('seq2seq: train tiny g2p on CMUdict → pronounce words → eval, strict and stress-free', async () => {
    const ckpt = join(dir, 'seq2seq');
    const trained = await cli('train', 'seq2seq', '--data', 'cmudict', '--preset', 'tiny', '--steps', '4', '--seed', '1', '--out', ckpt, '--json');
    expect(trained.at(-1)).toMatchObject({ event: 'done', steps: 4, checkpoint: ckpt });
    const [sampled] = await cli('sample', ckpt, '--prompt', 'Hello world', '--json');
    expect(sampled).toMatchObject({ inputs: ['hello', 'world'] });
    const [evaluated] = await cli('eval', ckpt, '--samples', '50', '--json');
    const m = evaluated!.metrics as Record<string, number>;
    expect(m.words).toBe(50);
    for (const key of ['valLoss', 'wer', 'per', 'werNoStress', 'perNoStress']) expect(Number.isFinite(m[key]), key).toBe(true);
    // any listed pronunciation without stress is a looser test than the first one with stress
    expect(m.werNoStress).toBeLessThanOrEqual(m.wer!);

    // Fine-tuning may change dropout and the recipe, never the architecture the weights belong to.
    const tuned = join(dir, 'seq2seq-ft');
    await cli('train', 'seq2seq', '--resume', ckpt, '--set', 'dropout=0.3', '--set', 'labelSmoothing=0', '--steps', '2', '--out', tuned, '--json');
    const manifest = JSON.parse(await readFile(join(tuned, 'genloom.json'), 'utf8'));
    expect(manifest.config).toMatchObject({ dropout: 0.3, labelSmoothing: 0, nEmbd: 32 });
    expect(manifest.provenance.parent).toBe(ckpt);
    await expect(cli('train', 'seq2seq', '--resume', ckpt, '--set', 'nEmbd=64', '--steps', '2', '--out', tuned)).rejects.toThrow(
      /--set nEmbd=64 \(the checkpoint has 32\) cannot change on --resume: .*fields that can change when resuming: batchSize, lr, .*dropout, labelSmoothing/,
    );
  });

  for (const c of cases) {
    it(`${c.family}: train tiny → sample → eval`, async () => {
      const ckpt = join(dir, c.family);
      const trained = await cli('train', c.family, '--data', c.data(), '--preset', 'tiny', '--steps', '4', '--seed', '1', '--out', ckpt, '--json');
      const done = trained.at(-1)!;
      expect(done).toMatchObject({ event: 'done', steps: 4, checkpoint: ckpt });
      expect(Object.values(done.metrics as Record<string, number>).every(Number.isFinite)).toBe(true);
      const manifest = JSON.parse(await readFile(join(ckpt, 'genloom.json'), 'utf8'));
      expect(manifest.provenance.data).toBe(c.data());

      const file = join(dir, `${c.family}.png`);
      const sampled = await cli('sample', ckpt, '--seed', '2', ...c.sample, ...(c.expectPng ? ['--out', file] : []), '--json');
      if (c.expectPng) {
        expect((await stat(file)).size).toBeGreaterThan(100);
        expect((await readFile(file)).subarray(1, 4).toString()).toBe('PNG');
      } else {
        expect(JSON.stringify(sampled[0])).toContain('Call me');
      }

      const evaluated = await cli('eval', ckpt, '--samples', '100', '--json');
      const metrics = evaluated[0]!.metrics as Record<string, number>;
      expect(Object.keys(metrics).length).toBeGreaterThan(0);
      expect(Object.values(metrics).every(Number.isFinite)).toBe(true);
      // image families are scored by the MNIST feature extractor (4 training steps: far from real digits)
      if (c.expectPng) expect(metrics.fid).toBeGreaterThan(0);

      // The same checkpoint through the library: evaluateCheckpoint picks the metrics from the model's capabilities.
      const data = await heldOut(c.data());
      const lib = await evaluateCheckpoint(ckpt, data, { samples: 20, importanceSamples: 5, importanceExamples: 20 });
      expect(lib.family).toBe(c.family);
      for (const key of c.library) expect(Number.isFinite(lib.report[key as keyof typeof lib.report]), `${c.family}: ${key}`).toBe(true);
      if ('x' in data) data.x.dispose();
    });
  }
});

import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';

import { sequentialTextBatches, textWindows } from './text-batches.js';

const tokens = Int32Array.from({ length: 1000 }, (_, i) => i); // token i is its own position

async function rows(t: tf.Tensor2D): Promise<number[][]> {
  const values = Array.from(await t.data());
  const [b, T] = t.shape;
  return Array.from({ length: b }, (_, r) => values.slice(r * T, (r + 1) * T));
}

describe('textWindows', () => {
  it('draws int32 windows [B, T] with y = x shifted by one token', async () => {
    const source = textWindows(tokens, { blockSize: 16, batchSize: 4, seed: 1, batchesPerEpoch: 50 });
    expect(source.batchesPerEpoch).toBe(50);
    const { x, y } = source.batch(0, 0);
    expect(x.shape).toEqual([4, 16]);
    expect(x.dtype).toBe('int32');
    const xs = await rows(x);
    const ys = await rows(y);
    xs.forEach((row, r) => {
      expect(row).toEqual(Array.from({ length: 16 }, (_, t) => row[0]! + t)); // contiguous
      expect(ys[r]).toEqual(row.map((v) => v + 1));
      expect(row[0]! + 16).toBeLessThan(1000); // the target stays inside the stream
    });
    tf.dispose([x, y]);
  });

  it('depends on (seed, epoch, index) only', async () => {
    const a = textWindows(tokens, { blockSize: 8, batchSize: 3, seed: 9 });
    const b = textWindows(tokens, { blockSize: 8, batchSize: 3, seed: 9 });
    expect(await rows(a.batch(4, 1).x)).toEqual(await rows(b.batch(4, 1).x));
    expect(await rows(a.batch(4, 1).x)).not.toEqual(await rows(a.batch(4, 2).x));
    expect(await rows(a.batch(4, 1).x)).not.toEqual(await rows(a.batch(5, 1).x));
    expect(a.batchesPerEpoch).toBe(Math.floor(1000 / 24)); // default: about one pass over the tokens
  });

  it('reaches every start position, the last one included', async () => {
    const small = Int32Array.from({ length: 12 }, (_, i) => i);
    const source = textWindows(small, { blockSize: 10, batchSize: 8, seed: 2, batchesPerEpoch: 4 });
    const starts = new Set<number>();
    for (let i = 0; i < 4; i++) for (const row of await rows(source.batch(0, i).x)) starts.add(row[0]!);
    expect([...starts].sort()).toEqual([0, 1]);
  });

  it('fails clearly when the text is shorter than a window', () => {
    expect(() => textWindows(new Int32Array(16), { blockSize: 16, batchSize: 2 })).toThrow(
      'textWindows: 16 tokens are too few for windows of blockSize 16 (need at least 17); use a longer text or a smaller blockSize',
    );
    expect(() => textWindows(new Int32Array(0), { blockSize: 4, batchSize: 2 })).toThrow(/0 tokens are too few/);
    expect(() => textWindows([1, 2.5, 3], { blockSize: 1, batchSize: 1 })).toThrow(/tokens must be an Int32Array \(or an array of integer ids\)/);
    expect(textWindows([1, 2, 3], { blockSize: 2, batchSize: 1 }).batchesPerEpoch).toBe(1); // plain arrays are accepted
  });
});

describe('sequentialTextBatches', () => {
  it('continues every row from one batch to the next, so hidden state can carry over', async () => {
    const source = sequentialTextBatches(tokens, { blockSize: 10, batchSize: 4 });
    // 999 usable tokens → 4 streams of 249 → 24 batches of 10
    expect(source.batchesPerEpoch).toBe(24);
    let previous: number[][] | undefined;
    for (let i = 0; i < source.batchesPerEpoch; i++) {
      const { x, y } = source.batch(0, i);
      const xs = await rows(x);
      const ys = await rows(y);
      xs.forEach((row, r) => {
        expect(ys[r]).toEqual(row.map((v) => v + 1));
        if (previous) expect(row[0]).toBe(previous[r]![9]! + 1);
      });
      expect(xs.map((row) => row[0])).toEqual([0, 249, 498, 747].map((s) => s + 10 * i));
      previous = xs;
      tf.dispose([x, y]);
    }
  });

  it('moves the cut points each epoch with shiftEachEpoch, deterministically', async () => {
    const source = sequentialTextBatches(tokens, { blockSize: 10, batchSize: 4, seed: 5, shiftEachEpoch: true });
    const firstStarts = async (epoch: number) => (await rows(source.batch(epoch, 0).x)).map((r) => r[0]!);
    const offsets = new Set<number>();
    for (let e = 0; e < 8; e++) {
      const starts = await firstStarts(e);
      offsets.add(starts[0]!);
      expect(starts[0]).toBeLessThan(10);
      // the last target of the last batch stays inside the stream
      const last = await rows(source.batch(e, source.batchesPerEpoch - 1).y);
      expect(last[3]![9]).toBeLessThan(1000);
    }
    expect(offsets.size).toBeGreaterThan(1);
    expect(await firstStarts(3)).toEqual(await firstStarts(3));
  });

  it('fails clearly when the streams are shorter than one block', () => {
    expect(() => sequentialTextBatches(new Int32Array(50), { blockSize: 10, batchSize: 8 })).toThrow(
      /50 tokens make 8 streams of 6, shorter than blockSize 10/,
    );
  });
});

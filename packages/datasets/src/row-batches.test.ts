import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';

import type { TabularSet } from './csv.js';
import { makeImageSet } from './image-set.js';
import { imageBatches, tabularBatches } from './row-batches.js';

/** n images of 2×2×1 whose pixels all equal the image's index, labels index % 3. */
function numberedImages(n: number) {
  const pixels = new Float32Array(n * 4);
  for (let i = 0; i < n; i++) pixels.fill(i, i * 4, i * 4 + 4);
  return makeImageSet({ pixels, shape: [n, 2, 2, 1], labels: Int32Array.from({ length: n }, (_, i) => i % 3) });
}

async function batchIds(x: tf.Tensor): Promise<number[]> {
  const values = await x.data();
  const per = x.size / x.shape[0]!;
  return Array.from({ length: x.shape[0]! }, (_, b) => values[b * per]!);
}

async function epochIds(source: ReturnType<typeof imageBatches>, epoch: number): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < source.batchesPerEpoch; i++) {
    const { x, labels } = source.batch(epoch, i);
    ids.push(...(await batchIds(x)));
    tf.dispose([x, labels!]);
  }
  return ids;
}

describe('imageBatches', () => {
  const data = numberedImages(103);

  it('visits every image exactly once per epoch, in a new order each epoch', async () => {
    const source = imageBatches(data, { batchSize: 10, seed: 42 });
    expect(source.batchesPerEpoch).toBe(11);
    expect(source.batchSize).toBe(10);
    const e0 = await epochIds(source, 0);
    const e1 = await epochIds(source, 1);
    expect(e0.slice().sort((a, b) => a - b)).toEqual(Array.from({ length: 103 }, (_, i) => i));
    expect(e1.slice().sort((a, b) => a - b)).toEqual(Array.from({ length: 103 }, (_, i) => i));
    expect(e0).not.toEqual(e1);
    expect(e0).not.toEqual(Array.from({ length: 103 }, (_, i) => i));
  });

  it('is a pure function of (seed, epoch, index): any order of calls, any fresh source', async () => {
    const a = imageBatches(data, { batchSize: 16, seed: 7 });
    const b = imageBatches(data, { batchSize: 16, seed: 7 });
    const c = imageBatches(data, { batchSize: 16, seed: 8 });
    const first = a.batch(3, 2);
    a.batch(0, 0); // touching another epoch must not change what (3, 2) is
    const again = a.batch(3, 2);
    const fresh = b.batch(3, 2); // a resumed run builds a new source and jumps straight to (3, 2)
    const other = c.batch(3, 2);
    expect(await batchIds(again.x)).toEqual(await batchIds(first.x));
    expect(await batchIds(fresh.x)).toEqual(await batchIds(first.x));
    expect(await batchIds(other.x)).not.toEqual(await batchIds(first.x));
    expect(Array.from(await fresh.labels!.data())).toEqual((await batchIds(first.x)).map((i) => i % 3));
  });

  it('makes float32 images [B, H, W, C] and int32 labels [B]; the last batch is smaller', () => {
    const source = imageBatches(data, { batchSize: 25, seed: 1 });
    const { x, labels } = source.batch(0, 4);
    expect(x.shape).toEqual([3, 2, 2, 1]);
    expect(x.dtype).toBe('float32');
    expect(labels!.shape).toEqual([3]);
    expect(labels!.dtype).toBe('int32');
    tf.dispose([x, labels!]);
  });

  it('keeps the data order without shuffle and drops the remainder on request', async () => {
    const ordered = imageBatches(data, { batchSize: 10, shuffle: false, dropRemainder: true });
    expect(ordered.batchesPerEpoch).toBe(10);
    expect(await epochIds(ordered, 5)).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  it('leaves no tensors behind but the batch it returns', () => {
    const source = imageBatches(data, { batchSize: 8 });
    const before = tf.memory().numTensors;
    const batch = source.batch(0, 0);
    expect(tf.memory().numTensors).toBe(before + 2);
    tf.dispose([batch.x, batch.labels!]);
    const unlabelled = imageBatches({ ...data, labels: undefined }, { batchSize: 8 }).batch(0, 0);
    expect(Object.keys(unlabelled)).toEqual(['x']);
    unlabelled.x.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects bad options and batch addresses with clear messages', () => {
    expect(() => imageBatches(data, { batchSize: 0 })).toThrow('batchSize must be a positive integer, got 0');
    expect(() => imageBatches(data, { batchSize: 200, dropRemainder: true })).toThrow(/103 examples make no full batch of 200/);
    const source = imageBatches(data, { batchSize: 10 });
    expect(() => source.batch(0, 11)).toThrow('batch index must be an integer in [0, 11), got 11');
    expect(() => source.batch(-1, 0)).toThrow('epoch must be a non-negative integer, got -1');
  });
});

describe('tabularBatches', () => {
  it('batches rows [B, D] with labels, covering every row once per epoch', async () => {
    const n = 37;
    const set: TabularSet = {
      features: Float32Array.from({ length: n * 3 }, (_, i) => Math.floor(i / 3)),
      shape: [n, 3],
      columns: ['a', 'b', 'c'],
      labels: Int32Array.from({ length: n }, (_, i) => i % 2),
    };
    const source = tabularBatches(set, { batchSize: 5, seed: 3 });
    expect(source.batchesPerEpoch).toBe(8);
    const seen: number[] = [];
    for (let i = 0; i < source.batchesPerEpoch; i++) {
      const { x, labels } = source.batch(2, i);
      expect(x.shape[1]).toBe(3);
      const ids = await batchIds(x);
      expect(Array.from(await labels!.data())).toEqual(ids.map((r) => r % 2));
      seen.push(...ids);
      tf.dispose([x, labels!]);
    }
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
  });
});

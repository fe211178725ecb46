import { describe, expect, it } from 'vitest';

import { makeImageSet, selectImages } from './image-set.js';

describe('makeImageSet', () => {
  it('scales, binarises and keeps labels, class names and keys', () => {
    const set = makeImageSet({
      pixels: new Uint8Array([0, 100, 200, 255]),
      shape: [2, 1, 2, 1],
      labels: Int32Array.from([1, 0]),
      classNames: ['a', 'b'],
      keys: ['x', 'y'],
      sourceMax: 255,
      binarize: 0.5,
      normalize: 'minus-one-one',
    });
    expect(Array.from(set.images)).toEqual([-1, -1, 1, 1]);
    expect(set.pixelRange).toEqual([-1, 1]);
    const picked = selectImages(set, [1]);
    expect(picked.shape).toEqual([1, 1, 2, 1]);
    expect(Array.from(picked.labels!)).toEqual([0]);
    expect(picked.keys).toEqual(['y']);
    expect(picked.classNames).toEqual(['a', 'b']);
  });

  it('reports shapes and counts that do not fit', () => {
    expect(() => makeImageSet({ pixels: new Float32Array(3), shape: [1, 2, 2, 1] })).toThrow('image shape [1, 2, 2, 1] needs 4 values, got 3');
    expect(() => makeImageSet({ pixels: [], shape: [0, 2, 2, 1] })).toThrow(/four positive integers/);
    expect(() => makeImageSet({ pixels: [1, 2], shape: [2, 1, 1, 1], labels: new Int32Array(1) })).toThrow('2 images but 1 labels');
    const set = makeImageSet({ pixels: [1, 2], shape: [2, 1, 1, 1] });
    expect(set.pixelRange).toEqual([1, 2]); // values kept as they are report their own range
    expect(() => selectImages(set, [2])).toThrow('selectImages: index 2 is outside 0..1');
    expect(() => selectImages(set, [])).toThrow(/no indices given/);
  });
});

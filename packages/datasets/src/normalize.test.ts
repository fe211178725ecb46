import { describe, expect, it } from 'vitest';

import { fitStandardizer, pixelRange, scalePixels, standardize } from './normalize.js';
import { hashString, isHeldOut, splitIndices } from './split.js';

describe('pixel scaling', () => {
  it('maps 0..255 to [0, 1], [-1, 1] or keeps it', () => {
    const raw = new Uint8Array([0, 51, 255]);
    expect(Array.from(scalePixels(raw, 'zero-one'))).toEqual([0, 0.2, 1].map((v) => expect.closeTo(v, 6)));
    expect(Array.from(scalePixels(raw, 'minus-one-one'))).toEqual([-1, -0.6, 1].map((v) => expect.closeTo(v, 6)));
    expect(Array.from(scalePixels(raw, 'none'))).toEqual([0, 51, 255]);
    expect(Array.from(scalePixels([0, 8, 16], 'zero-one', 16))).toEqual([0, 0.5, 1]);
    expect(pixelRange('none', 16)).toEqual([0, 16]);
    expect(() => scalePixels(raw, 'unit' as never)).toThrow(/pixel scale must be one of/);
  });
});

describe('standardisation', () => {
  it('fits per-feature statistics on train and applies them unchanged to test', () => {
    const train = Float32Array.from([1, 10, 3, 10, 5, 10]); // feature 0: mean 3, std √(8/3); feature 1 constant
    const st = fitStandardizer(train, 2);
    expect(Array.from(st.mean)).toEqual([3, 10]);
    expect(st.std[0]).toBeCloseTo(Math.sqrt(8 / 3), 5);
    expect(st.std[1]).toBe(1); // zero spread: left at 0 instead of dividing by zero
    const z = standardize(train, st);
    expect(z[0]! + z[2]! + z[4]!).toBeCloseTo(0, 5);
    expect(z[1]).toBe(0);
    expect(Array.from(standardize(Float32Array.from([3, 12]), st))).toEqual([0, 2]);
  });

  it('rejects shapes that do not fit', () => {
    expect(() => fitStandardizer(new Float32Array(5), 2)).toThrow(/multiple of featureDim 2, got length 5/);
    expect(() => fitStandardizer(new Float32Array(0), 1)).toThrow(/non-empty/);
    expect(() => standardize(new Float32Array(3), fitStandardizer(new Float32Array(4), 2))).toThrow(/not a multiple of the 2 fitted features/);
  });
});

describe('hash splits', () => {
  it('are stable, close to the asked fraction, and spread consecutive keys', () => {
    expect(hashString('ABANDON')).toBe(hashString('ABANDON'));
    expect(hashString('row:1')).not.toBe(hashString('row:2'));
    const test = splitIndices(20000, 'test', 0.1);
    const train = splitIndices(20000, 'train', 0.1);
    expect(test.length + train.length).toBe(20000);
    expect(test.length / 20000).toBeCloseTo(0.1, 2);
    expect(isHeldOut('x', 0)).toBe(false);
    // No long runs: the first 1,000 indices hold a fair share of the test split.
    expect(test.filter((i) => i < 1000).length).toBeGreaterThan(60);
  });
});

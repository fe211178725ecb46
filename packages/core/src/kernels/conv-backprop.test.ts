import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conv2DBackpropInputTuning, convFilterTuning } from './index.js';
import { compareBackends, rand, runKernel } from './testing-fixtures/compare.js';

type Pad = 'same' | 'valid' | [[0, 0], [number, number], [number, number], [0, 0]];
interface ConvCase {
  x: [number, number, number, number];
  k: [number, number];
  cout: number;
  strides: [number, number];
  pad: Pad;
}

const TOL = 1e-4;
const cases: ConvCase[] = [
  { x: [2, 8, 8, 3], k: [3, 3], cout: 4, strides: [1, 1], pad: 'same' },
  { x: [2, 8, 8, 3], k: [3, 3], cout: 4, strides: [1, 1], pad: 'valid' },
  { x: [2, 9, 9, 3], k: [3, 3], cout: 5, strides: [2, 2], pad: 'valid' },
  { x: [2, 8, 8, 4], k: [5, 5], cout: 3, strides: [2, 2], pad: 'same' },
  { x: [3, 7, 10, 2], k: [4, 4], cout: 6, strides: [2, 2], pad: 'same' },
  { x: [1, 11, 9, 3], k: [3, 2], cout: 2, strides: [3, 2], pad: 'same' },
  { x: [2, 6, 6, 5], k: [1, 1], cout: 7, strides: [1, 1], pad: 'valid' },
  { x: [2, 7, 7, 2], k: [2, 2], cout: 3, strides: [3, 3], pad: 'valid' },
  { x: [2, 6, 5, 3], k: [3, 3], cout: 4, strides: [1, 2], pad: [[0, 0], [2, 1], [0, 3], [0, 0]] },
  { x: [4, 14, 14, 8], k: [5, 5], cout: 16, strides: [2, 2], pad: 'same' }, // DCGAN-like
  // ≥ 16 input channels: transposed patches built in tiles
  { x: [2, 7, 7, 16], k: [3, 3], cout: 8, strides: [2, 2], pad: 'same' },
  { x: [2, 6, 6, 20], k: [2, 3], cout: 5, strides: [1, 1], pad: 'valid' },
];

function outShape(c: ConvCase): number[] {
  const info = tf.backend_util.computeConv2DInfo(c.x, [...c.k, c.x[3], c.cout], c.strides, 1, c.pad);
  return info.outShape;
}

const name = (c: ConvCase) => `x${c.x.join('x')} k${c.k.join('x')}→${c.cout} s${c.strides.join(',')} ${JSON.stringify(c.pad)}`;

describe('conv2d backprops on wasm match cpu', () => {
  it.each(cases)('Conv2DBackpropFilter $x $k $strides $pad', async (c) => {
    const filterShape = [...c.k, c.x[3], c.cout];
    const err = await compareBackends([rand(c.x, 1), rand(outShape(c), 2)], (x, dy) =>
      runKernel('Conv2DBackpropFilter', { x: x!, dy: dy! }, { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', filterShape }),
    );
    expect(err, name(c)).toBeLessThan(TOL);
  });

  it.each(cases)('Conv2DBackpropInput $x $k $strides $pad', async (c) => {
    const filterShape = [...c.k, c.x[3], c.cout];
    const err = await compareBackends([rand(outShape(c), 3), rand(filterShape, 4)], (dy, w) =>
      runKernel('Conv2DBackpropInput', { dy: dy!, filter: w! }, { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', inputShape: c.x }),
    );
    expect(err, name(c)).toBeLessThan(TOL);
  });

  it('conv2dTranspose (forward through Conv2DBackpropInput) matches cpu', async () => {
    const err = await compareBackends([rand([2, 7, 7, 8], 5), rand([4, 4, 3, 8], 6)], (x, w) =>
      tf.conv2dTranspose(x as tf.Tensor4D, w as tf.Tensor4D, [2, 14, 14, 3], 2, 'same'),
    );
    expect(err).toBeLessThan(TOL);
  });

  describe.each([
    ['one convolution over all stride phases', false, 0],
    ['one convolution per stride phase', true, 0],
    ['dy · Wᵀ and col2im', false, Infinity],
  ])('Conv2DBackpropInput with %s', (_, perPhase, col2imBelow) => {
    const saved = { ...conv2DBackpropInputTuning };
    beforeAll(() => {
      conv2DBackpropInputTuning.phaseConvs = () => perPhase;
      conv2DBackpropInputTuning.col2imBelowChannels = col2imBelow;
    });
    afterAll(() => {
      Object.assign(conv2DBackpropInputTuning, saved);
    });
    it.each(cases.filter((c) => c.strides[0] * c.strides[1] > 1 || col2imBelow > 0))('$x $k $strides $pad', async (c) => {
      const filterShape = [...c.k, c.x[3], c.cout];
      const err = await compareBackends([rand(outShape(c), 3), rand(filterShape, 4)], (dy, w) =>
        runKernel('Conv2DBackpropInput', { dy: dy!, filter: w! }, { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', inputShape: c.x }),
      );
      expect(err, name(c)).toBeLessThan(TOL);
    });
  });

  describe('with patch matrices split into chunks of examples', () => {
    const saved = convFilterTuning.maxPatchElements;
    beforeAll(() => {
      convFilterTuning.maxPatchElements = 2000;
    });
    afterAll(() => {
      convFilterTuning.maxPatchElements = saved;
    });
    it.each([4, 16])('Conv2DBackpropFilter sums the chunks (%i input channels)', async (cin) => {
      const filterShape = [5, 5, cin, 3];
      const err = await compareBackends([rand([5, 8, 8, cin], 7), rand([5, 4, 4, 3], 8)], (x, dy) =>
        runKernel('Conv2DBackpropFilter', { x: x!, dy: dy! }, { strides: 2, pad: 'same', dataFormat: 'NHWC', filterShape }),
      );
      expect(err).toBeLessThan(TOL);
    });
  });
});

describe('depthwise conv backprops on wasm match cpu', () => {
  const dw: Array<{ x: [number, number, number, number]; k: number; mult: number; s: number; pad: 'same' | 'valid' }> = [
    { x: [2, 8, 8, 3], k: 3, mult: 1, s: 1, pad: 'same' },
    { x: [2, 8, 8, 3], k: 3, mult: 2, s: 1, pad: 'valid' },
    { x: [2, 9, 9, 4], k: 3, mult: 1, s: 2, pad: 'same' },
    { x: [2, 9, 9, 2], k: 5, mult: 3, s: 2, pad: 'valid' },
  ];
  for (const c of dw) {
    const filterShape: [number, number, number, number] = [c.k, c.k, c.x[3], c.mult];
    const info = tf.backend_util.computeConv2DInfo(c.x, filterShape, c.s, 1, c.pad, undefined, true);
    const label = `x${c.x.join('x')} k${c.k} m${c.mult} s${c.s} ${c.pad}`;
    it(`DepthwiseConv2dNativeBackpropFilter ${label}`, async () => {
      const err = await compareBackends([rand(c.x, 11), rand(info.outShape, 12)], (x, dy) =>
        runKernel('DepthwiseConv2dNativeBackpropFilter', { x: x!, dy: dy! }, { strides: c.s, pad: c.pad, dilations: 1, filterShape }),
      );
      expect(err).toBeLessThan(TOL);
    });
    it(`DepthwiseConv2dNativeBackpropInput ${label}`, async () => {
      const err = await compareBackends([rand(info.outShape, 13), rand(filterShape, 14)], (dy, w) =>
        runKernel('DepthwiseConv2dNativeBackpropInput', { dy: dy!, filter: w! }, { strides: c.s, pad: c.pad, dilations: 1, inputShape: c.x }),
      );
      expect(err).toBeLessThan(TOL);
    });
  }
});

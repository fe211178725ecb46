import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../rng.js';
import { initWeight, type InitName } from './init.js';
import { Module } from './module.js';

/** Arguments of {@link Conv2d} and {@link ConvTranspose2d}. Tensors are NHWC. */
export interface ConvArgs {
  inChannels: number;
  outChannels: number;
  kernelSize: number;
  stride?: number;
  /** 'same' keeps H×W at stride 1 (and halves it at stride 2); 'valid' adds no padding. */
  padding?: 'same' | 'valid';
  bias?: boolean;
  rng: Rng;
  init?: InitName;
  std?: number;
}

function checkConvArgs(kind: string, a: ConvArgs): void {
  for (const key of ['inChannels', 'outChannels', 'kernelSize'] as const) {
    if (!Number.isInteger(a[key]) || a[key] <= 0) throw new Error(`${kind}: ${key} must be a positive integer, got ${a[key]}`);
  }
  const s = a.stride ?? 1;
  if (!Number.isInteger(s) || s <= 0) throw new Error(`${kind}: stride must be a positive integer, got ${s}`);
}

/**
 * 2-D convolution over NHWC images.
 *
 * @example
 * ```ts
 * const conv = new Conv2d({ inChannels: 1, outChannels: 32, kernelSize: 3, stride: 2, rng });
 * conv.forward(x); // [B, 28, 28, 1] → [B, 14, 14, 32]
 * ```
 */
export class Conv2d extends Module {
  readonly filter: tf.Variable; // [k, k, in, out]
  readonly bias: tf.Variable | null;
  readonly stride: number;
  readonly padding: 'same' | 'valid';
  readonly inChannels: number;

  constructor(args: ConvArgs) {
    super();
    checkConvArgs('Conv2d', args);
    const k = args.kernelSize;
    const fanIn = k * k * args.inChannels;
    const fanOut = k * k * args.outChannels;
    this.inChannels = args.inChannels;
    this.stride = args.stride ?? 1;
    this.padding = args.padding ?? 'same';
    this.filter = this.addParam('filter', () => initWeight(args.init ?? 'torch', [k, k, args.inChannels, args.outChannels], fanIn, fanOut, args.rng, args.std));
    this.bias = args.bias === false ? null : this.addParam('bias', () => tf.zeros([args.outChannels]));
  }

  /** @example `conv.forward(tf.zeros([1, 8, 8, 1]))` */
  forward(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      if (x.shape[3] !== this.inChannels) {
        throw new Error(`Conv2d expected ${this.inChannels} input channels (NHWC), got input of shape [${x.shape}]`);
      }
      let y = tf.conv2d(x, this.filter as tf.Tensor4D, this.stride, this.padding);
      if (this.bias) y = tf.add(y, this.bias);
      return y;
    });
  }
}

/**
 * Transposed ("fractionally strided") convolution: the upsampling layer of DCGAN generators and
 * U-Net decoders. With padding 'same' and stride s it maps H×W to sH×sW.
 *
 * @example
 * ```ts
 * const up = new ConvTranspose2d({ inChannels: 64, outChannels: 32, kernelSize: 4, stride: 2, rng });
 * up.forward(x); // [B, 7, 7, 64] → [B, 14, 14, 32]
 * ```
 */
export class ConvTranspose2d extends Module {
  readonly filter: tf.Variable; // [k, k, out, in]
  readonly bias: tf.Variable | null;
  readonly stride: number;
  readonly padding: 'same' | 'valid';
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: number;

  constructor(args: ConvArgs) {
    super();
    checkConvArgs('ConvTranspose2d', args);
    const k = args.kernelSize;
    this.inChannels = args.inChannels;
    this.outChannels = args.outChannels;
    this.kernelSize = k;
    this.stride = args.stride ?? 1;
    this.padding = args.padding ?? 'same';
    const fanIn = k * k * args.inChannels;
    this.filter = this.addParam('filter', () => initWeight(args.init ?? 'torch', [k, k, args.outChannels, args.inChannels], fanIn, k * k * args.outChannels, args.rng, args.std));
    this.bias = args.bias === false ? null : this.addParam('bias', () => tf.zeros([args.outChannels]));
  }

  /** Output spatial size for an input size. @example `up.outputSize(7) // 14` */
  outputSize(inputSize: number): number {
    return this.padding === 'same' ? inputSize * this.stride : (inputSize - 1) * this.stride + this.kernelSize;
  }

  /** @example `up.forward(tf.zeros([1, 7, 7, 64]))` */
  forward(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const [b, h, w, c] = x.shape;
      if (c !== this.inChannels) {
        throw new Error(`ConvTranspose2d expected ${this.inChannels} input channels (NHWC), got input of shape [${x.shape}]`);
      }
      const outShape: [number, number, number, number] = [b, this.outputSize(h), this.outputSize(w), this.outChannels];
      let y = tf.conv2dTranspose(x, this.filter as tf.Tensor4D, outShape, this.stride, this.padding);
      if (this.bias) y = tf.add(y, this.bias);
      return y;
    });
  }
}

import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../rng.js';
import { initWeight, type InitName } from './init.js';
import { Module } from './module.js';

/** Arguments of {@link Dense}. */
export interface DenseArgs {
  inputDim: number;
  units: number;
  rng: Rng;
  /** Add a bias vector (default true). nanoGPT's CPU preset uses none. */
  bias?: boolean;
  /** Weight initialiser (default 'torch', PyTorch's nn.Linear). */
  init?: InitName;
  /** Standard deviation for init 'normal'. */
  std?: number;
}

/**
 * A fully connected layer `y = x·W + b` over the last axis; inputs of any rank ≥ 2.
 *
 * @example
 * ```ts
 * const fc = new Dense({ inputDim: 784, units: 400, rng: new Rng(0) });
 * const h = fc.forward(x); // [B, 784] → [B, 400]
 * ```
 */
export class Dense extends Module {
  readonly kernel: tf.Variable;
  readonly bias: tf.Variable | null;
  readonly inputDim: number;
  readonly units: number;

  constructor(args: DenseArgs) {
    super();
    if (!(args.inputDim > 0) || !(args.units > 0)) {
      throw new Error(`Dense needs positive inputDim and units, got inputDim=${args.inputDim}, units=${args.units}`);
    }
    this.inputDim = args.inputDim;
    this.units = args.units;
    const init = args.init ?? 'torch';
    this.kernel = this.addParam('kernel', () => initWeight(init, [args.inputDim, args.units], args.inputDim, args.units, args.rng, args.std));
    this.bias = args.bias === false ? null : this.addParam('bias', () => tf.zeros([args.units]));
  }

  /** Applies the layer to `[..., inputDim]`, returning `[..., units]`. @example `fc.forward(tf.ones([2, 784]))` */
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const last = x.shape[x.rank - 1];
      if (last !== this.inputDim) {
        throw new Error(`Dense expected last dimension ${this.inputDim}, got input of shape [${x.shape}]`);
      }
      const flat = x.rank === 2 ? (x as tf.Tensor2D) : x.reshape([-1, this.inputDim]);
      let y: tf.Tensor = tf.matMul(flat, this.kernel); // [N, units]
      if (this.bias) y = tf.add(y, this.bias);
      return x.rank === 2 ? y : y.reshape([...x.shape.slice(0, -1), this.units]);
    });
  }
}

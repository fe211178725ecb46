import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../rng.js';

/**
 * Weight initialisers. Each takes the shape, fan-in/fan-out where it needs them, and an {@link Rng}
 * so initialisation is reproducible.
 */

/** Glorot/Xavier uniform: U(±sqrt(6/(fanIn+fanOut))). @example `glorotUniform([784, 400], 784, 400, rng)` */
export function glorotUniform(shape: number[], fanIn: number, fanOut: number, rng: Rng): tf.Tensor {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  return tf.randomUniform(shape, -limit, limit, 'float32', rng.tfSeed());
}

/** He/Kaiming uniform for ReLU nets: U(±sqrt(6/fanIn)) (PyTorch's default with a=√5 is ±1/sqrt(fanIn)). @example `heUniform([3,3,1,32], 9, rng)` */
export function heUniform(shape: number[], fanIn: number, rng: Rng): tf.Tensor {
  const limit = Math.sqrt(6 / fanIn);
  return tf.randomUniform(shape, -limit, limit, 'float32', rng.tfSeed());
}

/** PyTorch's default for Linear/Conv: U(±1/sqrt(fanIn)). @example `torchDefaultUniform([400], 784, rng)` */
export function torchDefaultUniform(shape: number[], fanIn: number, rng: Rng): tf.Tensor {
  const limit = 1 / Math.sqrt(fanIn);
  return tf.randomUniform(shape, -limit, limit, 'float32', rng.tfSeed());
}

/** N(0, std²), as GPT-2/nanoGPT (std 0.02) and DCGAN (std 0.02) use. @example `normalInit([128, 512], 0.02, rng)` */
export function normalInit(shape: number[], std: number, rng: Rng): tf.Tensor {
  return tf.randomNormal(shape, 0, std, 'float32', rng.tfSeed());
}

/** Names of the initialisers that layers accept in their `init` argument. */
export type InitName = 'glorot' | 'he' | 'torch' | 'normal';

/**
 * Builds a weight tensor with a named initialiser.
 *
 * @example
 * ```ts
 * const w = initWeight('normal', [128, 128], 128, 128, rng, 0.02);
 * ```
 */
export function initWeight(name: InitName, shape: number[], fanIn: number, fanOut: number, rng: Rng, std = 0.02): tf.Tensor {
  switch (name) {
    case 'glorot':
      return glorotUniform(shape, fanIn, fanOut, rng);
    case 'he':
      return heUniform(shape, fanIn, rng);
    case 'torch':
      return torchDefaultUniform(shape, fanIn, rng);
    case 'normal':
      return normalInit(shape, std, rng);
    default:
      throw new Error(`Unknown initialiser "${String(name)}"; expected glorot, he, torch or normal`);
  }
}

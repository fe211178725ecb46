import * as tf from '@tensorflow/tfjs';
import { Dense } from '../nn/dense.js';
import { Module } from '../nn/module.js';
import { Rng } from '../rng.js';
import type { DataSource } from '../data.js';
import type { FamilyDefinition } from '../family.js';
import type { GenerativeModel } from '../model.js';
import type { StepContext } from '../train/context.js';
import { deriveSeed } from '../rng.js';

/** A tiny autoencoder used by core's own tests (not shipped). */
export interface ToyConfig {
  dim: number;
  hidden: number;
}

class ToyNet extends Module {
  enc: Dense;
  dec: Dense;
  constructor(c: ToyConfig, rng: Rng) {
    super();
    this.enc = this.addChild('enc', new Dense({ inputDim: c.dim, units: c.hidden, rng }));
    this.dec = this.addChild('dec', new Dense({ inputDim: c.hidden, units: c.dim, rng }));
  }
}

export class ToyModel implements GenerativeModel<{ x: tf.Tensor2D }, ToyConfig> {
  readonly family = 'toy';
  readonly net: ToyNet;
  constructor(readonly config: ToyConfig, seed: number) {
    this.net = new ToyNet(config, new Rng(seed));
  }
  forward(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => this.net.dec.forward(tf.tanh(this.net.enc.forward(x))) as tf.Tensor2D);
  }
  trainStep(batch: { x: tf.Tensor2D }, ctx: StepContext) {
    const loss = ctx.minimize(() => tf.losses.meanSquaredError(batch.x, this.forward(batch.x)) as tf.Scalar, this.namedParameters());
    return { loss };
  }
  async generate(seed: number): Promise<Float32Array> {
    const z = tf.randomNormal([2, this.config.hidden], 0, 1, 'float32', seed);
    const out = tf.tidy(() => this.net.dec.forward(z));
    const data = (await out.data()) as Float32Array;
    tf.dispose([z, out]);
    return data;
  }
  namedParameters() {
    return this.net.namedParameters();
  }
  getWeights() {
    return this.net.getWeights();
  }
  setWeights(w: tf.NamedTensorMap) {
    this.net.setWeights(w);
  }
  dispose() {
    this.net.dispose();
  }
}

export const toyFamily: FamilyDefinition<ToyConfig, ToyModel> = {
  name: 'toy',
  description: 'test autoencoder',
  presets: { tiny: { dim: 8, hidden: 3 } },
  defaultPreset: 'tiny',
  resolveConfig: (o = {}) => ({ dim: 8, hidden: 3, ...o }),
  create: (c, seed) => new ToyModel(c, seed),
};

/** Low-rank data the toy autoencoder can learn: x = A·z with z ~ N(0, I₃). */
export function toyData(seed = 1, batchSize = 32, batchesPerEpoch = 8): DataSource<{ x: tf.Tensor2D }> {
  const a = tf.randomNormal([3, 8], 0, 1, 'float32', seed);
  const mix = tf.keep(a);
  return {
    batchesPerEpoch,
    batchSize,
    batch: (epoch, index) => tf.tidy(() => ({ x: tf.matMul(tf.randomNormal([batchSize, 3], 0, 1, 'float32', deriveSeed(seed, epoch, index)), mix) as tf.Tensor2D })),
  };
}

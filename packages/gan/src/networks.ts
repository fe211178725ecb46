/**
 * The generator and discriminator networks of the MLP and DCGAN variants. Discriminators return
 * raw logits (the losses decide what they mean) and, for ACGAN, class logits from a second head.
 */
import * as tf from '@tensorflow/tfjs';
import { BatchNorm, Conv2d, ConvTranspose2d, Dense, Module, Rng } from '@genloom/core';
import type { GANConfig } from './config.js';

/** Slope of the discriminators' leaky ReLU (DCGAN's 0.2). */
export const LEAKY_SLOPE = 0.2;

/**
 * Leaky ReLU written as `½(1+a)·x + ½(1−a)·|x|`: the same function as `tf.leakyRelu`, but made of ops
 * whose gradients are differentiable again. tfjs's own leakyRelu gradient goes through `Greater`,
 * which has no gradient, so the gradient penalty (a gradient of a gradient) would fail on it.
 *
 * @example
 * ```ts
 * leakyRelu(tf.tensor([-1, 2])); // [-0.2, 2]
 * ```
 */
export function leakyRelu(x: tf.Tensor, slope = LEAKY_SLOPE): tf.Tensor {
  return tf.tidy(() => tf.add(tf.mul(0.5 * (1 + slope), x), tf.mul(0.5 * (1 - slope), tf.abs(x))));
}

/** One-hot float32 rows for integer labels (cast explicitly: wasm's OneHot can return int bits). */
export function oneHotFloat(labels: tf.Tensor1D, numClasses: number): tf.Tensor2D {
  return tf.tidy(() => tf.cast(tf.oneHot(tf.cast(labels, 'int32'), numClasses), 'float32') as tf.Tensor2D);
}

/** What a discriminator returns: adversarial logits [N] and, for ACGAN, class logits [N, K]. */
export interface DiscriminatorOutput {
  logits: tf.Tensor1D;
  classLogits: tf.Tensor2D | null;
}

/** A generator: noise (and labels) in, an example out. */
export interface Generator extends Module {
  /** Images from latent rows `z` [B, Z] (and class labels for conditional generators), in [-1, 1]. */
  forward(z: tf.Tensor2D, labels: tf.Tensor1D | null, training: boolean): tf.Tensor;
  /** Folds the last training batch's batch-norm statistics into the running averages. */
  commitRunningStats(): void;
}

/** A discriminator over (packed) examples. */
export interface Discriminator extends Module {
  /** Real/fake logits (and class logits for ACGAN) of a batch of examples. */
  forward(x: tf.Tensor, training: boolean): DiscriminatorOutput;
  /** Folds the last training batch's batch-norm statistics into the running averages (no-op without batch norm). */
  commitRunningStats(): void;
}

function commitAll(norms: BatchNorm[]): void {
  for (const bn of norms) bn.commitRunningStats();
}

/**
 * Packs `pack` consecutive examples into one (PacGAN): [B, …, C] → [B/pack, …, pack·C], so the
 * discriminator judges them jointly.
 *
 * @example
 * ```ts
 * packExamples(tf.zeros([8, 2]), 2).shape; // [4, 4]
 * ```
 */
export function packExamples(x: tf.Tensor, pack: number): tf.Tensor {
  if (pack === 1) return x;
  const b = x.shape[0]!;
  if (b % pack !== 0) throw new Error(`PacGAN packing: batch of ${b} examples is not divisible by pack=${pack}`);
  return tf.tidy(() => {
    if (x.rank === 2) return x.reshape([b / pack, pack * x.shape[1]!]); // [B/p, p·D]
    const [, h, w, c] = x.shape as [number, number, number, number];
    // [B/p, p, H, W, C] → [B/p, H, W, p, C] → [B/p, H, W, p·C]
    return x.reshape([b / pack, pack, h, w, c]).transpose([0, 2, 3, 1, 4]).reshape([b / pack, h, w, pack * c]);
  });
}

/** MLP generator: z (+ one-hot label) → hidden ReLU layers → a linear D-vector. */
export class MlpGenerator extends Module implements Generator {
  readonly layers: Dense[] = [];
  readonly out: Dense;

  constructor(private readonly c: GANConfig, rng: Rng) {
    super();
    let width = c.latentDim + c.numClasses;
    c.generatorChannels.forEach((units, i) => {
      this.layers.push(this.addChild(`fc${i}`, new Dense({ inputDim: width, units, rng })));
      width = units;
    });
    this.out = this.addChild('out', new Dense({ inputDim: width, units: c.outputShape[0]!, rng }));
  }

  forward(z: tf.Tensor2D, labels: tf.Tensor1D | null): tf.Tensor2D {
    return tf.tidy(() => {
      let h: tf.Tensor = labels ? tf.concat([z, oneHotFloat(labels, this.c.numClasses)], 1) : z; // [B, Z+K]
      for (const fc of this.layers) h = tf.relu(fc.forward(h)); // [B, hidden]
      return this.out.forward(h) as tf.Tensor2D; // [B, D]
    });
  }

  commitRunningStats(): void {}
}

/** MLP discriminator: (packed) vectors → hidden leaky-ReLU layers → a logit (+ class logits). */
export class MlpDiscriminator extends Module implements Discriminator {
  readonly layers: Dense[] = [];
  readonly out: Dense;
  readonly aux: Dense | null;

  constructor(private readonly c: GANConfig, rng: Rng) {
    super();
    let width = c.outputShape[0]! * c.pack;
    c.discriminatorChannels.forEach((units, i) => {
      this.layers.push(this.addChild(`fc${i}`, new Dense({ inputDim: width, units, rng })));
      width = units;
    });
    this.out = this.addChild('out', new Dense({ inputDim: width, units: 1, rng }));
    this.aux = c.numClasses > 0 ? this.addChild('aux', new Dense({ inputDim: width, units: c.numClasses, rng })) : null;
  }

  forward(x: tf.Tensor): DiscriminatorOutput {
    const [logits, classLogits] = tf.tidy((): tf.Tensor[] => {
      let h = packExamples(x, this.c.pack); // [B/p, p·D]
      for (const fc of this.layers) h = leakyRelu(fc.forward(h));
      const logit = this.out.forward(h).reshape([-1]) as tf.Tensor1D; // [B/p]
      return this.aux ? [logit, this.aux.forward(h)] : [logit];
    });
    return { logits: logits as tf.Tensor1D, classLogits: (classLogits as tf.Tensor2D | undefined) ?? null };
  }

  commitRunningStats(): void {}
}

/**
 * DCGAN generator (Radford et al. 2016): z (+ one-hot label) → a dense projection to the lowest
 * resolution → stride-2 transposed convolutions with batch norm and ReLU → tanh pixels in [-1, 1].
 */
export class DcganGenerator extends Module implements Generator {
  readonly project: Dense;
  readonly projectNorm: BatchNorm;
  readonly ups: ConvTranspose2d[] = [];
  readonly norms: BatchNorm[] = [];
  readonly base: number;

  constructor(private readonly c: GANConfig, rng: Rng) {
    super();
    const [h, , channels] = c.outputShape as [number, number, number];
    const ch = c.generatorChannels;
    this.base = h / 2 ** ch.length;
    const k = c.kernelSize;
    this.project = this.addChild('project', new Dense({ inputDim: c.latentDim + c.numClasses, units: this.base * this.base * ch[0]!, rng, init: 'normal', bias: false }));
    this.projectNorm = this.addChild('projectNorm', new BatchNorm({ channels: ch[0]! }));
    for (let i = 0; i < ch.length; i++) {
      const last = i === ch.length - 1;
      const out = last ? channels : ch[i + 1]!;
      this.ups.push(this.addChild(`up${i}`, new ConvTranspose2d({ inChannels: ch[i]!, outChannels: out, kernelSize: k, stride: 2, rng, init: 'normal', bias: last })));
      if (!last) this.norms.push(this.addChild(`norm${i}`, new BatchNorm({ channels: out })));
    }
  }

  forward(z: tf.Tensor2D, labels: tf.Tensor1D | null, training: boolean): tf.Tensor4D {
    return tf.tidy(() => {
      const b = z.shape[0];
      const input = labels ? tf.concat([z, oneHotFloat(labels, this.c.numClasses)], 1) : z; // [B, Z+K]
      const flat = this.project.forward(input).reshape([b, this.base, this.base, this.c.generatorChannels[0]!]); // [B, h0, w0, C0]
      let h = tf.relu(this.projectNorm.forward(flat, training)) as tf.Tensor4D;
      this.ups.forEach((up, i) => {
        h = up.forward(h); // [B, 2h, 2w, C_{i+1}]
        const norm = this.norms[i];
        if (norm) h = tf.relu(norm.forward(h, training)) as tf.Tensor4D;
      });
      return tf.tanh(h) as tf.Tensor4D; // [B, H, W, C]
    });
  }

  commitRunningStats(): void {
    commitAll([this.projectNorm, ...this.norms]);
  }
}

/**
 * DCGAN discriminator: stride-2 convolutions with leaky ReLU (batch norm after all but the first,
 * unless the config says `none`) → flatten → a logit, plus class logits for ACGAN.
 */
export class DcganDiscriminator extends Module implements Discriminator {
  readonly convs: Conv2d[] = [];
  readonly norms: Array<BatchNorm | null> = [];
  readonly out: Dense;
  readonly aux: Dense | null;

  constructor(private readonly c: GANConfig, rng: Rng) {
    super();
    const [h, w, channels] = c.outputShape as [number, number, number];
    let inC = channels * c.pack;
    c.discriminatorChannels.forEach((outC, i) => {
      const norm = i > 0 && c.discriminatorNorm === 'batch';
      this.convs.push(this.addChild(`conv${i}`, new Conv2d({ inChannels: inC, outChannels: outC, kernelSize: c.kernelSize, stride: 2, rng, init: 'normal', bias: !norm })));
      this.norms.push(norm ? this.addChild(`norm${i}`, new BatchNorm({ channels: outC })) : null);
      inC = outC;
    });
    const n = c.discriminatorChannels.length;
    const flat = (h / 2 ** n) * (w / 2 ** n) * inC;
    this.out = this.addChild('out', new Dense({ inputDim: flat, units: 1, rng, init: 'normal' }));
    this.aux = c.numClasses > 0 ? this.addChild('aux', new Dense({ inputDim: flat, units: c.numClasses, rng, init: 'normal' })) : null;
  }

  forward(x: tf.Tensor, training: boolean): DiscriminatorOutput {
    const [logits, classLogits] = tf.tidy((): tf.Tensor[] => {
      let h = packExamples(x, this.c.pack) as tf.Tensor4D; // [B/p, H, W, p·C]
      this.convs.forEach((conv, i) => {
        h = conv.forward(h); // [B/p, H/2^(i+1), W/2^(i+1), C_i]
        const norm = this.norms[i];
        if (norm) h = norm.forward(h, training) as tf.Tensor4D;
        h = leakyRelu(h) as tf.Tensor4D;
      });
      const flat = h.reshape([h.shape[0], -1]); // [B/p, h·w·C]
      const logit = this.out.forward(flat).reshape([-1]) as tf.Tensor1D; // [B/p]
      return this.aux ? [logit, this.aux.forward(flat)] : [logit];
    });
    return { logits: logits as tf.Tensor1D, classLogits: (classLogits as tf.Tensor2D | undefined) ?? null };
  }

  commitRunningStats(): void {
    commitAll(this.norms.filter((n): n is BatchNorm => n !== null));
  }
}

/**
 * The generator and discriminator for a config's architecture (mlp or dcgan).
 *
 * @example
 * ```ts
 * const { generator, discriminator } = createGANNetworks(resolveGANConfig({}, 'tiny'), new Rng(0));
 * ```
 */
export function createGANNetworks(c: GANConfig, rng: Rng): { generator: Generator; discriminator: Discriminator } {
  const builders = {
    mlp: () => ({ generator: new MlpGenerator(c, rng), discriminator: new MlpDiscriminator(c, rng) }),
    dcgan: () => ({ generator: new DcganGenerator(c, rng), discriminator: new DcganDiscriminator(c, rng) }),
  } as const;
  if (c.architecture === 'pix2pix') throw new Error('createGANNetworks builds mlp and dcgan networks; pix2pix has its own (see Pix2Pix)');
  return builders[c.architecture]();
}

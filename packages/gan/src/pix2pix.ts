/**
 * Image-to-image translation in the manner of pix2pix (Isola et al. 2017): a U-Net generator maps a
 * conditioning image to an output image; a PatchGAN discriminator judges (condition, output) pairs
 * patch by patch; the generator minimises the adversarial loss plus λ·L1 to the target.
 */
import * as tf from '@tensorflow/tfjs';
import { BatchNorm, Conv2d, ConvTranspose2d, Module, Rng, dropout, type GenerativeModel, type NamedVariable, type StepContext } from '@genloom/core';
import type { GANConfig } from './config.js';
import { discriminatorLoss, discriminatorScore, generatorLoss } from './losses.js';

/** A pix2pix batch: conditioning images `x` [B, H, W, inputChannels] and targets `y` [B, H, W, C], both in [-1, 1]. */
export type Pix2PixBatch = { x: tf.Tensor4D; y: tf.Tensor4D };

const SLOPE = 0.2;

/** U-Net: stride-2 conv encoder, stride-2 transposed-conv decoder, skip connections at every scale. */
export class UNetGenerator extends Module {
  readonly down: Conv2d[] = [];
  readonly downNorms: Array<BatchNorm | null> = [];
  readonly up: ConvTranspose2d[] = [];
  readonly upNorms: BatchNorm[] = [];

  constructor(private readonly c: GANConfig, rng: Rng) {
    super();
    const ch = c.generatorChannels;
    const k = c.kernelSize;
    let inC = c.inputChannels;
    ch.forEach((outC, i) => {
      this.down.push(this.addChild(`down${i}`, new Conv2d({ inChannels: inC, outChannels: outC, kernelSize: k, stride: 2, rng, init: 'normal', bias: i === 0 })));
      this.downNorms.push(i === 0 ? null : this.addChild(`downNorm${i}`, new BatchNorm({ channels: outC })));
      inC = outC;
    });
    // Decoder level i maps the features at scale i+1 (concatenated with the skip, except at the bottom) to scale i.
    for (let i = ch.length - 1; i >= 0; i--) {
      const bottom = i === ch.length - 1;
      const input = bottom ? ch[i]! : 2 * ch[i]!;
      const last = i === 0;
      const out = last ? c.outputShape[2]! : ch[i - 1]!;
      this.up.push(this.addChild(`up${i}`, new ConvTranspose2d({ inChannels: input, outChannels: out, kernelSize: k, stride: 2, rng, init: 'normal', bias: last })));
      if (!last) this.upNorms.push(this.addChild(`upNorm${i}`, new BatchNorm({ channels: out })));
    }
  }

  /** [B, H, W, Cin] → [B, H, W, Cout] in [-1, 1]; `rng` (training) turns on decoder dropout. */
  forward(x: tf.Tensor4D, training: boolean, rng: Rng | null): tf.Tensor4D {
    return tf.tidy(() => {
      const skips: tf.Tensor4D[] = [];
      let h = x;
      this.down.forEach((conv, i) => {
        h = conv.forward(h); // [B, H/2^(i+1), W/2^(i+1), C_i]
        const norm = this.downNorms[i];
        if (norm) h = norm.forward(h, training) as tf.Tensor4D;
        h = tf.leakyRelu(h, SLOPE) as tf.Tensor4D;
        skips.push(h);
      });
      const depth = this.down.length;
      this.up.forEach((deconv, j) => {
        const level = depth - 1 - j; // the scale this layer reads
        if (j > 0) h = tf.concat([h, skips[level]!], 3) as tf.Tensor4D; // [B, h, w, 2·C_level]
        h = deconv.forward(h); // up one scale
        const norm = this.upNorms[j];
        if (norm) {
          h = norm.forward(h, training) as tf.Tensor4D;
          // pix2pix's noise: dropout in the decoder's first layers, only while training
          if (j < 3 && training && this.c.dropout > 0) h = dropout(h, this.c.dropout, rng) as tf.Tensor4D;
          h = tf.relu(h) as tf.Tensor4D;
        }
      });
      return tf.tanh(h) as tf.Tensor4D; // [B, H, W, Cout]
    });
  }

  /** Folds the last training batch's batch-norm statistics into the running averages. */
  commitRunningStats(): void {
    for (const n of [...this.downNorms, ...this.upNorms]) n?.commitRunningStats();
  }
}

/** PatchGAN: stride-2 convs over the (condition, image) pair, then a stride-1 conv to one logit per patch. */
export class PatchDiscriminator extends Module {
  readonly convs: Conv2d[] = [];
  readonly norms: Array<BatchNorm | null> = [];
  readonly head: Conv2d;

  constructor(c: GANConfig, rng: Rng) {
    super();
    let inC = c.inputChannels + c.outputShape[2]!;
    c.discriminatorChannels.forEach((outC, i) => {
      const norm = i > 0 && c.discriminatorNorm === 'batch';
      this.convs.push(this.addChild(`conv${i}`, new Conv2d({ inChannels: inC, outChannels: outC, kernelSize: c.kernelSize, stride: 2, rng, init: 'normal', bias: !norm })));
      this.norms.push(norm ? this.addChild(`norm${i}`, new BatchNorm({ channels: outC })) : null);
      inC = outC;
    });
    this.head = this.addChild('head', new Conv2d({ inChannels: inC, outChannels: 1, kernelSize: c.kernelSize, stride: 1, rng, init: 'normal' }));
  }

  /** Patch logits, flattened to [B·h·w]. */
  forward(condition: tf.Tensor4D, image: tf.Tensor4D, training: boolean): tf.Tensor1D {
    return tf.tidy(() => {
      let h = tf.concat([condition, image], 3) as tf.Tensor4D; // [B, H, W, Cin+Cout]
      this.convs.forEach((conv, i) => {
        h = conv.forward(h);
        const norm = this.norms[i];
        if (norm) h = norm.forward(h, training) as tf.Tensor4D;
        h = tf.leakyRelu(h, SLOPE) as tf.Tensor4D;
      });
      return this.head.forward(h).reshape([-1]) as tf.Tensor1D; // [B·h·w] one logit per patch
    });
  }

  /** Folds the last training batch's batch-norm statistics into the running averages. */
  commitRunningStats(): void {
    for (const n of this.norms) n?.commitRunningStats();
  }
}

class Pix2PixPlayers extends Module {
  constructor(readonly generator: UNetGenerator, readonly discriminator: PatchDiscriminator) {
    super();
    this.addChild('generator', generator);
    this.addChild('discriminator', discriminator);
  }
}

/**
 * A pix2pix model: `translate(images)` maps conditioning images to outputs. Trained through core's
 * Trainer on {@link Pix2PixBatch}es with the optimizer groups `discriminator` and `generator`.
 *
 * @example
 * ```ts
 * const model = createPix2Pix({ preset: 'pix2pix-colorize' });
 * await train(model, colorizationBatches(pairs, { batchSize: 16, seed: 1 }), { steps: 2000, optimizer: ganOptimizers(model.config) });
 * const colour = model.translate(greyInputs); // [N, 32, 32, 4] in [-1, 1]
 * ```
 */
export class Pix2Pix implements GenerativeModel<Pix2PixBatch, GANConfig> {
  readonly family = 'gan';
  readonly generator: UNetGenerator;
  readonly discriminator: PatchDiscriminator;
  private readonly players: Pix2PixPlayers;
  private readonly gParams: NamedVariable[];
  private readonly dParams: NamedVariable[];

  constructor(readonly config: GANConfig, seed: number) {
    if (config.architecture !== 'pix2pix') throw new Error(`Pix2Pix needs architecture "pix2pix", got "${config.architecture}"`);
    const rng = new Rng(seed);
    this.generator = new UNetGenerator(config, rng);
    this.discriminator = new PatchDiscriminator(config, rng);
    this.players = new Pix2PixPlayers(this.generator, this.discriminator);
    const all = this.players.namedParameters();
    this.gParams = all.filter(([n]) => n.startsWith('generator.'));
    this.dParams = all.filter(([n]) => n.startsWith('discriminator.'));
  }

  private checkInput(x: tf.Tensor, what: string, channels: number): void {
    const [h, w] = this.config.outputShape as [number, number, number];
    if (x.rank !== 4 || x.shape[1] !== h || x.shape[2] !== w || x.shape[3] !== channels) {
      throw new Error(`pix2pix: ${what} must have shape [N, ${h}, ${w}, ${channels}], got [${x.shape}]`);
    }
  }

  /** One discriminator update, then one generator update (adversarial + λ·L1). */
  trainStep(batch: Pix2PixBatch, ctx: StepContext): Record<string, tf.Scalar> {
    const c = this.config;
    this.checkInput(batch.x, 'batch.x (conditions)', c.inputChannels);
    this.checkInput(batch.y, 'batch.y (targets)', c.outputShape[2]!);
    const out: Record<string, tf.Scalar> = {};
    const keep = (name: string, v: tf.Scalar) => {
      out[name]?.dispose();
      out[name] = tf.keep(v);
    };
    const dropRng = new Rng(ctx.rng.tfSeed());
    const fake = tf.tidy(() => this.generator.forward(batch.x, true, dropRng));
    out.dLoss = ctx.minimize(
      () => {
        const realLogits = this.discriminator.forward(batch.x, batch.y, true);
        const fakeLogits = this.discriminator.forward(batch.x, fake, true);
        keep('dReal', discriminatorScore(c.loss, realLogits));
        keep('dFake', discriminatorScore(c.loss, fakeLogits));
        return discriminatorLoss(c.loss, realLogits, fakeLogits, c.labelSmoothing);
      },
      this.dParams,
      'discriminator',
    );
    fake.dispose();
    this.discriminator.commitRunningStats();
    out.gLoss = ctx.minimize(
      () => {
        const made = this.generator.forward(batch.x, true, dropRng);
        const adv = generatorLoss(c.loss, this.discriminator.forward(batch.x, made, true));
        const l1 = tf.mean(tf.abs(tf.sub(made, batch.y))) as tf.Scalar;
        keep('gAdv', adv);
        keep('l1', l1);
        return tf.add(adv, tf.mul(c.l1Weight, l1)) as tf.Scalar;
      },
      this.gParams,
      'generator',
    );
    this.generator.commitRunningStats();
    return out;
  }

  /** Validation: L1 of the translation to the target (no update). */
  evalStep(batch: Pix2PixBatch): Record<string, tf.Scalar> {
    return tf.tidy(() => ({ l1: tf.mean(tf.abs(tf.sub(this.generator.forward(batch.x, false, null), batch.y))) as tf.Scalar }));
  }

  /**
   * Translates conditioning images [N, H, W, inputChannels] in [-1, 1] to outputs [N, H, W, C] in
   * [-1, 1], deterministically (inference mode, no dropout). The caller disposes the result.
   *
   * @example
   * ```ts
   * const colour = model.translate(grayscaleInputs(rgbaPixels)); // see colorize.ts
   * ```
   */
  translate(images: tf.Tensor4D): tf.Tensor4D {
    this.checkInput(images, 'images', this.config.inputChannels);
    return this.generator.forward(images, false, null);
  }

  namedParameters(): NamedVariable[] {
    return this.players.namedParameters();
  }

  getWeights(): tf.NamedTensorMap {
    return this.players.getWeights();
  }

  setWeights(weights: tf.NamedTensorMap): void {
    this.players.setWeights(weights);
  }

  dispose(): void {
    this.players.dispose();
  }
}

/**
 * The encoder and decoder networks: an MLP pair for flat data and a convolutional pair for images.
 * Encoders map x to the 2·latentDim parameters of q(z|x) in one final matmul; decoders map z to the
 * parameters of p(x|z) (logits or means), flattened to [B, D]. A conditional VAE adds the class as
 * a one-hot vector times a learned matrix to the first dense layer of each network — the same as
 * concatenating the one-hot to the input, without copying the input.
 */
import * as tf from '@tensorflow/tfjs';
import { activation, Conv2d, ConvTranspose2d, Dense, Module, type ActivationName, type Rng } from '@genloom/core';
import { inputSize, type VAEConfig } from './config.js';
import { linear } from './linear.js';

/** A dense layer whose pre-activation also gets `onehot(label)·E` when the model is conditional. */
class ConditionedDense extends Module {
  readonly dense: Dense;
  readonly labelKernel: tf.Variable | null;

  constructor(inputDim: number, units: number, numClasses: number, rng: Rng) {
    super();
    this.dense = this.addChild('dense', new Dense({ inputDim, units, rng }));
    const limit = 1 / Math.sqrt(inputDim + numClasses);
    this.labelKernel = numClasses > 0 ? this.addParam('labelKernel', () => tf.randomUniform([numClasses, units], -limit, limit, 'float32', rng.tfSeed())) : null;
  }

  /**
   * `act(x·W + b [+ onehot·E])` [B, units]. `inputGrad: false` marks x as data (the first layer of
   * the encoder), which spares the backward pass its largest matmul.
   */
  forward(x: tf.Tensor2D, labels: tf.Tensor2D | null, act: ActivationName, inputGrad = true): tf.Tensor2D {
    return tf.tidy(() => {
      const { kernel, bias } = this.dense;
      if (!this.labelKernel && (act === 'relu' || act === 'linear')) return linear(x, kernel, bias, act, inputGrad); // one fused kernel
      let y = linear(x, kernel, bias, 'linear', inputGrad); // [B, units]
      if (this.labelKernel) {
        if (!labels) throw new Error('This VAE is conditional (numClasses > 0): pass the labels of the examples');
        y = tf.add(y, tf.matMul(labels, this.labelKernel)); // + [B, K]·[K, units]
      }
      return activation(act, y) as tf.Tensor2D;
    });
  }
}

/** A plain dense layer (no activation) through {@link linear}. */
function dense(layer: Dense, x: tf.Tensor2D): tf.Tensor2D {
  return linear(x, layer.kernel, layer.bias, 'linear');
}

/** What every encoder/decoder pair offers the model. */
export interface VAENetworks extends Module {
  /** x [B, ...inputShape] → the posterior's mean and log-variance, each [B, latentDim]. */
  encode(x: tf.Tensor, labels: tf.Tensor2D | null): { mean: tf.Tensor2D; logVar: tf.Tensor2D };
  /** z [B, latentDim] → decoder outputs (logits or means) [B, D]. */
  decode(z: tf.Tensor2D, labels: tf.Tensor2D | null): tf.Tensor2D;
}

/** Splits the encoder's [B, 2L] head into mean and log-variance. */
function splitHead(head: tf.Tensor2D, latentDim: number): { mean: tf.Tensor2D; logVar: tf.Tensor2D } {
  const [mean, logVar] = tf.split(head, [latentDim, latentDim], 1) as [tf.Tensor2D, tf.Tensor2D];
  return { mean, logVar };
}

/**
 * MLP encoder and decoder (pytorch/examples' VAE for `hiddenDims: [400], latentDim: 20`):
 * D → hidden… → 2L and L → …hidden reversed → D.
 */
export class MlpNetworks extends Module implements VAENetworks {
  private readonly encoderLayers: ConditionedDense[] = [];
  private readonly encoderHead: Dense;
  private readonly decoderLayers: ConditionedDense[] = [];
  private readonly decoderOut: Dense;

  constructor(private readonly config: VAEConfig, rng: Rng) {
    super();
    const d = inputSize(config);
    const k = config.numClasses;
    let width = d;
    config.hiddenDims.forEach((h, i) => {
      this.encoderLayers.push(this.addChild(`enc${i}`, new ConditionedDense(width, h, i === 0 ? k : 0, rng)));
      width = h;
    });
    this.encoderHead = this.addChild('encHead', new Dense({ inputDim: width, units: 2 * config.latentDim, rng }));
    width = config.latentDim;
    [...config.hiddenDims].reverse().forEach((h, i) => {
      this.decoderLayers.push(this.addChild(`dec${i}`, new ConditionedDense(width, h, i === 0 ? k : 0, rng)));
      width = h;
    });
    this.decoderOut = this.addChild('decOut', new Dense({ inputDim: width, units: d, rng }));
  }

  encode(x: tf.Tensor, labels: tf.Tensor2D | null) {
    return tf.tidy(() => {
      let h = x.reshape([x.shape[0]!, -1]) as tf.Tensor2D; // [B, D]
      this.encoderLayers.forEach((layer, i) => {
        h = layer.forward(h, i === 0 ? labels : null, this.config.activation, i > 0); // [B, hidden]; x itself is data
      });
      return splitHead(dense(this.encoderHead, h), this.config.latentDim); // 2 × [B, L]
    });
  }

  decode(z: tf.Tensor2D, labels: tf.Tensor2D | null): tf.Tensor2D {
    return tf.tidy(() => {
      let h = z; // [B, L]
      this.decoderLayers.forEach((layer, i) => {
        h = layer.forward(h, i === 0 ? labels : null, this.config.activation); // [B, hidden]
      });
      return dense(this.decoderOut, h); // [B, D]
    });
  }
}

/**
 * Convolutional encoder and decoder for [H, W, C] images of any size divisible by 2^layers:
 * stride-2 convolutions halve H and W per layer, a dense layer maps to q(z|x); the decoder mirrors
 * it with stride-2 transposed convolutions. E.g. 28×28×1 with channels [32, 64]:
 * [B,28,28,1] → [B,14,14,32] → [B,7,7,64] → dense → [B, 2L]; z → dense → [B,7,7,64] → [B,14,14,32] → [B,28,28,1].
 */
export class ConvNetworks extends Module implements VAENetworks {
  private readonly convs: Conv2d[] = [];
  private readonly encoderDense: ConditionedDense[] = [];
  private readonly encoderHead: Dense;
  private readonly decoderDense: ConditionedDense[] = [];
  private readonly deconvs: ConvTranspose2d[] = [];
  private readonly bottom: [number, number, number]; // [h, w, c] after the last convolution

  constructor(private readonly config: VAEConfig, rng: Rng) {
    super();
    const [h, w, c] = config.inputShape as [number, number, number];
    const channels = config.convChannels;
    const k = config.numClasses;
    let inC = c;
    channels.forEach((outC, i) => {
      this.convs.push(this.addChild(`conv${i}`, new Conv2d({ inChannels: inC, outChannels: outC, kernelSize: config.kernelSize, stride: 2, rng })));
      inC = outC;
    });
    const scale = 2 ** channels.length;
    this.bottom = [h / scale, w / scale, inC];
    const flat = this.bottom[0] * this.bottom[1] * this.bottom[2];
    // Encoder: flat → hiddenDims… → 2L. Decoder: L → hiddenDims reversed… → flat.
    const widths = [flat, ...config.hiddenDims];
    for (let i = 0; i + 1 < widths.length; i++) {
      this.encoderDense.push(this.addChild(`encDense${i}`, new ConditionedDense(widths[i]!, widths[i + 1]!, i === 0 ? k : 0, rng)));
    }
    this.encoderHead = this.addChild('encHead', new Dense({ inputDim: widths[widths.length - 1]!, units: 2 * config.latentDim, rng }));
    const decWidths = [config.latentDim, ...[...config.hiddenDims].reverse(), flat];
    for (let i = 0; i + 1 < decWidths.length; i++) {
      this.decoderDense.push(this.addChild(`decDense${i}`, new ConditionedDense(decWidths[i]!, decWidths[i + 1]!, i === 0 ? k : 0, rng)));
    }
    const upChannels = [...channels].reverse().slice(1).concat([c]); // e.g. [64, 32] → [32, c]
    let upIn = inC;
    upChannels.forEach((outC, i) => {
      this.deconvs.push(this.addChild(`deconv${i}`, new ConvTranspose2d({ inChannels: upIn, outChannels: outC, kernelSize: config.kernelSize, stride: 2, rng })));
      upIn = outC;
    });
  }

  encode(x: tf.Tensor, labels: tf.Tensor2D | null) {
    return tf.tidy(() => {
      const [h, w, c] = this.config.inputShape as [number, number, number];
      let y = x.reshape([x.shape[0]!, h, w, c]) as tf.Tensor4D; // [B, H, W, C]
      for (const conv of this.convs) y = activation(this.config.activation, conv.forward(y)) as tf.Tensor4D; // [B, H/2, W/2, c_i]
      let f = y.reshape([y.shape[0], -1]) as tf.Tensor2D; // [B, h·w·c]
      this.encoderDense.forEach((layer, i) => {
        f = layer.forward(f, i === 0 ? labels : null, this.config.activation); // [B, hidden]
      });
      return splitHead(dense(this.encoderHead, f), this.config.latentDim); // 2 × [B, L]
    });
  }

  decode(z: tf.Tensor2D, labels: tf.Tensor2D | null): tf.Tensor2D {
    return tf.tidy(() => {
      let f = z; // [B, L]
      this.decoderDense.forEach((layer, i) => {
        f = layer.forward(f, i === 0 ? labels : null, this.config.activation); // [B, hidden] … [B, h·w·c]
      });
      let y = f.reshape([z.shape[0], ...this.bottom]) as tf.Tensor4D; // [B, h, w, c]
      this.deconvs.forEach((deconv, i) => {
        y = deconv.forward(y); // [B, 2h, 2w, c']
        if (i < this.deconvs.length - 1) y = activation(this.config.activation, y) as tf.Tensor4D;
      });
      return y.reshape([z.shape[0], -1]) as tf.Tensor2D; // [B, H·W·C]
    });
  }
}

/**
 * The encoder/decoder pair a config asks for.
 *
 * @example
 * ```ts
 * const nets = createNetworks(resolveVAEConfig({}, 'conv'), new Rng(0));
 * const { mean, logVar } = nets.encode(x, null); // [B, 16] each
 * ```
 */
export function createNetworks(config: VAEConfig, rng: Rng): VAENetworks {
  return config.architecture === 'conv' ? new ConvNetworks(config, rng) : new MlpNetworks(config, rng);
}

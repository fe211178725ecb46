import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../rng.js';
import { dropout, silu } from './activations.js';
import { Conv2d } from './conv.js';
import { Dense } from './dense.js';
import { Module } from './module.js';
import { GroupNorm } from './norm.js';

/** Arguments of {@link ResBlock}. */
export interface ResBlockArgs {
  inChannels: number;
  outChannels: number;
  rng: Rng;
  /** Groups of the group norms (default 8; must divide both channel counts). */
  groups?: number;
  /** Size of a conditioning vector (time / class embedding) added per channel; 0 for none. */
  embDim?: number;
}

/**
 * A pre-activation residual block for NHWC feature maps: GroupNorm → SiLU → 3×3 conv, plus a
 * projected conditioning embedding, → GroupNorm → SiLU → dropout → 3×3 conv, added to a (1×1
 * projected) skip path. The building block of DDPM's U-Net (Ho et al. 2020).
 *
 * @example
 * ```ts
 * const block = new ResBlock({ inChannels: 32, outChannels: 64, embDim: 128, rng });
 * block.forward(x, temb); // [B, H, W, 32], [B, 128] → [B, H, W, 64]
 * ```
 */
export class ResBlock extends Module {
  private readonly norm1: GroupNorm;
  private readonly conv1: Conv2d;
  private readonly norm2: GroupNorm;
  private readonly conv2: Conv2d;
  private readonly embProj: Dense | null;
  private readonly skip: Conv2d | null;

  constructor(args: ResBlockArgs) {
    super();
    const groups = args.groups ?? 8;
    this.norm1 = this.addChild('norm1', new GroupNorm({ channels: args.inChannels, groups: Math.min(groups, args.inChannels) }));
    this.conv1 = this.addChild('conv1', new Conv2d({ inChannels: args.inChannels, outChannels: args.outChannels, kernelSize: 3, rng: args.rng }));
    this.embProj = args.embDim ? this.addChild('embProj', new Dense({ inputDim: args.embDim, units: args.outChannels, rng: args.rng })) : null;
    this.norm2 = this.addChild('norm2', new GroupNorm({ channels: args.outChannels, groups: Math.min(groups, args.outChannels) }));
    this.conv2 = this.addChild('conv2', new Conv2d({ inChannels: args.outChannels, outChannels: args.outChannels, kernelSize: 3, rng: args.rng }));
    this.skip = args.inChannels === args.outChannels ? null : this.addChild('skip', new Conv2d({ inChannels: args.inChannels, outChannels: args.outChannels, kernelSize: 1, rng: args.rng }));
  }

  /** @example `block.forward(x, null)` without conditioning */
  forward(x: tf.Tensor4D, emb: tf.Tensor2D | null, opts: { dropoutRate?: number; rng?: Rng | null } = {}): tf.Tensor4D {
    return tf.tidy(() => {
      let h = this.conv1.forward(silu(this.norm1.forward(x)) as tf.Tensor4D);
      if (this.embProj && emb) {
        const [b, , , c] = h.shape;
        h = tf.add(h, this.embProj.forward(silu(emb)).reshape([b, 1, 1, c]));
      }
      h = this.conv2.forward(dropout(silu(this.norm2.forward(h)), opts.dropoutRate ?? 0, opts.rng ?? null) as tf.Tensor4D);
      const skip = this.skip ? this.skip.forward(x) : x;
      return tf.add(skip, h) as tf.Tensor4D;
    });
  }
}

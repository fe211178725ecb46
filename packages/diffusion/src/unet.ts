/**
 * The denoising network: a small U-Net in the spirit of DDPM's (Ho et al. 2020), sized for one
 * wasm thread. An optional patch stem (space-to-depth by `patchSize`, as in vision transformers)
 * moves the network off the full resolution, where convolutions cost the most; then one level per
 * entry of `channels`, each halving the resolution, with residual blocks (group norm, SiLU, 3×3
 * convolutions) that receive the time (+ condition) embedding, self-attention at the lowest
 * resolution, and one skip connection per level from the way down to the way up.
 *
 *   x [B,H,W,C] → patchify → convIn → down0 ───────────────────────────────→ cat → up0 → out → unpatchify
 *                                       ↓ stride 2                              ↑ ×2 + conv
 *                                     down1 → mid (res, attention, res) → cat → up1
 */
import * as tf from '@tensorflow/tfjs';
import { Conv2d, Dense, GroupNorm, Module, MultiHeadAttention, ResBlock, silu, type Rng } from '@genloom/core';
import type { DiffusionConfig } from './config.js';

/**
 * Sinusoidal embedding of (integer) timesteps, as in the Transformer's positions and DDPM:
 * `[sin(t·ω_0) … sin(t·ω_{d/2−1}), cos(t·ω_0) … ]` with ω_k = 10000^(−k/(d/2−1)).
 *
 * @example
 * ```ts
 * timestepEmbedding([0, 500, 999], 128); // [3, 128]
 * ```
 */
export function timestepEmbedding(timesteps: ArrayLike<number>, dim: number): tf.Tensor2D {
  if (dim % 2 !== 0 || dim < 2) throw new Error(`timestepEmbedding: dim must be an even number >= 2, got ${dim}`);
  const half = dim / 2;
  const out = new Float32Array(timesteps.length * dim);
  for (let i = 0; i < timesteps.length; i++) {
    const t = timesteps[i]!;
    for (let k = 0; k < half; k++) {
      const angle = t * Math.exp((-Math.log(10000) * k) / Math.max(half - 1, 1));
      out[i * dim + k] = Math.sin(angle);
      out[i * dim + half + k] = Math.cos(angle);
    }
  }
  return tf.tensor2d(out, [timesteps.length, dim]);
}

/** Nearest-neighbour ×2 upsampling as one broadcast multiply (its gradient is a plain sum on every backend). */
function upsample2x(x: tf.Tensor4D): tf.Tensor4D {
  const [b, h, w, c] = x.shape;
  return tf.mul(x.reshape([b, h, 1, w, 1, c]), tf.ones([1, 1, 2, 1, 2, 1])).reshape([b, 2 * h, 2 * w, c]); // [B, 2H, 2W, C]
}

/** Self-attention over the pixels of a feature map, with a residual connection. */
class AttentionBlock extends Module {
  private readonly norm: GroupNorm;
  private readonly attn: MultiHeadAttention;

  constructor(channels: number, heads: number, groups: number, rng: Rng) {
    super();
    this.norm = this.addChild('norm', new GroupNorm({ channels, groups }));
    this.attn = this.addChild('attn', new MultiHeadAttention({ dModel: channels, numHeads: heads, rng }));
  }

  forward(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const [b, h, w, c] = x.shape;
      const tokens = this.norm.forward(x).reshape([b, h * w, c]) as tf.Tensor3D; // [B, HW, C]
      const { output } = this.attn.forward(tokens); // [B, HW, C]
      return tf.add(x, output.reshape([b, h, w, c])) as tf.Tensor4D;
    });
  }
}

/** Options of one {@link UNet.forward} call. */
export interface UNetCallOptions {
  /** Dropout in the residual blocks (training only, with the step's rng). */
  dropoutRate?: number;
  rng?: Rng | null;
}

/** Space-to-depth: [B, H, W, C] → [B, H/p, W/p, p·p·C] (each p×p patch becomes one pixel). */
function patchify(x: tf.Tensor4D, p: number): tf.Tensor4D {
  if (p === 1) return x;
  const [b, h, w, c] = x.shape;
  return x.reshape([b, h / p, p, w / p, p, c]).transpose([0, 1, 3, 2, 4, 5]).reshape([b, h / p, w / p, p * p * c]);
}

/** Depth-to-space, the inverse of {@link patchify}. */
function unpatchify(x: tf.Tensor4D, p: number): tf.Tensor4D {
  if (p === 1) return x;
  const [b, h, w, pc] = x.shape;
  const c = pc / (p * p);
  return x.reshape([b, h, w, p, p, c]).transpose([0, 1, 3, 2, 4, 5]).reshape([b, h * p, w * p, c]);
}

/**
 * The U-Net denoiser: predicts ε (or v) for noisy images x_t at timesteps t, given an optional
 * condition embedding `[B, embDim]` that is added to the time embedding.
 *
 * @example
 * ```ts
 * const unet = new UNet(resolveDiffusionConfig({}, 'tiny'), new Rng(0));
 * const eps = unet.forward(xt, [999, 10], null); // [2, 28, 28, 1]
 * ```
 */
export class UNet extends Module {
  private readonly config: DiffusionConfig;
  private readonly levels: number;
  private readonly timeFc1: Dense;
  private readonly timeFc2: Dense;
  private readonly convIn: Conv2d;
  private readonly down: ResBlock[][] = [];
  private readonly downsample: Conv2d[] = [];
  private readonly mid1: ResBlock;
  private readonly midAttn: AttentionBlock | null;
  private readonly mid2: ResBlock;
  private readonly up: ResBlock[][] = [];
  private readonly upsample: Conv2d[] = [];
  private readonly normOut: GroupNorm;
  private readonly convOut: Conv2d;

  constructor(config: DiffusionConfig, rng: Rng) {
    super();
    this.config = config;
    const [, , c] = config.imageShape as [number, number, number];
    const inCh = c * config.patchSize * config.patchSize;
    const ch = config.channels;
    const L = ch.length;
    this.levels = L;
    const e = config.embDim;
    const groups = config.groups;
    const block = (i: number, o: number) => new ResBlock({ inChannels: i, outChannels: o, embDim: e, groups, rng });
    this.timeFc1 = this.addChild('timeFc1', new Dense({ inputDim: e, units: e, rng }));
    this.timeFc2 = this.addChild('timeFc2', new Dense({ inputDim: e, units: e, rng }));
    this.convIn = this.addChild('convIn', new Conv2d({ inChannels: inCh, outChannels: ch[0]!, kernelSize: 3, rng }));
    for (let level = 0; level < L; level++) {
      const blocks: ResBlock[] = [];
      for (let r = 0; r < config.resBlocks; r++) {
        const from = r === 0 ? ch[Math.max(level - 1, 0)]! : ch[level]!;
        blocks.push(this.addChild(`down${level}_${r}`, block(from, ch[level]!)));
      }
      this.down.push(blocks);
      if (level < L - 1) this.downsample.push(this.addChild(`downsample${level}`, new Conv2d({ inChannels: ch[level]!, outChannels: ch[level]!, kernelSize: 3, stride: 2, rng })));
    }
    const low = ch[L - 1]!;
    this.mid1 = this.addChild('mid1', block(low, low));
    this.midAttn = config.attentionHeads > 0 ? this.addChild('midAttn', new AttentionBlock(low, config.attentionHeads, groups, rng)) : null;
    this.mid2 = this.addChild('mid2', block(low, low));
    for (let level = L - 1; level >= 0; level--) {
      const blocks: ResBlock[] = [];
      for (let r = 0; r < config.resBlocks; r++) {
        // The first block of a level takes the skip connection concatenated to the features.
        const from = r === 0 ? 2 * ch[level]! : ch[level]!;
        blocks.push(this.addChild(`up${level}_${r}`, block(from, ch[level]!)));
      }
      this.up.push(blocks);
      if (level > 0) this.upsample.push(this.addChild(`upsample${level}`, new Conv2d({ inChannels: ch[level]!, outChannels: ch[level - 1]!, kernelSize: 3, rng })));
    }
    this.normOut = this.addChild('normOut', new GroupNorm({ channels: ch[0]!, groups }));
    this.convOut = this.addChild('convOut', new Conv2d({ inChannels: ch[0]!, outChannels: inCh, kernelSize: 3, rng }));
    // Start as the zero predictor, so the first steps do not fight a random output layer.
    tf.tidy(() => {
      this.convOut.filter.assign(tf.zerosLike(this.convOut.filter));
    });
  }

  /** The time embedding, plus the condition embedding when given: [B, embDim]. */
  embed(timesteps: ArrayLike<number>, cond: tf.Tensor2D | null): tf.Tensor2D {
    return tf.tidy(() => {
      const sin = timestepEmbedding(timesteps, this.config.embDim); // [B, E]
      let emb = this.timeFc2.forward(silu(this.timeFc1.forward(sin))) as tf.Tensor2D; // [B, E]
      if (cond) emb = tf.add(emb, cond);
      return emb;
    });
  }

  /**
   * Predicts the network output (ε or v) for noisy images `x` [B, H, W, C] at `timesteps` (one
   * number for the whole batch, or one per image) under condition embeddings `cond` [B, embDim].
   *
   * @example
   * ```ts
   * const out = unet.forward(xt, 500, condEmb); // [B, H, W, C]
   * ```
   */
  forward(x: tf.Tensor4D, timesteps: number | ArrayLike<number>, cond: tf.Tensor2D | null, opts: UNetCallOptions = {}): tf.Tensor4D {
    return tf.tidy(() => {
      const [b, h, w, c] = x.shape;
      const [H, W, C] = this.config.imageShape as [number, number, number];
      if (h !== H || w !== W || c !== C) throw new Error(`UNet expected images [B, ${H}, ${W}, ${C}], got [${x.shape}]`);
      const ts = typeof timesteps === 'number' ? new Array<number>(b).fill(timesteps) : timesteps;
      if (ts.length !== b) throw new Error(`UNet got ${ts.length} timesteps for a batch of ${b}`);
      if (cond && (cond.shape[0] !== b || cond.shape[1] !== this.config.embDim)) {
        throw new Error(`UNet expected a condition embedding [${b}, ${this.config.embDim}], got [${cond.shape}]`);
      }
      const L = this.levels;
      const p = this.config.patchSize;
      const emb = this.embed(ts, cond); // [B, E]
      const call = { dropoutRate: opts.dropoutRate ?? 0, rng: opts.rng ?? null };

      let hid = this.convIn.forward(patchify(x, p)); // [B, H/p, W/p, c0]
      const skips: tf.Tensor4D[] = [];
      for (let level = 0; level < L; level++) {
        for (const blk of this.down[level]!) hid = blk.forward(hid, emb, call); // [B, H/(p·2^l), W/(p·2^l), c_l]
        skips.push(hid);
        if (level < L - 1) hid = this.downsample[level]!.forward(hid); // halve H and W
      }
      hid = this.mid1.forward(hid, emb, call); // lowest resolution, c_(L−1)
      if (this.midAttn) hid = this.midAttn.forward(hid);
      hid = this.mid2.forward(hid, emb, call);
      for (let i = 0; i < L; i++) {
        const level = L - 1 - i;
        hid = tf.concat([hid, skips[level]!], 3) as tf.Tensor4D; // [B, ·, ·, 2·c_l]
        for (const blk of this.up[i]!) hid = blk.forward(hid, emb, call); // [B, ·, ·, c_l]
        if (level > 0) hid = this.upsample[i]!.forward(upsample2x(hid)); // [B, 2·, 2·, c_(l−1)]
      }
      const out = this.convOut.forward(silu(this.normOut.forward(hid)) as tf.Tensor4D); // [B, H/p, W/p, p·p·C]
      return unpatchify(out, p); // [B, H, W, C]
    });
  }
}

/**
 * Floating-point operations of one U-Net forward pass per image (convolutions, dense layers and
 * attention matmuls; norms and activations are left out). A training step costs ≈ 3× this.
 *
 * @example
 * ```ts
 * unetFlops(resolveDiffusionConfig({}, 'small')) / 1e6; // MFLOP per image
 * ```
 */
export function unetFlops(config: DiffusionConfig): number {
  const [H, W, C] = config.imageShape as [number, number, number];
  const p = config.patchSize;
  const inCh = C * p * p;
  const ch = config.channels;
  const L = ch.length;
  const e = config.embDim;
  const conv = (hw: number, k: number, i: number, o: number) => 2 * hw * k * k * i * o;
  const res = (hw: number, i: number, o: number) => conv(hw, 3, i, o) + conv(hw, 3, o, o) + (i !== o ? conv(hw, 1, i, o) : 0) + 2 * e * o;
  const hw = (level: number) => (H / p / 2 ** level) * (W / p / 2 ** level);
  let flops = 2 * 2 * e * e + conv(hw(0), 3, inCh, ch[0]!) + conv(hw(0), 3, ch[0]!, inCh);
  for (let level = 0; level < L; level++) {
    for (let r = 0; r < config.resBlocks; r++) {
      flops += res(hw(level), r === 0 ? ch[Math.max(level - 1, 0)]! : ch[level]!, ch[level]!);
      flops += res(hw(level), r === 0 ? 2 * ch[level]! : ch[level]!, ch[level]!);
    }
    if (level < L - 1) flops += conv(hw(level + 1), 3, ch[level]!, ch[level]!) + conv(hw(level), 3, ch[level + 1]!, ch[level]!);
  }
  const low = ch[L - 1]!;
  const n = hw(L - 1);
  flops += 2 * res(n, low, low);
  if (config.attentionHeads > 0) flops += 2 * n * low * 4 * low + 2 * 2 * n * n * low;
  return flops;
}

/**
 * Differentiable operations written for speed on tfjs' wasm backend, each with a hand-written
 * gradient (`tf.customGrad`). Measured there (one thread, 768×128 activations):
 *
 * - `BatchMatMul` with a transposed operand runs a scalar loop, 10–20× slower than without; tfjs'
 *   own matmul gradient uses exactly those, so {@link matMul} transposes explicitly instead.
 * - `tanh`, `exp` and `pow` are scalar libm loops (≈8× slower than `sigmoid`, which XNNPACK
 *   vectorises), so {@link gelu} is written as `x·σ(2u)` — the same function as `0.5·x·(1+tanh u)`.
 * - `gather` of 768 rows costs more than a one-hot matmul for small vocabularies, and its gradient
 *   needs `UnsortedSegmentSum`; {@link embeddingLookup} uses the matmul when the table is small.
 * - autodiff through mean/variance/softmax composites makes dozens of small kernels; the fused
 *   gradients below make a handful.
 */
import * as tf from '@tensorflow/tfjs';

type GradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor[];

/** `tf.customGrad` with typed inputs: `body` gets the input tensors and `save`. */
function fused(body: (inputs: tf.Tensor[], save: tf.GradSaveFunc) => { value: tf.Tensor; gradFunc: GradFunc }): (...inputs: tf.Tensor[]) => tf.Tensor {
  const f = tf.customGrad(((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    return body(args.slice(0, -1) as tf.Tensor[], save);
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return f as unknown as (...inputs: tf.Tensor[]) => tf.Tensor;
}

/**
 * `a · b` for 2-D tensors, with a gradient built from untransposed matmuls and explicit transposes.
 *
 * @example
 * ```ts
 * const y = matMul(x, w); // [N, K] · [K, M] → [N, M]
 * ```
 */
export const matMul = fused(([a, b], save) => {
  save([a!, b!]);
  return {
    value: tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sa, sb] = saved as [tf.Tensor2D, tf.Tensor2D];
      return [tf.matMul(dy as tf.Tensor2D, tf.transpose(sb)), tf.matMul(tf.transpose(sa), dy as tf.Tensor2D)];
    },
  };
}) as (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D;

/**
 * A linear layer on the last axis of any-rank input: `x·W (+ b)`.
 *
 * @example
 * ```ts
 * const h = linear(x, dense.kernel, dense.bias); // [B, T, C] → [B, T, units]
 * ```
 */
export function linear(x: tf.Tensor, kernel: tf.Tensor, bias: tf.Tensor | null): tf.Tensor {
  const [k, m] = kernel.shape as [number, number];
  const flat = x.rank === 2 ? (x as tf.Tensor2D) : (x.reshape([-1, k]) as tf.Tensor2D);
  let y: tf.Tensor = matMul(flat, kernel as tf.Tensor2D);
  if (bias) y = tf.add(y, bias);
  return x.rank === 2 ? y : y.reshape([...x.shape.slice(0, -1), m]);
}

const GELU_A = 2 * Math.sqrt(2 / Math.PI);
const GELU_B = GELU_A * 0.044715;

/**
 * GELU, tanh approximation (GPT-2's), computed as `x·σ(2·√(2/π)·(x + 0.044715x³))`, which equals
 * `0.5·x·(1 + tanh(√(2/π)·(x + 0.044715x³)))` exactly.
 *
 * @example
 * ```ts
 * gelu(tf.tensor([-1, 0, 1])); // ≈ [-0.159, 0, 0.841]
 * ```
 */
export const gelu = fused(([x], save) => {
  x = x!;
  const x2 = tf.square(x);
  const s = tf.sigmoid(tf.mul(x, tf.add(tf.mul(x2, GELU_B), GELU_A)));
  save([x, x2, s]);
  return {
    value: tf.mul(x, s),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sx, sx2, ss] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
      // d/dx x·σ(u) = σ + x·σ·(1−σ)·u',  u' = A + 3B·x²
      const du = tf.add(tf.mul(sx2, 3 * GELU_B), GELU_A);
      const inner = tf.mul(tf.mul(sx, tf.mul(ss, tf.sub(1, ss))), du);
      return [tf.mul(dy, tf.add(ss, inner))];
    },
  };
}) as (x: tf.Tensor) => tf.Tensor;

/**
 * Layer normalisation over the last axis of `[N, C]` rows with scale `gamma` and optional `beta`,
 * with a fused gradient (five small kernels instead of autodiff's dozens).
 *
 * @example
 * ```ts
 * const y = layerNorm(x, ln.gamma, ln.beta, 1e-5); // [N, C]
 * ```
 */
export function layerNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor | null, eps: number): tf.Tensor {
  const c = x.shape[x.rank - 1]!;
  const flat = x.rank === 2 ? x : x.reshape([-1, c]);
  const y = beta ? layerNormBias(flat, gamma, beta, eps) : layerNormNoBias(flat, gamma, eps);
  return x.rank === 2 ? y : y.reshape(x.shape);
}

function normalise(x: tf.Tensor, eps: number): { xhat: tf.Tensor; rstd: tf.Tensor } {
  const xc = tf.sub(x, tf.mean(x, -1, true));
  const rstd = tf.rsqrt(tf.add(tf.mean(tf.square(xc), -1, true), eps)); // [N, 1]
  return { xhat: tf.mul(xc, rstd), rstd };
}

/** dx of y = xhat·gamma given dxhat = dy·gamma: rstd·(dxhat − mean(dxhat) − xhat·mean(dxhat·xhat)). */
function normaliseGrad(dxhat: tf.Tensor, xhat: tf.Tensor, rstd: tf.Tensor): tf.Tensor {
  const m1 = tf.mean(dxhat, -1, true);
  const m2 = tf.mean(tf.mul(dxhat, xhat), -1, true);
  return tf.mul(tf.sub(tf.sub(dxhat, m1), tf.mul(xhat, m2)), rstd);
}

/** Column sums of [N, C] as a matmul (XNNPACK) rather than an axis-0 reduction (a transpose + sum). */
function columnSum(x: tf.Tensor): tf.Tensor {
  const n = x.shape[0]!;
  return tf.matMul(tf.ones([1, n]), x as tf.Tensor2D).reshape([x.shape[1]!]);
}

const layerNormCache = new Map<number, (x: tf.Tensor, g: tf.Tensor) => tf.Tensor>();
function layerNormNoBias(x: tf.Tensor, gamma: tf.Tensor, eps: number): tf.Tensor {
  let f = layerNormCache.get(eps);
  if (!f) {
    f = fused(([xx, g], save) => {
      const { xhat, rstd } = normalise(xx!, eps);
      save([xhat, rstd, g!]);
      return {
        value: tf.mul(xhat, g!),
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const [sxhat, srstd, sg] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
          return [normaliseGrad(tf.mul(dy, sg), sxhat, srstd), columnSum(tf.mul(dy, sxhat))];
        },
      };
    }) as (x: tf.Tensor, g: tf.Tensor) => tf.Tensor;
    layerNormCache.set(eps, f);
  }
  return f(x, gamma);
}

const layerNormBiasCache = new Map<number, (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.Tensor>();
function layerNormBias(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, eps: number): tf.Tensor {
  let f = layerNormBiasCache.get(eps);
  if (!f) {
    f = fused(([xx, g, b], save) => {
      const { xhat, rstd } = normalise(xx!, eps);
      save([xhat, rstd, g!]);
      return {
        value: tf.add(tf.mul(xhat, g!), b!),
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const [sxhat, srstd, sg] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
          return [normaliseGrad(tf.mul(dy, sg), sxhat, srstd), columnSum(tf.mul(dy, sxhat)), columnSum(dy)];
        },
      };
    }) as (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.Tensor;
    layerNormBiasCache.set(eps, f);
  }
  return f(x, gamma, beta);
}

/**
 * Mean cross-entropy of `[N, V]` logits against int32 `[N]` targets, in nats, with the fused
 * gradient `(softmax − onehot)/N`. The log-probability is read off the softmax at the row's largest
 * logit (`log p_t = z_t − z_max + log p_max`, and p_max ≥ 1/V), so it never underflows.
 *
 * @example
 * ```ts
 * const loss = crossEntropy(logits, targets); // scalar
 * ```
 */
export function crossEntropy(logits: tf.Tensor2D, targets: tf.Tensor1D): tf.Scalar {
  const [n, v] = logits.shape;
  const onehot = tf.oneHot(targets, v).cast('float32'); // cast: wasm's oneHot is int32
  const f = fused(([z, oh], save) => {
    const p = tf.softmax(z!);
    save([p, oh!]);
    const zt = tf.sum(tf.mul(z!, oh!), -1); // [N]
    const zmax = tf.max(z!, -1);
    const pmax = tf.max(p, -1);
    const nll = tf.sub(tf.sub(zmax, zt), tf.log(pmax)); // −log p_t
    return {
      value: tf.mean(nll),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sp, soh] = saved as [tf.Tensor, tf.Tensor];
        return [tf.mul(tf.sub(sp, soh), tf.div(dy, n)), tf.zerosLike(soh)];
      },
    };
  });
  return f(logits, onehot) as tf.Scalar;
}

/**
 * Weighted mean cross-entropy of `[N, V]` logits against int32 `[N]` targets with label smoothing ε:
 * `Σ wᵢ·H(qᵢ, softmax(zᵢ)) / Σ wᵢ`, where `qᵢ = (1−ε)·onehot(tᵢ) + ε/V` and `w` `[N]` weighs each row
 * (0 for padding). The fused gradient is `wᵢ·(pᵢ − qᵢ)/Σw`. Like {@link crossEntropy}, the
 * log-normaliser is read off the softmax (`log Σ e^z = z_max − log p_max`), so no `exp` kernel runs.
 *
 * @example
 * ```ts
 * const loss = maskedCrossEntropy(logits, targets, targetMask, 0.1); // scalar, padding rows ignored
 * ```
 */
export function maskedCrossEntropy(logits: tf.Tensor2D, targets: tf.Tensor1D, weights: tf.Tensor1D, smoothing = 0): tf.Scalar {
  const [, v] = logits.shape;
  const onehot = tf.oneHot(targets, v).cast('float32'); // cast: wasm's oneHot is int32
  const q = smoothing > 0 ? tf.add(tf.mul(onehot, 1 - smoothing), smoothing / v) : onehot; // [N, V]
  const w = tf.div(weights, tf.maximum(tf.sum(weights), 1e-9)).reshape([-1, 1]); // [N, 1], sums to 1
  const f = fused(([z, qq, ww], save) => {
    const p = tf.softmax(z!);
    save([p, qq!, ww!]);
    const lse = tf.sub(tf.max(z!, -1, true), tf.log(tf.max(p, -1, true))); // [N, 1]
    const nll = tf.sub(lse, tf.sum(tf.mul(z!, qq!), -1, true)); // [N, 1]: −Σ q·log p, since Σq = 1
    return {
      value: tf.sum(tf.mul(nll, ww!)),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sp, sq, sw] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
        return [tf.mul(tf.sub(sp, sq), tf.mul(sw, dy)), tf.zerosLike(sq), tf.zerosLike(sw)];
      },
    };
  });
  return f(logits, q, w) as tf.Scalar;
}

/**
 * Per-row negative log-likelihood (nats) of `[N, V]` logits at int32 `[N]` targets; no gradient.
 *
 * @example
 * ```ts
 * const nll = tokenNll(logits, targets); // [N]
 * ```
 */
export function tokenNll(logits: tf.Tensor2D, targets: tf.Tensor1D): tf.Tensor1D {
  return tf.tidy(() => {
    const oh = tf.oneHot(targets, logits.shape[1]).cast('float32');
    const zt = tf.sum(tf.mul(logits, oh), -1);
    const p = tf.softmax(logits);
    return tf.sub(tf.sub(tf.max(logits, -1), zt), tf.log(tf.max(p, -1))) as tf.Tensor1D;
  });
}

/** Tables at most this large are looked up with a one-hot matmul; larger ones with `gather`. */
export const ONE_HOT_LOOKUP_MAX_ROWS = 4096;

/**
 * Rows of `table` at int32 `ids` (any shape), returning `[...ids.shape, dim]`. Small tables (a
 * character vocabulary) use a one-hot matmul, which is faster on wasm than `gather` and needs no
 * segment-sum gradient kernel.
 *
 * @example
 * ```ts
 * const tok = embeddingLookup(wte.table, ids); // [B, T] → [B, T, C]
 * ```
 */
export function embeddingLookup(table: tf.Tensor, ids: tf.Tensor): tf.Tensor {
  const [rows, dim] = table.shape as [number, number];
  const flat = ids.reshape([-1]) as tf.Tensor1D;
  const out =
    rows <= ONE_HOT_LOOKUP_MAX_ROWS
      ? matMul(tf.oneHot(flat, rows).cast('float32') as tf.Tensor2D, table as tf.Tensor2D)
      : tf.gather(table, flat);
  return out.reshape([...ids.shape, dim]);
}

/**
 * Batched matmul `out[i, g, j] = Σ_k a[i, k, g] · b[k, g, j]` for `a` [I, K, G] and `b` [K, G, J],
 * computed as one depthwise convolution (input [1, I, K, G], filter [1, K, G, J], 'valid'): on wasm
 * this runs 4–6× faster than `BatchMatMul` with a batch dimension, which skips XNNPACK. No gradient.
 *
 * @example
 * ```ts
 * const s = batchMatMulTimeMajor(qT, kT); // [T, D, G] × [D, G, S] → [T, G, S]
 * ```
 */
export function batchMatMulTimeMajor(a: tf.Tensor3D, b: tf.Tensor3D): tf.Tensor3D {
  const [i, k, g] = a.shape;
  const j = b.shape[2];
  if (b.shape[0] !== k || b.shape[1] !== g) throw new Error(`batchMatMulTimeMajor: shapes [${a.shape}] and [${b.shape}] do not match ([I, K, G] × [K, G, J])`);
  const out = tf.depthwiseConv2d(a.reshape([1, i, k, g]) as tf.Tensor4D, b.reshape([1, k, g, j]) as tf.Tensor4D, 1, 'valid'); // [1, I, 1, G·J]
  return out.reshape([i, g, j]);
}

/**
 * Scaled dot-product attention on time-major heads: queries `[T, G, D]`, keys and values `[S, G, D]`
 * (G = batch × heads), an additive mask broadcastable to the scores `[T, G, S]` (0 where a query may
 * look, −1e9 where not), and an optional dropout keep-mask on the weights (already scaled by
 * 1/(1 − rate)). Returns `[T, G, D]`. Every matmul, forward and backward, is a
 * `batchMatMulTimeMajor`; the gradient is fused.
 *
 * @example
 * ```ts
 * const y = attend(q, k, v, causalMask(t, 0), null); // [T, B·H, D]
 * ```
 */
export function attend(q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor3D, mask: tf.Tensor | null, keep: tf.Tensor | null = null): tf.Tensor3D {
  const scale = 1 / Math.sqrt(q.shape[2]);
  const bmm = batchMatMulTimeMajor;
  const t3 = (x: tf.Tensor, perm: number[]) => tf.transpose(x, perm) as tf.Tensor3D;
  const f = fused(([qq, kk, vv], save) => {
    const p = scoresToWeights(qq as tf.Tensor3D, kk as tf.Tensor3D, mask, scale); // [T, G, S]
    const pd = keep ? tf.mul(p, keep) : p;
    // Tensors made in the loss function are freed before the backward pass (tfjs tidies the
    // forward), so the dropout mask reaches the gradient through save(), not the closure.
    save(keep ? [qq!, kk!, vv!, p, keep] : [qq!, kk!, vv!, p]);
    return {
      value: bmm(t3(pd, [0, 2, 1]), vv as tf.Tensor3D), // [T, S, G] × [S, G, D] → [T, G, D]
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sq, sk, sv, sp, skeep] = saved as [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D, tf.Tensor3D, tf.Tensor3D?];
        const spd = skeep ? tf.mul(sp, skeep) : sp;
        let dp = bmm(t3(dy, [0, 2, 1]), t3(sv, [2, 1, 0])); // [T, D, G] × [D, G, S] → [T, G, S]
        const dv = bmm(t3(spd, [2, 0, 1]), dy as tf.Tensor3D); // [S, T, G] × [T, G, D] → [S, G, D]
        if (skeep) dp = tf.mul(dp, skeep);
        const ds = tf.mul(tf.mul(sp, tf.sub(dp, tf.sum(tf.mul(dp, sp), -1, true))), scale) as tf.Tensor3D; // [T, G, S]
        const dq = bmm(t3(ds, [0, 2, 1]), sk); // [T, S, G] × [S, G, D] → [T, G, D]
        const dk = bmm(t3(ds, [2, 0, 1]), sq); // [S, T, G] × [T, G, D] → [S, G, D]
        return [dq, dk, dv];
      },
    };
  });
  return f(q, k, v) as tf.Tensor3D;
}

function scoresToWeights(q: tf.Tensor3D, k: tf.Tensor3D, mask: tf.Tensor | null, scale: number): tf.Tensor3D {
  let scores: tf.Tensor = tf.mul(batchMatMulTimeMajor(tf.transpose(q, [0, 2, 1]), tf.transpose(k, [2, 1, 0])), scale); // [T, D, G] × [D, G, S] → [T, G, S]
  if (mask) scores = tf.add(scores, mask);
  return tf.softmax(scores) as tf.Tensor3D;
}

/**
 * Attention weights `softmax(q·kᵀ/√D + mask)` of time-major queries `[T, G, D]` and keys `[S, G, D]`,
 * as `[T, G, S]` (no gradient): for attention maps.
 *
 * @example
 * ```ts
 * const w = attentionWeights(q, k, mask); // [T, G, S]
 * ```
 */
export function attentionWeights(q: tf.Tensor3D, k: tf.Tensor3D, mask: tf.Tensor | null): tf.Tensor3D {
  return tf.tidy(() => scoresToWeights(q, k, mask, 1 / Math.sqrt(q.shape[2])));
}

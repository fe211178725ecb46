/**
 * The recurrent cells, written for the wasm backend, where every op costs a fixed overhead that a
 * small [B, H] tensor does not amortise:
 *
 * - the input projection of every timestep is one matmul done by the caller ([T·B, in]·[in, 4H]);
 * - each step is one [B, H]·[H, 4H] matmul plus a handful of elementwise ops on whole gate blocks;
 * - the sequence ops ({@link lstmSequence}, {@link gruSequence}) carry their own gradient: the
 *   backward pass precomputes every factor that does not depend on the incoming gradient for all
 *   timesteps at once, so its loop is ~6 ops per step, and the recurrent weight gradient is one
 *   [H, T·B]·[T·B, 4H] matmul instead of T small ones. No transposed matmul is used (they are
 *   10× slower on wasm): weights are transposed once per call.
 *
 * Gate order follows PyTorch: LSTM i, f, g, o; GRU r, z (here `u`, update), n.
 */
import * as tf from '@tensorflow/tfjs';

/** One LSTM step's results, with the activations its gradient needs. */
export interface LSTMCellOutput {
  h: tf.Tensor2D; // [B, H]
  c: tf.Tensor2D; // [B, H]
  /** σ of the gate pre-activations [B, 4H]: i, f, σ(2·z_g), o. */
  sig: tf.Tensor2D;
  /** tanh of the g pre-activation [B, H]. */
  g: tf.Tensor2D;
  /** tanh(c) [B, H]. */
  tanhC: tf.Tensor2D;
}

/** The constants the cells use, made once per call rather than once per op. */
interface Constants {
  one: tf.Scalar;
  two: tf.Scalar;
}
const constants = (): Constants => ({ one: tf.scalar(1), two: tf.scalar(2) });

/**
 * A column scale [G·H]: 2 on gate block `block`, 1 elsewhere. Pre-activations scaled by it let one
 * sigmoid over all gates also give tanh of that block, as tanh(x) = 2σ(2x) − 1: wasm's Tanh is a
 * scalar loop about 40× slower per element than its vectorised Sigmoid.
 */
function doubleBlock(gates: number, block: number, H: number): tf.Tensor1D {
  const m = new Float32Array(gates * H).fill(1);
  m.fill(2, block * H, (block + 1) * H);
  return tf.tensor1d(m);
}

/** tanh(x) from σ(2x). */
const tanhFromSigmoid = (sigmoidOf2x: tf.Tensor, k: Constants) => tf.sub(tf.mul(sigmoidOf2x, k.two), k.one) as tf.Tensor2D;

/** The LSTM gates and state update from pre-activations whose g block is doubled ([B, 4H]). */
function lstmGates(z2: tf.Tensor2D, c: tf.Tensor2D, k: Constants): LSTMCellOutput {
  const sig = tf.sigmoid(z2); // [B, 4H]: i, f, σ(2·z_g), o
  const [i, f, sg, o] = tf.split(sig, 4, 1) as tf.Tensor2D[];
  const g = tanhFromSigmoid(sg!, k); // [B, H]
  const cNext = tf.add(tf.mul(f!, c), tf.mul(i!, g)) as tf.Tensor2D; // [B, H]
  const tanhC = tanhFromSigmoid(tf.sigmoid(tf.mul(cNext, k.two)), k);
  return { h: tf.mul(o!, tanhC), c: cNext, sig, g, tanhC };
}

/**
 * One LSTM step from a precomputed input projection `xp` = x·W_ih + b.
 *
 * @example
 * ```ts
 * const { h, c } = lstmCell(xp, h0, c0, wHh); // xp [B, 4H], h0/c0 [B, H], wHh [H, 4H]
 * ```
 */
export function lstmCell(xp: tf.Tensor2D, h: tf.Tensor2D, c: tf.Tensor2D, wHh: tf.Tensor2D): LSTMCellOutput {
  const z = tf.add(xp, tf.matMul(h, wHh)); // [B, 4H]
  return lstmGates(tf.mul(z, doubleBlock(4, 2, h.shape[1])) as tf.Tensor2D, c, constants());
}

/** The GRU update from the input and recurrent projections, their n blocks doubled. */
function gruGates(xpRU: tf.Tensor2D, xpN2: tf.Tensor2D, hp2: tf.Tensor2D, h: tf.Tensor2D, k: Constants) {
  const H = h.shape[1];
  const [hpRU, hpN2] = tf.split(hp2, [2 * H, H], 1) as tf.Tensor2D[];
  const ru = tf.sigmoid(tf.add(xpRU, hpRU!)) as tf.Tensor2D; // [B, 2H]
  const [r, u] = tf.split(ru, 2, 1);
  const n = tanhFromSigmoid(tf.sigmoid(tf.add(xpN2, tf.mul(r!, hpN2!))), k); // [B, H]
  const hNext = tf.add(n, tf.mul(u!, tf.sub(h, n))) as tf.Tensor2D;
  return { h: hNext, ru, n, hpN2: hpN2! };
}

/**
 * One GRU step (PyTorch's formulation): r, u = σ(xp_ru + h·W_ru + b_ru), n = tanh(xp_n + r ⊙
 * (h·W_n + b_n)), h' = n + u ⊙ (h − n).
 *
 * @example
 * ```ts
 * const { h } = gruCell(xp, h0, wHh, bHh); // xp [B, 3H], wHh [H, 3H], bHh [3H]
 * ```
 */
export function gruCell(xp: tf.Tensor2D, h: tf.Tensor2D, wHh: tf.Tensor2D, bHh: tf.Tensor1D): { h: tf.Tensor2D } {
  const H = h.shape[1];
  const scale = doubleBlock(3, 2, H);
  const hp2 = tf.mul(tf.fused.matMul({ a: h, b: wHh, bias: bHh }), scale) as tf.Tensor2D; // [B, 3H]
  const [xpRU, xpN2] = tf.split(tf.mul(xp, scale), [2 * H, H], 1) as tf.Tensor2D[];
  return { h: gruGates(xpRU!, xpN2!, hp2, h, constants()).h };
}

/**
 * The T timesteps of a time-major tensor [T, B, C] as T tensors [B, C]. On wasm every Slice
 * (and so Unpack and Split) first copies its whole input, so `tf.unstack` of a [T, B, 4H] tensor
 * costs T full copies; unstacking √T chunks of √T steps costs about 2√T (16 instead of 64 for T = 64).
 */
export function timesteps(x: tf.Tensor): tf.Tensor2D[] {
  const T = x.shape[0]!;
  const chunk = Math.ceil(Math.sqrt(T));
  if (T <= 4) return tf.unstack(x) as tf.Tensor2D[];
  const sizes = Array.from({ length: Math.ceil(T / chunk) }, (_, k) => Math.min(chunk, T - k * chunk));
  return tf.split(x, sizes, 0).flatMap((part) => tf.unstack(part) as tf.Tensor2D[]);
}

/** Rows 0..T-2 of a time-major tensor, after `first`: the "previous" value at every step. */
function shiftedByOne(first: tf.Tensor2D, seq: tf.Tensor3D): tf.Tensor3D {
  const T = seq.shape[0];
  const head = tf.expandDims(first, 0);
  return (T === 1 ? head : tf.concat([head, tf.slice(seq, [0, 0, 0], [T - 1, -1, -1])], 0)) as tf.Tensor3D; // [T, B, H]
}

/** Weight gradient Σ_t prevᵀ·d as one matmul with an explicit transpose: [H, T·B]·[T·B, G]. */
function weightGrad(prev: tf.Tensor3D, d: tf.Tensor3D): tf.Tensor2D {
  const [T, B, H] = prev.shape;
  const G = d.shape[2];
  return tf.matMul(tf.transpose(tf.reshape(prev, [T * B, H])), tf.reshape(d, [T * B, G]));
}

const lstmSequenceOp = tf.customGrad((...args: unknown[]) => {
  const [xp, h0, c0, wHh, save] = args as [tf.Tensor3D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
  const T = xp.shape[0];
  const k = constants();
  const scale = doubleBlock(4, 2, h0.shape[1]);
  const w2 = tf.mul(wHh, scale) as tf.Tensor2D; // g columns doubled once, for every step
  const steps = timesteps(tf.mul(xp, scale)); // T × [B, 4H]
  let h = h0;
  let c = c0;
  const hs: tf.Tensor2D[] = [];
  const sigs: tf.Tensor2D[] = [];
  const gs: tf.Tensor2D[] = [];
  const tanhCs: tf.Tensor2D[] = [];
  const cs: tf.Tensor2D[] = [];
  for (let t = 0; t < T; t++) {
    const out = lstmGates(tf.add(steps[t]!, tf.matMul(h, w2)) as tf.Tensor2D, c, k);
    h = out.h;
    c = out.c;
    hs.push(h);
    cs.push(c);
    sigs.push(out.sig);
    gs.push(out.g);
    tanhCs.push(out.tanhC);
  }
  const hsT = tf.stack(hs) as tf.Tensor3D; // [T, B, H]
  const sigT = tf.stack(sigs) as tf.Tensor3D; // [T, B, 4H]
  const gT = tf.stack(gs) as tf.Tensor3D; // [T, B, H]
  const tanhCT = tf.stack(tanhCs) as tf.Tensor3D; // [T, B, H]
  save([sigT, gT, tanhCT, hsT, h0, c0, wHh, tf.stack(cs)]);
  // The final cell state rides along as row T so the caller can carry it to the next batch.
  const value = tf.concat([hsT, tf.expandDims(c, 0)], 0) as tf.Tensor3D; // [T + 1, B, H]
  return {
    value,
    gradFunc: (dy: tf.Tensor3D, saved: tf.Tensor[]) => {
      const [sig, g, tanhC, hsS, h0S, c0S, w, cAll] = saved as [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D, tf.Tensor3D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor3D];
      const [i, f, , o] = tf.split(sig, 4, 2) as tf.Tensor3D[];
      const cPrev = shiftedByOne(c0S, cAll); // [T, B, H]
      const one = tf.scalar(1);
      // Everything that does not depend on the incoming gradient, for all timesteps at once.
      const dcFromH = timesteps(tf.mul(o!, tf.sub(one, tf.square(tanhC)))); // ∂c-path of h = o·tanh(c)
      const gateFactor = timesteps(
        tf.concat(
          [
            tf.mul(g, tf.mul(i!, tf.sub(one, i!))), // dz_i = dc · g · σ'(i)
            tf.mul(cPrev, tf.mul(f!, tf.sub(one, f!))), // dz_f = dc · c_prev · σ'(f)
            tf.mul(i!, tf.sub(one, tf.square(g))), // dz_g = dc · i · tanh'(g)
            tf.mul(tanhC, tf.mul(o!, tf.sub(one, o!))), // dz_o = dh · tanh(c) · σ'(o)
          ],
          2,
        ),
      ); // T × [B, 4H]
      const forget = timesteps(f!);
      const dys = timesteps(dy); // T + 1 rows: dh_1..dh_T, then the gradient of the final c
      const wT = tf.transpose(w); // [4H, H]
      let dc = dys[T]!;
      let dh = dys[T - 1]!;
      const dzs: tf.Tensor2D[] = new Array(T);
      for (let t = T - 1; t >= 0; t--) {
        dc = tf.add(dc, tf.mul(dh, dcFromH[t]!)) as tf.Tensor2D; // [B, H]
        const dz = tf.mul(tf.concat([dc, dc, dc, dh], 1), gateFactor[t]!) as tf.Tensor2D; // [B, 4H]
        dzs[t] = dz;
        dc = tf.mul(dc, forget[t]!) as tf.Tensor2D;
        const rec = tf.matMul(dz, wT) as tf.Tensor2D; // [B, H]
        dh = t > 0 ? (tf.add(dys[t - 1]!, rec) as tf.Tensor2D) : rec;
      }
      const dz = tf.stack(dzs) as tf.Tensor3D; // [T, B, 4H]: also the gradient of xp
      const dW = weightGrad(shiftedByOne(h0S, hsS), dz);
      return [dz, dh, dc, dW];
    },
  };
});

/**
 * Runs an LSTM layer over a whole sequence with a hand-written backward pass. Returns the hidden
 * states of every step and the final cell state, as one tensor: rows 0..T-1 are h_1..h_T, row T is
 * c_T. Differentiable with respect to all four inputs.
 *
 * @example
 * ```ts
 * const out = lstmSequence(xp, h0, c0, wHh); // xp [T, B, 4H] → [T + 1, B, H]
 * const hs = out.slice(0, T);                // [T, B, H]
 * ```
 */
export function lstmSequence(xp: tf.Tensor3D, h0: tf.Tensor2D, c0: tf.Tensor2D, wHh: tf.Tensor2D): tf.Tensor3D {
  checkSequence('lstmSequence', xp, h0, wHh, 4);
  return lstmSequenceOp(xp, h0, c0, wHh) as tf.Tensor3D;
}

const gruSequenceOp = tf.customGrad((...args: unknown[]) => {
  const [xp, h0, wHh, bHh, save] = args as [tf.Tensor3D, tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, tf.GradSaveFunc];
  const T = xp.shape[0];
  const H = h0.shape[1];
  const k = constants();
  const scale = doubleBlock(3, 2, H);
  const w2 = tf.mul(wHh, scale) as tf.Tensor2D; // n columns doubled once, for every step
  const b2 = tf.mul(bHh, scale) as tf.Tensor1D;
  const [xpRU, xpN2] = tf.split(tf.mul(xp, scale), [2 * H, H], 2);
  const stepsRU = timesteps(xpRU!); // T × [B, 2H]
  const stepsN2 = timesteps(xpN2!); // T × [B, H]
  let h = h0;
  const hs: tf.Tensor2D[] = [];
  const rus: tf.Tensor2D[] = [];
  const ns: tf.Tensor2D[] = [];
  const hpNs: tf.Tensor2D[] = [];
  for (let t = 0; t < T; t++) {
    const out = gruGates(stepsRU[t]!, stepsN2[t]!, tf.fused.matMul({ a: h, b: w2, bias: b2 }) as tf.Tensor2D, h, k);
    h = out.h;
    hs.push(h);
    rus.push(out.ru);
    ns.push(out.n);
    hpNs.push(out.hpN2);
  }
  const hsT = tf.stack(hs) as tf.Tensor3D; // [T, B, H]
  save([tf.stack(rus), tf.stack(ns), tf.stack(hpNs), hsT, h0, wHh]);
  return {
    value: hsT,
    gradFunc: (dy: tf.Tensor3D, saved: tf.Tensor[]) => {
      const [ruS, n, hpN2, hsS, h0S, w] = saved as [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D, tf.Tensor3D, tf.Tensor2D, tf.Tensor2D];
      const [r, u] = tf.split(ruS, 2, 2) as tf.Tensor3D[];
      const hPrev = shiftedByOne(h0S, hsS);
      const one = tf.scalar(1);
      const hpN = tf.mul(hpN2, tf.scalar(0.5)); // the saved recurrent n term was doubled
      // dh_t times these factors gives every pre-activation gradient of step t.
      const dPreN = tf.mul(tf.sub(one, u!), tf.sub(one, tf.square(n))); // ∂h/∂(pre-activation of n)
      const dPreR = tf.mul(tf.mul(dPreN, hpN), tf.mul(r!, tf.sub(one, r!)));
      const dPreU = tf.mul(tf.sub(hPrev, n), tf.mul(u!, tf.sub(one, u!)));
      const toXp = tf.concat([dPreR, dPreU, dPreN], 2); // [T, B, 3H]
      const toHp = timesteps(tf.concat([dPreR, dPreU, tf.mul(dPreN, r!)], 2)); // T × [B, 3H]
      const keep = timesteps(u!); // ∂h_t/∂h_{t-1} directly: u
      const dys = timesteps(dy);
      const wT = tf.transpose(w); // [3H, H]
      const dhs: tf.Tensor2D[] = new Array(T);
      const dhps: tf.Tensor2D[] = new Array(T);
      let dh = dys[T - 1]!;
      for (let t = T - 1; t >= 0; t--) {
        dhs[t] = dh;
        const dhp = tf.mul(tf.concat([dh, dh, dh], 1), toHp[t]!) as tf.Tensor2D; // [B, 3H]
        dhps[t] = dhp;
        const rec = tf.add(tf.matMul(dhp, wT), tf.mul(dh, keep[t]!)) as tf.Tensor2D; // [B, H]
        dh = t > 0 ? (tf.add(dys[t - 1]!, rec) as tf.Tensor2D) : rec;
      }
      const dH = tf.stack(dhs); // [T, B, H]
      const dXp = tf.mul(tf.concat([dH, dH, dH], 2), toXp); // [T, B, 3H]
      const dHp = tf.stack(dhps) as tf.Tensor3D; // [T, B, 3H]
      return [dXp, dh, weightGrad(hPrev, dHp), tf.sum(dHp, [0, 1])];
    },
  };
});

/**
 * Runs a GRU layer over a whole sequence with a hand-written backward pass; returns h_1..h_T.
 *
 * @example
 * ```ts
 * const hs = gruSequence(xp, h0, wHh, bHh); // xp [T, B, 3H] → [T, B, H]
 * ```
 */
export function gruSequence(xp: tf.Tensor3D, h0: tf.Tensor2D, wHh: tf.Tensor2D, bHh: tf.Tensor1D): tf.Tensor3D {
  checkSequence('gruSequence', xp, h0, wHh, 3);
  return gruSequenceOp(xp, h0, wHh, bHh) as tf.Tensor3D;
}

function checkSequence(where: string, xp: tf.Tensor, h0: tf.Tensor, w: tf.Tensor, gates: number): void {
  const H = h0.shape[1]!;
  if (xp.rank !== 3 || xp.shape[1] !== h0.shape[0] || xp.shape[2] !== gates * H || xp.shape[0]! < 1) {
    throw new Error(`${where}: expected xp of shape [T >= 1, ${h0.shape[0]}, ${gates * H}] for a state of shape [${h0.shape}], got [${xp.shape}]`);
  }
  if (w.shape[0] !== H || w.shape[1] !== gates * H) {
    throw new Error(`${where}: expected the recurrent kernel of shape [${H}, ${gates * H}], got [${w.shape}]`);
  }
}

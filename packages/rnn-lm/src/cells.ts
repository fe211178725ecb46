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
  /** σ of all four pre-activations [B, 4H] (the g block of it is unused). */
  sig: tf.Tensor2D;
  /** tanh of the g pre-activation [B, H]. */
  g: tf.Tensor2D;
  /** tanh(c) [B, H]. */
  tanhC: tf.Tensor2D;
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
  const H = h.shape[1];
  const z = tf.add(xp, tf.matMul(h, wHh)) as tf.Tensor2D; // [B, 4H]
  const sig = tf.sigmoid(z); // [B, 4H]: i, f, (unused), o
  const g = tf.tanh(tf.slice(z, [0, 2 * H], [-1, H])); // [B, H]
  const [i, f, , o] = tf.split(sig, 4, 1) as tf.Tensor2D[];
  const cNext = tf.add(tf.mul(f!, c), tf.mul(i!, g)) as tf.Tensor2D; // [B, H]
  const tanhC = tf.tanh(cNext);
  return { h: tf.mul(o!, tanhC), c: cNext, sig, g, tanhC };
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
export function gruCell(xp: tf.Tensor2D, h: tf.Tensor2D, wHh: tf.Tensor2D, bHh: tf.Tensor1D) {
  const H = h.shape[1];
  const hp = tf.fused.matMul({ a: h, b: wHh, bias: bHh }) as tf.Tensor2D; // [B, 3H]
  const [xpRU, xpN] = tf.split(xp, [2 * H, H], 1);
  const [hpRU, hpN] = tf.split(hp, [2 * H, H], 1) as tf.Tensor2D[];
  const ru = tf.sigmoid(tf.add(xpRU!, hpRU!)) as tf.Tensor2D; // [B, 2H]
  const [r, u] = tf.split(ru, 2, 1);
  const n = tf.tanh(tf.add(xpN!, tf.mul(r!, hpN!))) as tf.Tensor2D; // [B, H]
  const hNext = tf.add(n, tf.mul(u!, tf.sub(h, n))) as tf.Tensor2D;
  return { h: hNext, ru, n, hpN: hpN! };
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
  const steps = tf.unstack(xp) as tf.Tensor2D[]; // T × [B, 4H]
  let h = h0;
  let c = c0;
  const hs: tf.Tensor2D[] = [];
  const sigs: tf.Tensor2D[] = [];
  const gs: tf.Tensor2D[] = [];
  const tanhCs: tf.Tensor2D[] = [];
  const cs: tf.Tensor2D[] = [];
  for (let t = 0; t < T; t++) {
    const out = lstmCell(steps[t]!, h, c, wHh);
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
      const dcFromH = tf.unstack(tf.mul(o!, tf.sub(one, tf.square(tanhC)))) as tf.Tensor2D[]; // ∂c-path of h = o·tanh(c)
      const gateFactor = tf.unstack(
        tf.concat(
          [
            tf.mul(g, tf.mul(i!, tf.sub(one, i!))), // dz_i = dc · g · σ'(i)
            tf.mul(cPrev, tf.mul(f!, tf.sub(one, f!))), // dz_f = dc · c_prev · σ'(f)
            tf.mul(i!, tf.sub(one, tf.square(g))), // dz_g = dc · i · tanh'(g)
            tf.mul(tanhC, tf.mul(o!, tf.sub(one, o!))), // dz_o = dh · tanh(c) · σ'(o)
          ],
          2,
        ),
      ) as tf.Tensor2D[]; // T × [B, 4H]
      const forget = tf.unstack(f!) as tf.Tensor2D[];
      const dys = tf.unstack(tf.slice(dy, [0, 0, 0], [T, -1, -1])) as tf.Tensor2D[];
      const wT = tf.transpose(w); // [4H, H]
      let dc = tf.squeeze(tf.slice(dy, [T, 0, 0], [1, -1, -1]), [0]) as tf.Tensor2D; // gradient of the final c
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
  const steps = tf.unstack(xp) as tf.Tensor2D[];
  let h = h0;
  const hs: tf.Tensor2D[] = [];
  const rus: tf.Tensor2D[] = [];
  const ns: tf.Tensor2D[] = [];
  const hpNs: tf.Tensor2D[] = [];
  for (let t = 0; t < T; t++) {
    const out = gruCell(steps[t]!, h, wHh, bHh);
    h = out.h;
    hs.push(h);
    rus.push(out.ru);
    ns.push(out.n);
    hpNs.push(out.hpN);
  }
  const hsT = tf.stack(hs) as tf.Tensor3D; // [T, B, H]
  save([tf.stack(rus), tf.stack(ns), tf.stack(hpNs), hsT, h0, wHh]);
  return {
    value: hsT,
    gradFunc: (dy: tf.Tensor3D, saved: tf.Tensor[]) => {
      const [ruS, n, hpN, hsS, h0S, w] = saved as [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D, tf.Tensor3D, tf.Tensor2D, tf.Tensor2D];
      const [r, u] = tf.split(ruS, 2, 2) as tf.Tensor3D[];
      const hPrev = shiftedByOne(h0S, hsS);
      const one = tf.scalar(1);
      // dh_t times these factors gives every pre-activation gradient of step t.
      const dPreN = tf.mul(tf.sub(one, u!), tf.sub(one, tf.square(n))); // ∂h/∂(pre-activation of n)
      const dPreR = tf.mul(tf.mul(dPreN, hpN), tf.mul(r!, tf.sub(one, r!)));
      const dPreU = tf.mul(tf.sub(hPrev, n), tf.mul(u!, tf.sub(one, u!)));
      const toXp = tf.concat([dPreR, dPreU, dPreN], 2); // [T, B, 3H]
      const toHp = tf.unstack(tf.concat([dPreR, dPreU, tf.mul(dPreN, r!)], 2)) as tf.Tensor2D[]; // T × [B, 3H]
      const keep = tf.unstack(u!) as tf.Tensor2D[]; // ∂h_t/∂h_{t-1} directly: u
      const dys = tf.unstack(dy) as tf.Tensor2D[];
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

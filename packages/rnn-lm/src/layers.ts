import { Module, torchDefaultUniform, type Rng } from '@genloom/core';
import * as tf from '@tensorflow/tfjs';
import { gruCell, gruSequence, lstmCell, lstmSequence } from './cells.js';
import type { CellKind } from './config.js';

/** The state one layer carries from step to step: h, and the cell state c of an LSTM. */
export type LayerState = {
  h: tf.Tensor2D; // [B, H]
  c?: tf.Tensor2D; // [B, H], an LSTM's cell state
};

/** Arguments of the recurrent layers. */
export interface RecurrentLayerArgs {
  inputDim: number;
  hiddenSize: number;
  rng: Rng;
}

/**
 * A recurrent layer whose gates share one fused weight matrix: `kernel` [in, G·H] projects the
 * inputs of every timestep in one matmul, `recurrentKernel` [H, G·H] is the only matmul per step.
 */
export abstract class RecurrentLayer extends Module {
  /** Gate blocks in the fused matrices (LSTM 4, GRU 3). */
  abstract readonly gates: number;
  readonly inputDim: number;
  readonly hiddenSize: number;
  readonly kernel: tf.Variable;
  readonly recurrentKernel: tf.Variable;
  readonly bias: tf.Variable;

  protected constructor(args: RecurrentLayerArgs, gates: number, bias: () => tf.Tensor) {
    super();
    const { inputDim, hiddenSize: H, rng } = args;
    if (!(Number.isInteger(inputDim) && inputDim > 0 && Number.isInteger(H) && H > 0)) {
      throw new Error(`Recurrent layer needs positive integer inputDim and hiddenSize, got inputDim=${inputDim}, hiddenSize=${H}`);
    }
    this.inputDim = inputDim;
    this.hiddenSize = H;
    // PyTorch's initialisation for recurrent layers: U(±1/√H) for every weight.
    this.kernel = this.addParam('kernel', () => torchDefaultUniform([inputDim, gates * H], H, rng));
    this.recurrentKernel = this.addParam('recurrentKernel', () => torchDefaultUniform([H, gates * H], H, rng));
    this.bias = this.addParam('bias', bias);
  }

  /** Input projection of every timestep at once: [N, in] → [N, G·H]. @example `layer.project(x2d)` */
  project(x: tf.Tensor2D): tf.Tensor2D {
    return tf.fused.matMul({ a: x, b: this.kernel as tf.Tensor2D, bias: this.bias }) as tf.Tensor2D; // [N, G·H]
  }

  /** A zero state for `batch` streams. @example `layer.zeroState(1)` */
  abstract zeroState(batch: number): LayerState;

  /** Runs the layer over `xp` = project(x) reshaped to [T, B, G·H]; returns h_1..h_T [T, B, H] and the final state. */
  abstract sequence(xp: tf.Tensor3D, state: LayerState): { hs: tf.Tensor3D; state: LayerState };

  /** One step from xp [B, G·H]. @example `state = layer.step(xp, state)` */
  abstract step(xp: tf.Tensor2D, state: LayerState): LayerState;
}

/**
 * An LSTM layer (PyTorch's gate order i, f, g, o); the forget-gate bias starts at 1 so early
 * training keeps its memory (Jozefowicz et al., 2015).
 *
 * @example
 * ```ts
 * const lstm = new LSTMLayer({ inputDim: 64, hiddenSize: 256, rng: new Rng(0) });
 * const xp = tf.reshape(lstm.project(x2d), [T, B, 4 * 256]);
 * const { hs, state } = lstm.sequence(xp, lstm.zeroState(B)); // hs [T, B, 256]
 * ```
 */
export class LSTMLayer extends RecurrentLayer {
  readonly gates = 4;

  constructor(args: RecurrentLayerArgs) {
    const H = args.hiddenSize;
    super(args, 4, () => tf.concat([tf.zeros([H]), tf.ones([H]), tf.zeros([2 * H])]));
  }

  zeroState(batch: number): LayerState {
    return { h: tf.zeros([batch, this.hiddenSize]), c: tf.zeros([batch, this.hiddenSize]) };
  }

  sequence(xp: tf.Tensor3D, state: LayerState): { hs: tf.Tensor3D; state: LayerState } {
    const T = xp.shape[0];
    const out = lstmSequence(xp, state.h, state.c!, this.recurrentKernel as tf.Tensor2D); // [T + 1, B, H]
    const hs = tf.slice(out, [0, 0, 0], [T, -1, -1]);
    const last = (row: number) => tf.squeeze(tf.slice(out, [row, 0, 0], [1, -1, -1]), [0]) as tf.Tensor2D;
    return { hs, state: { h: last(T - 1), c: last(T) } };
  }

  step(xp: tf.Tensor2D, state: LayerState): LayerState {
    const { h, c } = lstmCell(xp, state.h, state.c!, this.recurrentKernel as tf.Tensor2D);
    return { h, c };
  }
}

/**
 * A GRU layer (PyTorch's formulation, gate order r, z, n), with a separate recurrent bias because
 * the n gate's recurrent term is multiplied by r.
 *
 * @example
 * ```ts
 * const gru = new GRULayer({ inputDim: 64, hiddenSize: 256, rng: new Rng(0) });
 * const { hs } = gru.sequence(tf.reshape(gru.project(x2d), [T, B, 3 * 256]), gru.zeroState(B));
 * ```
 */
export class GRULayer extends RecurrentLayer {
  readonly gates = 3;
  readonly recurrentBias: tf.Variable;

  constructor(args: RecurrentLayerArgs) {
    super(args, 3, () => tf.zeros([3 * args.hiddenSize]));
    this.recurrentBias = this.addParam('recurrentBias', () => tf.zeros([3 * args.hiddenSize]));
  }

  zeroState(batch: number): LayerState {
    return { h: tf.zeros([batch, this.hiddenSize]) };
  }

  sequence(xp: tf.Tensor3D, state: LayerState): { hs: tf.Tensor3D; state: LayerState } {
    const T = xp.shape[0];
    const hs = gruSequence(xp, state.h, this.recurrentKernel as tf.Tensor2D, this.recurrentBias as tf.Tensor1D); // [T, B, H]
    return { hs, state: { h: tf.squeeze(tf.slice(hs, [T - 1, 0, 0], [1, -1, -1]), [0]) as tf.Tensor2D, } };
  }

  step(xp: tf.Tensor2D, state: LayerState): LayerState {
    return { h: gruCell(xp, state.h, this.recurrentKernel as tf.Tensor2D, this.recurrentBias as tf.Tensor1D).h };
  }
}

/**
 * The layer class for a cell kind.
 *
 * @example
 * ```ts
 * const layer = createRecurrentLayer('gru', { inputDim: 16, hiddenSize: 32, rng });
 * ```
 */
export function createRecurrentLayer(cell: CellKind, args: RecurrentLayerArgs): RecurrentLayer {
  const make: Record<CellKind, (a: RecurrentLayerArgs) => RecurrentLayer> = {
    lstm: (a) => new LSTMLayer(a),
    gru: (a) => new GRULayer(a),
  };
  const ctor = make[cell];
  if (!ctor) throw new Error(`Unknown cell "${String(cell)}"; expected 'lstm' or 'gru'`);
  return ctor(args);
}

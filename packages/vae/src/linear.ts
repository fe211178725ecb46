/**
 * The dense layer as the VAE's MLPs run it: `act(x·W + b)` in one fused kernel forwards, and a
 * hand-written backward pass that uses only plain matmuls.
 *
 * Why: on the tfjs wasm backend (4.22) a BatchMatMul with `transposeA`/`transposeB` runs 10–16×
 * slower than one without, and autodiff of `x·W` needs exactly those two (dX = dY·Wᵀ, dW = Xᵀ·dY).
 * Transposing the operand explicitly first costs one memory pass and keeps the matmul fast. Data
 * inputs (the images fed to the first layer) get no gradient at all, which saves the largest
 * matmul of the backward pass.
 */
import * as tf from '@tensorflow/tfjs';

/** Activations fused into the matmul kernel; anything else is applied after a `linear` call. */
export type FusedActivation = 'relu' | 'linear';

/**
 * `act(x·W + b)` for x [B, in], W [in, out], b [out], with explicit-transpose gradients.
 * `inputGrad: false` treats x as data (no gradient flows to it).
 *
 * @example
 * ```ts
 * const h = linear(x, fc.kernel, fc.bias, 'relu', false); // [B, 784] → [B, 400], x is data
 * ```
 */
export function linear(x: tf.Tensor2D, kernel: tf.Tensor, bias: tf.Tensor | null, act: FusedActivation, inputGrad = true): tf.Tensor2D {
  if (x.shape[1] !== kernel.shape[0]) {
    throw new Error(`linear: input has ${x.shape[1]} features but the kernel expects ${kernel.shape[0]} (input shape [${x.shape}])`);
  }
  const inputs: tf.Tensor[] = [...(inputGrad ? [x] : []), kernel, ...(bias ? [bias] : [])];
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const given = args.slice(0, -1) as tf.Tensor[];
    const xx = (inputGrad ? given[0] : x) as tf.Tensor2D; // [B, in]
    const w = given[inputGrad ? 1 : 0] as tf.Tensor2D; // [in, out]
    const b = bias ? given[given.length - 1]! : undefined; // [out]
    const y = tf.fused.matMul({ a: xx, b: w, ...(b ? { bias: b } : {}), activation: act }); // [B, out]
    save([y, xx]); // saved tensors outlive the tidy scopes of the forward pass; a closure would not keep x alive
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [out, input] = saved as [tf.Tensor2D, tf.Tensor2D];
      const dz = act === 'relu' ? tf.mul(dy, tf.step(out)) : dy; // [B, out]; relu' read from the output
      const grads: tf.Tensor[] = [];
      if (inputGrad) grads.push(tf.matMul(dz, tf.transpose(w))); // [B, out]·[out, in] = [B, in]
      grads.push(tf.matMul(tf.transpose(input), dz)); // [in, B]·[B, out] = [in, out]
      if (b) grads.push(tf.sum(dz, 0)); // [out]
      return grads;
    };
    return { value: y, gradFunc };
  });
  return op(...inputs) as tf.Tensor2D;
}

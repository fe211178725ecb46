import * as tf from '@tensorflow/tfjs';

/**
 * The base of every network in genloom: a tree of named parameters (tfjs variables) and child
 * modules, in the spirit of `torch.nn.Module`. Weight names are the dotted paths from the root
 * (`encoder.fc1.kernel`), so they are stable across runs and checkpoints.
 *
 * @example
 * ```ts
 * class Affine extends Module {
 *   w = this.addParam('w', () => tf.ones([3]));
 *   forward(x: tf.Tensor) { return tf.mul(x, this.w); }
 * }
 * const m = new Affine();
 * m.namedParameters(); // [['w', Variable]]
 * ```
 */
export abstract class Module {
  private readonly params = new Map<string, tf.Variable>();
  private readonly children = new Map<string, Module>();

  /**
   * Creates a variable owned by this module. Non-trainable ones (running statistics) are saved and
   * loaded but get no gradient.
   *
   * @example
   * ```ts
   * const bias = this.addParam('bias', () => tf.zeros([units]));
   * ```
   */
  protected addParam(name: string, init: () => tf.Tensor, trainable = true): tf.Variable {
    if (this.params.has(name) || this.children.has(name)) {
      throw new Error(`Module already has a parameter or child named "${name}"`);
    }
    const value = tf.tidy(init);
    const variable = tf.variable(value, trainable);
    value.dispose();
    this.params.set(name, variable);
    return variable;
  }

  /**
   * Registers a child module under `name` and returns it.
   *
   * @example
   * ```ts
   * this.fc = this.addChild('fc', new Dense({ inputDim: 4, units: 8, rng }));
   * ```
   */
  protected addChild<M extends Module>(name: string, child: M): M {
    if (this.params.has(name) || this.children.has(name)) {
      throw new Error(`Module already has a parameter or child named "${name}"`);
    }
    this.children.set(name, child);
    return child;
  }

  /** All parameters with their dotted names, depth first. @example `model.namedParameters().length` */
  namedParameters(prefix = ''): Array<[string, tf.Variable]> {
    const out: Array<[string, tf.Variable]> = [];
    for (const [name, v] of this.params) out.push([prefix + name, v]);
    for (const [name, child] of this.children) out.push(...child.namedParameters(`${prefix}${name}.`));
    return out;
  }

  /** Variables that receive gradients. @example `ctx.minimize(loss, model.trainableVariables())` */
  trainableVariables(): tf.Variable[] {
    return this.namedParameters().filter(([, v]) => v.trainable).map(([, v]) => v);
  }

  /** Total number of scalar parameters. @example `new Dense({ inputDim: 2, units: 3, rng }).parameterCount() // 9` */
  parameterCount(): number {
    return this.namedParameters().reduce((n, [, v]) => n + v.size, 0);
  }

  /**
   * The weights by name. The tensors are the live variables: clone them to keep a copy.
   *
   * @example
   * ```ts
   * const w = model.getWeights(); // { 'fc.kernel': Variable, … }
   * ```
   */
  getWeights(): tf.NamedTensorMap {
    return Object.fromEntries(this.namedParameters());
  }

  /**
   * Assigns weights by name. Every parameter must be present with its exact shape; unexpected names
   * are an error too, so a checkpoint of another architecture cannot load silently.
   *
   * @example
   * ```ts
   * other.setWeights(model.getWeights());
   * ```
   */
  setWeights(weights: tf.NamedTensorMap): void {
    const own = this.namedParameters();
    const missing = own.filter(([name]) => !(name in weights)).map(([name]) => name);
    if (missing.length > 0) {
      throw new Error(`Missing weights: ${missing.slice(0, 8).join(', ')}${missing.length > 8 ? ` (+${missing.length - 8} more)` : ''}`);
    }
    const ownNames = new Set(own.map(([name]) => name));
    const extra = Object.keys(weights).filter((name) => !ownNames.has(name));
    if (extra.length > 0) throw new Error(`Unexpected weights: ${extra.slice(0, 8).join(', ')}`);
    for (const [name, v] of own) {
      const w = weights[name]!;
      if (!tf.util.arraysEqual(w.shape, v.shape)) {
        throw new Error(`Weight "${name}" has shape [${w.shape}] but the model expects [${v.shape}]`);
      }
      if (w.dtype !== v.dtype) throw new Error(`Weight "${name}" has dtype ${w.dtype} but the model expects ${v.dtype}`);
    }
    for (const [name, v] of own) v.assign(weights[name]!);
  }

  /** Frees every variable of this module and its children. @example `model.dispose()` */
  dispose(): void {
    for (const [, v] of this.namedParameters()) v.dispose();
  }
}

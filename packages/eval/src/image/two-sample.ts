import * as tf from '@tensorflow/tfjs';
import { Dense, Module, Rng, deriveSeed, train, type DataSource, type GenerativeModel, type StepContext } from '@genloom/core';

/** Options of {@link classifierTwoSampleTest}. */
export interface TwoSampleOptions {
  /** Hidden units of the discriminator MLP (default 64). */
  hidden?: number;
  /** Optimisation steps (default 400). */
  steps?: number;
  batchSize?: number;
  /** Adam learning rate (default 1e-3). */
  lr?: number;
  /** Share of each set held out to measure accuracy (default 0.3). */
  testFraction?: number;
  seed?: number;
}

/** The verdict of a classifier two-sample test. */
export interface TwoSampleResult {
  /** Held-out accuracy of telling real from generated: 0.5 = indistinguishable, 1 = trivially told apart. */
  accuracy: number;
  /** One-sided p-value of accuracy ≥ the observed one if the sets were indistinguishable (normal approximation). */
  pValue: number;
  /** Held-out samples the accuracy is measured on (half real, half generated). */
  testSize: number;
}

type Batch = { x: tf.Tensor2D; y: tf.Tensor1D };

class FeatureDiscriminator extends Module {
  readonly fc1: Dense;
  readonly fc2: Dense;
  constructor(dim: number, hidden: number, rng: Rng) {
    super();
    this.fc1 = this.addChild('fc1', new Dense({ inputDim: dim, units: hidden, rng }));
    this.fc2 = this.addChild('fc2', new Dense({ inputDim: hidden, units: 1, rng }));
  }
  /** Real-vs-generated logits. */
  forward(x: tf.Tensor2D): tf.Tensor1D {
    return tf.tidy(() => tf.squeeze(this.fc2.forward(tf.relu(this.fc1.forward(x))), [1]) as tf.Tensor1D); // [B, D] → [B]
  }
}

/** The discriminator as a trainable model, so the shared Trainer runs it. */
class DiscriminatorModel implements GenerativeModel<Batch, { dim: number; hidden: number }> {
  readonly family = 'eval-two-sample-discriminator';
  readonly net: FeatureDiscriminator;
  constructor(readonly config: { dim: number; hidden: number }, seed: number) {
    this.net = new FeatureDiscriminator(config.dim, config.hidden, new Rng(seed));
  }
  trainStep(batch: Batch, ctx: StepContext): Record<string, tf.Scalar> {
    const loss = ctx.minimize(() => tf.losses.sigmoidCrossEntropy(batch.y, this.net.forward(batch.x)) as tf.Scalar, this.namedParameters());
    return { loss };
  }
  namedParameters() {
    return this.net.namedParameters();
  }
  getWeights() {
    return this.net.getWeights();
  }
  setWeights(w: tf.NamedTensorMap) {
    this.net.setWeights(w);
  }
  dispose() {
    this.net.dispose();
  }
}

function normalTail(z: number): number {
  // 1 − Φ(z) via the complementary error function (Abramowitz–Stegun 7.1.26, |error| < 1.5e-7).
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erfc = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) * Math.exp(-x * x);
  return z >= 0 ? erfc / 2 : 1 - erfc / 2;
}

/**
 * A classifier two-sample test (Lopez-Paz & Oquab, 2017): a model judging a model. A small MLP is
 * trained with the shared Trainer to tell real features from generated ones; its accuracy on
 * held-out samples is the verdict: near 0.5 the sets are indistinguishable to it, near 1 the
 * generator is easy to spot. Both sets are cut to the same size; features are standardised with
 * the training split's statistics.
 *
 * @example
 * ```ts
 * const { accuracy, pValue } = await classifierTwoSampleTest(realFeatures, fakeFeatures, { seed: 1 });
 * ```
 */
export async function classifierTwoSampleTest(real: tf.Tensor2D, fake: tf.Tensor2D, opts: TwoSampleOptions = {}): Promise<TwoSampleResult> {
  if (real.rank !== 2 || fake.rank !== 2) throw new Error(`classifierTwoSampleTest needs [N, D] feature tensors, got [${real.shape}] and [${fake.shape}]`);
  const dim = real.shape[1];
  if (fake.shape[1] !== dim) throw new Error(`classifierTwoSampleTest: feature widths differ (${dim} vs ${fake.shape[1]})`);
  const testFraction = opts.testFraction ?? 0.3;
  if (!(testFraction > 0 && testFraction < 1)) throw new Error(`classifierTwoSampleTest: testFraction must be in (0, 1), got ${testFraction}`);
  const seed = opts.seed ?? 0;
  const n = Math.min(real.shape[0], fake.shape[0]);
  const nTest = Math.max(1, Math.round(n * testFraction));
  const nTrain = n - nTest;
  if (nTrain < 2) throw new Error(`classifierTwoSampleTest needs at least ${Math.ceil(2 / (1 - testFraction)) + 1} samples in each set, got ${n}`);
  const rng = new Rng(seed);
  const pick = (count: number) => Array.from(rng.permutation(count).subarray(0, n));
  const realIdx = pick(real.shape[0]);
  const fakeIdx = pick(fake.shape[0]);
  const split = (t: tf.Tensor2D, idx: number[]) =>
    tf.tidy(() => {
      const all = tf.gather(t, tf.tensor1d(idx, 'int32')) as tf.Tensor2D;
      return [tf.slice(all, [0, 0], [nTrain, -1]), tf.slice(all, [nTrain, 0], [nTest, -1])] as [tf.Tensor2D, tf.Tensor2D];
    });
  const [realTrain, realTest] = split(real, realIdx);
  const [fakeTrain, fakeTest] = split(fake, fakeIdx);
  const { xTrain, yTrain, xTest } = tf.tidy(() => {
    const xRaw = tf.concat([realTrain, fakeTrain]); // [2·nTrain, D]
    const { mean, variance } = tf.moments(xRaw, 0);
    const std = tf.add(tf.sqrt(variance), 1e-6);
    const norm = (x: tf.Tensor) => tf.div(tf.sub(x, mean), std) as tf.Tensor2D;
    return {
      xTrain: norm(xRaw),
      yTrain: tf.concat([tf.ones([nTrain]), tf.zeros([nTrain])]) as tf.Tensor1D,
      xTest: norm(tf.concat([realTest, fakeTest])),
    };
  });
  tf.dispose([realTrain, realTest, fakeTrain, fakeTest]);
  const model = new DiscriminatorModel({ dim, hidden: opts.hidden ?? 64 }, deriveSeed(seed, 1));
  try {
    const batchSize = Math.min(opts.batchSize ?? 128, 2 * nTrain);
    const perEpoch = Math.max(1, Math.floor((2 * nTrain) / batchSize));
    const data: DataSource<Batch> = {
      batchesPerEpoch: perEpoch,
      batchSize,
      batch: (epoch, index) => {
        const order = new Rng(deriveSeed(seed, 2, epoch)).permutation(2 * nTrain);
        const idx = tf.tensor1d(order.subarray(index * batchSize, (index + 1) * batchSize), 'int32');
        const batch = tf.tidy(() => ({ x: tf.gather(xTrain, idx) as tf.Tensor2D, y: tf.gather(yTrain, idx) as tf.Tensor1D }));
        idx.dispose();
        return batch;
      },
    };
    await train(model, data, { steps: opts.steps ?? 400, optimizer: { type: 'adam', lr: opts.lr ?? 1e-3 }, seed });
    const correct = tf.tidy(() => {
      const logits = model.net.forward(xTest); // [2·nTest]
      const truth = tf.concat([tf.ones([nTest]), tf.zeros([nTest])]);
      return tf.sum(tf.cast(tf.equal(tf.cast(tf.greater(logits, 0), 'float32'), truth), 'float32'));
    });
    const hits = (await correct.data())[0]!;
    correct.dispose();
    const testSize = 2 * nTest;
    const accuracy = hits / testSize;
    const z = (accuracy - 0.5) / Math.sqrt(0.25 / testSize);
    return { accuracy, pValue: normalTail(z), testSize };
  } finally {
    model.dispose();
    tf.dispose([xTrain, yTrain, xTest]);
  }
}

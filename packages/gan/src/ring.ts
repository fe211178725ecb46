/**
 * The 2-D ring of Gaussians, the standard mode-collapse probe (Metz et al.'s unrolled GAN; VEEGAN;
 * PacGAN): `modes` Gaussians of standard deviation `std` evenly spaced on a circle. A generator that
 * collapses puts its samples on a few of them.
 */
import * as tf from '@tensorflow/tfjs';
import { deriveSeed, Rng, type DataSource } from '@genloom/core';

/** The ring's geometry. */
export interface RingOptions {
  /** Number of Gaussians (default 8). */
  modes?: number;
  /** Radius of the circle (default 1). */
  radius?: number;
  /** Standard deviation of each Gaussian (default 0.01, as in VEEGAN and PacGAN's 2D-ring). */
  std?: number;
}

function ringGeometry(o: RingOptions): { modes: number; radius: number; std: number; centers: Array<[number, number]> } {
  const modes = o.modes ?? 8;
  const radius = o.radius ?? 1;
  const std = o.std ?? 0.01;
  if (!Number.isInteger(modes) || modes < 2) throw new Error(`ring: modes must be an integer >= 2, got ${modes}`);
  if (!(radius > 0) || !(std > 0)) throw new Error(`ring: radius and std must be > 0, got radius ${radius}, std ${std}`);
  const centers = Array.from({ length: modes }, (_, k) => [radius * Math.cos((2 * Math.PI * k) / modes), radius * Math.sin((2 * Math.PI * k) / modes)] as [number, number]);
  return { modes, radius, std, centers };
}

/**
 * The centres of the ring's Gaussians.
 *
 * @example
 * ```ts
 * ringCenters({ modes: 4 }); // [[1, 0], [0, 1], [-1, 0], [0, -1]] (up to rounding)
 * ```
 */
export function ringCenters(o: RingOptions = {}): Array<[number, number]> {
  return ringGeometry(o).centers;
}

/**
 * `n` points from the ring mixture (each mode equally likely), as [n, 2] numbers.
 *
 * @example
 * ```ts
 * const pts = sampleRing(1000, { seed: 1 });
 * ```
 */
export function sampleRing(n: number, o: RingOptions & { seed?: number } = {}): Float32Array {
  const { modes, std, centers } = ringGeometry(o);
  const rng = new Rng(o.seed ?? 0);
  const out = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    const [cx, cy] = centers[rng.int(modes)]!;
    out[2 * i] = cx + std * rng.normal();
    out[2 * i + 1] = cy + std * rng.normal();
  }
  return out;
}

/**
 * An endless {@link DataSource} of ring samples (`x`: [batchSize, 2]); batch (epoch, index) is a
 * pure function of the seed.
 *
 * @example
 * ```ts
 * await train(gan, ringData({ batchSize: 256, seed: 1 }), { steps: 1000, optimizer: ganOptimizers(gan.config) });
 * ```
 */
export function ringData(o: RingOptions & { batchSize?: number; seed?: number; batchesPerEpoch?: number } = {}): DataSource<{ x: tf.Tensor2D }> {
  const batchSize = o.batchSize ?? 256;
  const seed = o.seed ?? 0;
  return {
    batchesPerEpoch: o.batchesPerEpoch ?? 100,
    batchSize,
    batch: (epoch, index) => ({ x: tf.tensor2d(sampleRing(batchSize, { ...o, seed: deriveSeed(seed, epoch, index) }), [batchSize, 2]) }),
  };
}

/** What {@link ringModeCoverage} found. */
export interface RingCoverage {
  /** Modes that received at least `minCount` high-quality samples. */
  modesCovered: number;
  modes: number;
  /** Share of samples within `3σ` of their nearest mode's centre. */
  highQualityFraction: number;
  /** High-quality samples per mode. */
  counts: number[];
  /** The count a mode needed to be covered. */
  minCount: number;
}

/**
 * The PacGAN / VEEGAN protocol on the ring: a sample is high-quality when it lies within three
 * standard deviations of the nearest mode's centre; a mode is covered when it receives at least
 * `minFraction` (default 1%) of the samples as high-quality ones.
 *
 * @example
 * ```ts
 * const { modesCovered, highQualityFraction } = ringModeCoverage(await gan.generate(2500).data());
 * ```
 */
export function ringModeCoverage(points: ArrayLike<number>, o: RingOptions & { minFraction?: number } = {}): RingCoverage {
  const { modes, std, centers } = ringGeometry(o);
  if (points.length % 2 !== 0 || points.length === 0) throw new Error(`ringModeCoverage needs [N, 2] points (an even, non-zero number of values), got ${points.length} values`);
  const n = points.length / 2;
  const counts = new Array<number>(modes).fill(0);
  let good = 0;
  for (let i = 0; i < n; i++) {
    const x = points[2 * i]!;
    const y = points[2 * i + 1]!;
    let best = 0;
    let bestD = Infinity;
    centers.forEach(([cx, cy], k) => {
      const d = Math.hypot(x - cx, y - cy);
      if (d < bestD) {
        bestD = d;
        best = k;
      }
    });
    if (bestD <= 3 * std) {
      good++;
      counts[best]! += 1;
    }
  }
  const minCount = Math.max(1, Math.ceil((o.minFraction ?? 0.01) * n));
  return { modesCovered: counts.filter((c) => c >= minCount).length, modes, highQualityFraction: good / n, counts, minCount };
}

/**
 * A "classifier" for ring samples — one-hot of the nearest mode — with the same shape of API as the
 * eval package's image classifier, so the mode-collapse alarm can count the classes it produces.
 *
 * @example
 * ```ts
 * modeCollapseAlarm({ model: gan, classifier: ringClassifier(), every: 100 });
 * ```
 */
export function ringClassifier(o: RingOptions = {}): {
  /** One-hot [N, 8] assignment of each 2-D point to its nearest mode. */
  predictProba(x: tf.Tensor): tf.Tensor2D;
} {
  const { centers } = ringGeometry(o);
  const c = tf.tensor2d(centers.flat(), [centers.length, 2]);
  const cKept = tf.keep(c);
  return {
    predictProba: (x) =>
      tf.tidy(() => {
        const d = tf.sum(tf.square(tf.sub(x.reshape([-1, 1, 2]), cKept.reshape([1, -1, 2]))), 2); // [N, modes]
        return tf.cast(tf.oneHot(tf.argMin(d, 1), centers.length), 'float32') as tf.Tensor2D;
      }),
  };
}

/**
 * Seeded, serialisable random numbers. Every random choice genloom makes (initialisation, batch
 * order, dropout masks, sampling) draws from an {@link Rng}, so a run is reproducible from its seed
 * and a resumed run continues the same stream from the state saved in its checkpoint.
 *
 * The generator is xoshiro128** (Blackman & Vigna): 128 bits of state, fast in 32-bit JS integer
 * arithmetic, and statistically solid for simulation work. Seeds are expanded with splitmix32.
 */

/** Serialisable snapshot of an {@link Rng}: four unsigned 32-bit words. */
export type RngState = [number, number, number, number];

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/**
 * A seeded pseudo-random generator with a state that can be saved and restored.
 *
 * @example
 * ```ts
 * const rng = new Rng(1337);
 * const u = rng.float();          // uniform in [0, 1)
 * const z = rng.normal();         // standard normal
 * const order = rng.permutation(10);
 * const saved = rng.getState();   // store in a checkpoint…
 * const again = Rng.fromState(saved); // …and continue the same stream later
 * ```
 */
export class Rng {
  private s: Uint32Array;
  private spareNormal: number | null = null;

  /** @param seed any finite number; equal seeds give equal streams. */
  constructor(seed: number) {
    if (!Number.isFinite(seed)) {
      throw new Error(`Rng seed must be a finite number, got ${String(seed)}`);
    }
    const next = splitmix32(Math.floor(seed) ^ Math.floor(seed / 2 ** 32));
    this.s = new Uint32Array([next(), next(), next(), next()]);
    if (this.s.every((w) => w === 0)) this.s[0] = 1;
  }

  /**
   * Rebuilds a generator from {@link Rng.getState}.
   *
   * @example
   * ```ts
   * const a = new Rng(1); a.float();
   * const b = Rng.fromState(a.getState());
   * a.float() === b.float(); // true
   * ```
   */
  static fromState(state: RngState): Rng {
    const rng = new Rng(0);
    rng.setState(state);
    return rng;
  }

  /** Next unsigned 32-bit integer. @example `new Rng(0).nextUint32()` */
  nextUint32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1]!, 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1]! << 9) >>> 0;
    s[2]! ^= s[0]!;
    s[3]! ^= s[1]!;
    s[1]! ^= s[2]!;
    s[0]! ^= s[3]!;
    s[2]! ^= t;
    s[3] = rotl(s[3]!, 11);
    return result;
  }

  /** Uniform float in [0, 1) with 53 random bits. @example `new Rng(0).float()` */
  float(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform float in [lo, hi). @example `new Rng(0).uniform(-1, 1)` */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.float();
  }

  /** Standard normal sample (Box–Muller, the spare value is cached). @example `new Rng(0).normal()` */
  normal(): number {
    if (this.spareNormal !== null) {
      const v = this.spareNormal;
      this.spareNormal = null;
      return v;
    }
    let u = 0;
    while (u === 0) u = this.float();
    const v = this.float();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /**
   * Uniform integer in [0, n), without modulo bias.
   *
   * @example
   * ```ts
   * const die = new Rng(3).int(6) + 1;
   * ```
   */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0 || n > 2 ** 32) {
      throw new Error(`Rng.int(n) needs an integer n in [1, 2^32], got ${n}`);
    }
    const limit = Math.floor(2 ** 32 / n) * n;
    let x = this.nextUint32();
    while (x >= limit) x = this.nextUint32();
    return x % n;
  }

  /** Shuffles `items` in place (Fisher–Yates) and returns it. @example `new Rng(1).shuffle([1, 2, 3])` */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = items[i]!;
      items[i] = items[j]!;
      items[j] = tmp;
    }
    return items;
  }

  /** A random permutation of 0..n-1. @example `new Rng(1).permutation(5) // e.g. Int32Array [3,0,4,1,2]` */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = p[i]!;
      p[i] = p[j]!;
      p[j] = tmp;
    }
    return p;
  }

  /**
   * Index drawn from a discrete distribution given by non-negative weights (need not sum to 1).
   *
   * @example
   * ```ts
   * new Rng(0).categorical([0.1, 0.7, 0.2]); // most often 1
   * ```
   */
  categorical(weights: ArrayLike<number>): number {
    let total = 0;
    for (let i = 0; i < weights.length; i++) {
      const w = weights[i]!;
      if (!(w >= 0) || !Number.isFinite(w)) {
        throw new Error(`Rng.categorical: weight ${i} is ${w}; weights must be finite and >= 0`);
      }
      total += w;
    }
    if (total <= 0) throw new Error('Rng.categorical: the weights sum to 0');
    let u = this.float() * total;
    for (let i = 0; i < weights.length; i++) {
      u -= weights[i]!;
      if (u < 0) return i;
    }
    return weights.length - 1;
  }

  /**
   * An integer seed for tfjs random ops (`tf.randomNormal(shape, 0, 1, 'float32', rng.tfSeed())`), so
   * tensor-valued randomness follows this generator too.
   *
   * @example
   * ```ts
   * const eps = tf.randomNormal([4, 2], 0, 1, 'float32', rng.tfSeed());
   * ```
   */
  tfSeed(): number {
    // tfjs treats a seed of 0 as "no seed" and falls back to Math.random: never hand it out.
    return this.nextUint32() || 1;
  }

  /**
   * An independent generator derived from this one (advances this one by one draw). Use it to give
   * a sub-system (data order, dropout) its own stream.
   *
   * @example
   * ```ts
   * const dataRng = rng.fork();
   * ```
   */
  fork(): Rng {
    return new Rng(this.nextUint32() * 4096 + (this.nextUint32() & 0xfff));
  }

  /** The generator's state; see {@link Rng.fromState}. @example `const s = rng.getState()` */
  getState(): RngState {
    return [this.s[0]!, this.s[1]!, this.s[2]!, this.s[3]!];
  }

  /** Restores a state from {@link Rng.getState}. @example `rng.setState(saved)` */
  setState(state: RngState): void {
    if (!Array.isArray(state) || state.length !== 4 || state.some((w) => !Number.isInteger(w) || w < 0 || w >= 2 ** 32)) {
      throw new Error(`Rng state must be four unsigned 32-bit integers, got ${JSON.stringify(state)}`);
    }
    this.s = new Uint32Array(state);
    this.spareNormal = null;
  }
}

/**
 * A seed derived deterministically from a base seed and any number of integer coordinates (epoch,
 * batch index, trial…). Stateless, so data order can be recomputed for any step when resuming.
 * Never 0, so it is safe to pass to tfjs random ops (which treat 0 as "unseeded").
 *
 * @example
 * ```ts
 * const rng = new Rng(deriveSeed(runSeed, epoch, batchIndex));
 * ```
 */
export function deriveSeed(base: number, ...coords: number[]): number {
  let h = splitmix32(base >>> 0)();
  for (const c of coords) {
    h = splitmix32((h ^ Math.imul(c >>> 0, 0x27d4eb2d)) >>> 0)();
  }
  return h || 1;
}

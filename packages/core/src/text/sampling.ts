/**
 * Choosing the next token from a model's logits, on the CPU: repetition penalty, suppressed tokens,
 * temperature, top-k, top-p (nucleus) and min-p, applied in that order (the order of Hugging Face's
 * logits processors), then one draw from the seeded {@link Rng} — so a seed fixes the text.
 */
import type { Rng } from '../rng.js';
import { argmax, checkLogits } from './logits.js';

/** How to turn logits into a token; every field is optional and off by default. */
export interface SamplingOptions {
  /** Divides the logits: < 1 sharper, > 1 flatter; 0 means greedy (argmax, no random draw). Default 1. */
  temperature?: number;
  /** Keep only the k most likely tokens (ties: the lower id wins). Must be an integer >= 1. */
  topK?: number;
  /** Keep the smallest set of most likely tokens whose probability reaches p, in (0, 1]. Default 1. */
  topP?: number;
  /** Keep tokens at least `minP` times as likely as the most likely one, in [0, 1]. Default 0. */
  minP?: number;
  /**
   * CTRL's repetition penalty (> 0; 1 is off): each token in `previous` has a positive logit divided
   * by it and a negative one multiplied by it, so values > 1 make repeats less likely.
   */
  repetitionPenalty?: number;
  /** Tokens so far (prompt and/or generated), read by `repetitionPenalty`. */
  previous?: ArrayLike<number>;
  /** Only the last `repetitionWindow` tokens of `previous` are penalised. Default: all. */
  repetitionWindow?: number;
  /** Tokens that must not be chosen (for example pad, or eos before a minimum length). */
  suppressTokens?: ArrayLike<number>;
}

const WHERE = 'sampleToken';

/**
 * Throws a clear error naming the first invalid field of `options`.
 *
 * @example
 * ```ts
 * validateSamplingOptions({ temperature: 0.8, topK: 40 }); // fine
 * validateSamplingOptions({ topP: 1.5 }); // throws: topP must be in (0, 1], got 1.5
 * ```
 */
export function validateSamplingOptions(options: SamplingOptions): void {
  const { temperature, topK, topP, minP, repetitionPenalty, repetitionWindow } = options;
  const num = (x: unknown): x is number => typeof x === 'number' && !Number.isNaN(x);
  if (temperature !== undefined && !(num(temperature) && temperature >= 0 && Number.isFinite(temperature))) {
    throw new Error(`sampling: temperature must be a finite number >= 0 (0 means greedy), got ${temperature}`);
  }
  if (topK !== undefined && !(Number.isInteger(topK) && topK >= 1)) {
    throw new Error(`sampling: topK must be an integer >= 1 (leave it out to keep every token), got ${topK}`);
  }
  if (topP !== undefined && !(num(topP) && topP > 0 && topP <= 1)) {
    throw new Error(`sampling: topP must be in (0, 1] (1 keeps every token), got ${topP}`);
  }
  if (minP !== undefined && !(num(minP) && minP >= 0 && minP <= 1)) {
    throw new Error(`sampling: minP must be in [0, 1] (0 keeps every token), got ${minP}`);
  }
  if (repetitionPenalty !== undefined && !(num(repetitionPenalty) && repetitionPenalty > 0 && Number.isFinite(repetitionPenalty))) {
    throw new Error(`sampling: repetitionPenalty must be a finite number > 0 (1 is no penalty), got ${repetitionPenalty}`);
  }
  if (repetitionWindow !== undefined && !(Number.isInteger(repetitionWindow) && repetitionWindow >= 0)) {
    throw new Error(`sampling: repetitionWindow must be an integer >= 0, got ${repetitionWindow}`);
  }
}

function checkIds(ids: ArrayLike<number>, vocabSize: number, field: string): void {
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    if (!Number.isInteger(id) || id < 0 || id >= vocabSize) {
      throw new Error(`sampling: ${field}[${i}] = ${id} is not a token id of the ${vocabSize}-entry vocabulary the logits cover`);
    }
  }
}

/**
 * Returns a copy of `logits` with CTRL's repetition penalty applied to every distinct token of
 * `previous` (its last `window` tokens when given).
 *
 * @example
 * ```ts
 * applyRepetitionPenalty(new Float32Array([2, -2, 1]), [0, 1, 1], 2); // Float32Array [1, -4, 1]
 * ```
 */
export function applyRepetitionPenalty(logits: ArrayLike<number>, previous: ArrayLike<number>, penalty: number, window?: number): Float32Array {
  validateSamplingOptions({ repetitionPenalty: penalty, repetitionWindow: window });
  checkIds(previous, logits.length, 'previous');
  const out = new Float32Array(logits.length);
  for (let i = 0; i < out.length; i++) out[i] = logits[i]!;
  penalise(out, previous, penalty, window);
  return out;
}

function penalise(x: Float64Array | Float32Array, previous: ArrayLike<number>, penalty: number, window?: number): void {
  if (penalty === 1) return;
  const from = window === undefined ? 0 : Math.max(0, previous.length - window);
  const done = new Set<number>();
  for (let i = from; i < previous.length; i++) {
    const id = previous[i]!;
    if (done.has(id)) continue;
    done.add(id);
    const v = x[id]!;
    x[id] = v > 0 ? v / penalty : v * penalty;
  }
}

/**
 * The logits after every option: excluded tokens are -Infinity, the rest are divided by the
 * temperature (when it is not 1, after subtracting the largest logit, so the largest becomes 0; with
 * temperature 0 only the argmax stays, at 0). `softmax` of the result is the
 * distribution {@link sampleToken} draws from — handy to show it, or to feed a beam search.
 *
 * @example
 * ```ts
 * const shown = softmax(processLogits(logits, { temperature: 0.7, topK: 10 }));
 * ```
 */
export function processLogits(logits: ArrayLike<number>, options: SamplingOptions = {}): Float32Array {
  const x = prepare(logits, options);
  const out = new Float32Array(x.length).fill(-Infinity);
  if ((options.temperature ?? 1) === 0) {
    out[argmax(x)] = 0;
    return out;
  }
  for (const i of keptTokens(x, options)) out[i] = x[i]!;
  return out;
}

/**
 * Draws the next token id from `logits` (one row, one entry per vocabulary token).
 *
 * @example
 * ```ts
 * const rng = new Rng(42);
 * const logits = await model.nextLogits(ids).data() as Float32Array; // [vocabSize]
 * const id = sampleToken(logits, { temperature: 0.8, topK: 40, topP: 0.95, repetitionPenalty: 1.1, previous: ids }, rng);
 * ```
 */
export function sampleToken(logits: ArrayLike<number>, options: SamplingOptions, rng: Pick<Rng, 'categorical'>): number {
  const x = prepare(logits, options);
  if ((options.temperature ?? 1) === 0) return argmax(x);
  const kept = keptTokens(x, options);
  let m = -Infinity;
  for (const i of kept) if (x[i]! > m) m = x[i]!;
  const weights = new Float64Array(kept.length);
  for (let j = 0; j < kept.length; j++) weights[j] = Math.exp(x[kept[j]!]! - m);
  return kept[rng.categorical(weights)]!;
}

/** Validated float64 copy of the logits with the penalty, suppression and temperature applied. */
function prepare(logits: ArrayLike<number>, options: SamplingOptions): Float64Array {
  validateSamplingOptions(options);
  checkLogits(logits, WHERE);
  const x = new Float64Array(logits.length);
  for (let i = 0; i < x.length; i++) x[i] = logits[i]!;
  if (options.previous !== undefined) checkIds(options.previous, x.length, 'previous');
  if (options.repetitionPenalty !== undefined && options.previous !== undefined) {
    penalise(x, options.previous, options.repetitionPenalty, options.repetitionWindow);
  }
  if (options.suppressTokens !== undefined) {
    checkIds(options.suppressTokens, x.length, 'suppressTokens');
    for (let i = 0; i < options.suppressTokens.length; i++) x[options.suppressTokens[i]!] = -Infinity;
    if (x.every((v) => v === -Infinity)) throw new Error(`${WHERE}: suppressTokens excludes every token that was possible; nothing is left to sample`);
  }
  const t = options.temperature ?? 1;
  if (t !== 0 && t !== 1) {
    // Shift before dividing so a tiny temperature cannot overflow to Infinity (softmax is unchanged).
    let m = -Infinity;
    for (let i = 0; i < x.length; i++) if (x[i]! > m) m = x[i]!;
    for (let i = 0; i < x.length; i++) x[i] = (x[i]! - m) / t;
  }
  return x;
}

/**
 * Ids that survive top-k, top-p and min-p, in id order. The cut is found on the values alone
 * (a native numeric sort, fast even for 50k-token vocabularies); then one pass keeps the ids above
 * the cut value and, among ids tied at it, the lower ones.
 */
function keptTokens(x: Float64Array, options: SamplingOptions): Int32Array {
  const { topK, topP = 1, minP = 0 } = options;
  let n = 0;
  const values = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) if (x[i]! !== -Infinity) values[n++] = x[i]!;
  let end = n; // how many tokens to keep, most likely first
  if ((topK !== undefined && topK < n) || topP < 1 || minP > 0) {
    const desc = values.subarray(0, n).sort().reverse();
    if (topK !== undefined && topK < end) end = topK;
    if (topP < 1 || minP > 0) {
      const m = desc[0]!;
      const w = new Float64Array(end);
      let total = 0;
      for (let j = 0; j < end; j++) total += w[j] = Math.exp(desc[j]! - m);
      if (topP < 1) {
        // The smallest prefix whose mass reaches p (a relative epsilon absorbs rounding in the sum).
        let mass = 0;
        for (let j = 0; j < end; j++) {
          mass += w[j]! / total;
          if (mass >= topP * (1 - 1e-12)) {
            end = j + 1;
            break;
          }
        }
      }
      if (minP > 0) {
        // w[0] = 1 is the most likely token's weight.
        let j = 1;
        while (j < end && w[j]! >= minP) j++;
        end = j;
      }
    }
    const cut = desc[end - 1]!;
    let above = 0;
    for (let j = 0; j < end; j++) if (desc[j]! > cut) above++;
    let ties = end - above;
    const kept = new Int32Array(end);
    let k = 0;
    for (let i = 0; i < x.length && k < end; i++) {
      if (x[i]! > cut || (x[i]! === cut && ties-- > 0)) kept[k++] = i;
    }
    return kept;
  }
  const kept = new Int32Array(n);
  let k = 0;
  for (let i = 0; i < x.length; i++) if (x[i]! !== -Infinity) kept[k++] = i;
  return kept;
}

/** Options of {@link TokenSampler}: {@link SamplingOptions} plus a minimum length. */
export interface TokenSamplerOptions extends Omit<SamplingOptions, 'previous'> {
  /** eos cannot be chosen before this many tokens were generated (needs `eosId`). Default 0. */
  minTokens?: number;
  /** The end-of-sequence id, for `minTokens`. */
  eosId?: number;
}

/**
 * A generation loop's sampler: keeps the tokens seen so far (for the repetition penalty) and counts
 * the generated ones (for `minTokens`).
 *
 * @example
 * ```ts
 * const sampler = new TokenSampler({ temperature: 0.8, topP: 0.95, repetitionPenalty: 1.2, minTokens: 10, eosId }, new Rng(7));
 * sampler.reset(promptIds);
 * for (let step = 0; step < 200; step++) {
 *   const logits = (await model.nextLogits(ids).data()) as Float32Array;
 *   const id = sampler.next(logits);
 *   if (id === eosId) break;
 * }
 * ```
 */
export class TokenSampler {
  private history: number[] = [];
  private generatedCount = 0;

  constructor(
    readonly options: TokenSamplerOptions,
    private readonly rng: Pick<Rng, 'categorical'>,
  ) {
    validateSamplingOptions(options);
    const { minTokens = 0, eosId } = options;
    if (!Number.isInteger(minTokens) || minTokens < 0) throw new Error(`TokenSampler: minTokens must be an integer >= 0, got ${minTokens}`);
    if (minTokens > 0 && !(Number.isInteger(eosId) && eosId! >= 0)) throw new Error('TokenSampler: minTokens needs eosId (the id whose choice it delays)');
  }

  /** Starts a new sequence; `prompt` tokens count for the repetition penalty. @example `sampler.reset(promptIds)` */
  reset(prompt: ArrayLike<number> = []): void {
    this.history = Array.from(prompt);
    this.generatedCount = 0;
  }

  /** Tokens generated since the last reset. @example `sampler.generated.length` */
  get generated(): number[] {
    return this.history.slice(this.history.length - this.generatedCount);
  }

  /** Chooses the next token and records it. @example `const id = sampler.next(logits)` */
  next(logits: ArrayLike<number>): number {
    const { minTokens = 0, eosId, suppressTokens, ...rest } = this.options;
    let suppress = suppressTokens;
    if (this.generatedCount < minTokens) suppress = [...Array.from(suppressTokens ?? []), eosId!];
    const id = sampleToken(logits, { ...rest, suppressTokens: suppress, previous: this.history }, this.rng);
    this.history.push(id);
    this.generatedCount++;
    return id;
  }
}

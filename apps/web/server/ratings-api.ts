/**
 * The rating API: `POST /api/ratings` stores one pairwise preference or one real-or-generated
 * judgement through @genloom/eval's SQLite rating store (prepared statements); `GET /api/elo`
 * returns the current Elo and Bradley–Terry scores per checkpoint and how often each one's samples
 * passed as real. Payloads are checked here field by field (known keys only, bounded strings,
 * checkpoints the site serves) before the store checks them again.
 */
import type { IncomingMessage } from 'node:http';
import { RatingStore, type JudgementInput, type PreferenceInput } from '@genloom/eval/ratings';

/** Largest accepted request body. A rating is a few hundred bytes. */
export const MAX_BODY_BYTES = 16 * 1024;

/** An HTTP error with its status code, turned into a JSON answer by the server. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Reads a request body of at most `limit` bytes; a longer one is refused with 413 as soon as it
 * passes the limit (the rest is not buffered).
 */
export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  return new Promise((resolvePromise, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      reject(new HttpError(413, `request body of ${declared} bytes is over the ${limit}-byte limit`));
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > limit) {
        done = true;
        reject(new HttpError(413, `request body is over the ${limit}-byte limit`));
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!done) {
        done = true;
        resolvePromise(Buffer.concat(chunks));
      }
    });
    req.on('error', (err) => {
      if (!done) {
        done = true;
        reject(err);
      }
    });
  });
}

const RATER = /^[A-Za-z0-9_-]{1,64}$/;
const SAMPLE = /^[A-Za-z0-9_.:=,+-]{1,200}$/;
const PROMPT_MAX = 200;

function onlyKeys(obj: Record<string, unknown>, allowed: readonly string[], where: string): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) throw new HttpError(400, `${where}: unknown field "${key}"; allowed: ${allowed.join(', ')}`);
  }
}

function record(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new HttpError(400, `${where} must be a JSON object`);
  return value as Record<string, unknown>;
}

function matching(value: unknown, pattern: RegExp, field: string, what: string): string {
  if (typeof value !== 'string' || !pattern.test(value)) throw new HttpError(400, `${field} must be ${what}, got ${JSON.stringify(value)?.slice(0, 80)}`);
  return value;
}

/** A validated rating, ready for the store. */
export type RatingPayload = { kind: 'preference'; preference: PreferenceInput } | { kind: 'judgement'; judgement: JudgementInput };

/**
 * Validates a parsed rating body against the checkpoints the site serves.
 *
 * @example
 * ```ts
 * parseRating({ kind: 'judgement', rater: 'web-1', sample: 'mnist-test:7', checkpoint: null, judgedReal: true }, new Set(['vae-mnist']));
 * ```
 */
export function parseRating(body: unknown, checkpoints: ReadonlySet<string>): RatingPayload {
  const obj = record(body, 'rating');
  const checkpoint = (value: unknown, field: string): string => {
    if (typeof value !== 'string' || !checkpoints.has(value)) {
      throw new HttpError(400, `${field} must name a checkpoint this site serves (${[...checkpoints].join(', ') || 'none'}), got ${JSON.stringify(value)?.slice(0, 80)}`);
    }
    return value;
  };
  const rater = () => matching(obj.rater, RATER, 'rater', '1-64 letters, digits, "_" or "-"');
  if (obj.kind === 'preference') {
    onlyKeys(obj, ['kind', 'rater', 'left', 'right', 'winner', 'prompt'], 'preference');
    const side = (value: unknown, field: string) => {
      const ref = record(value, field);
      onlyKeys(ref, ['checkpoint', 'sample'], field);
      return { checkpoint: checkpoint(ref.checkpoint, `${field}.checkpoint`), sample: matching(ref.sample, SAMPLE, `${field}.sample`, 'a sample id (1-200 of A-Z a-z 0-9 _ . : = , + -)') };
    };
    const left = side(obj.left, 'left');
    const right = side(obj.right, 'right');
    if (left.checkpoint === right.checkpoint) throw new HttpError(400, `left and right come from the same checkpoint "${left.checkpoint}"; a preference compares two`);
    if (obj.winner !== 'left' && obj.winner !== 'right' && obj.winner !== 'tie') throw new HttpError(400, `winner must be "left", "right" or "tie", got ${JSON.stringify(obj.winner)?.slice(0, 40)}`);
    let prompt: string | null = null;
    if (obj.prompt !== undefined && obj.prompt !== null) {
      if (typeof obj.prompt !== 'string' || obj.prompt.length > PROMPT_MAX) throw new HttpError(400, `prompt must be a string of at most ${PROMPT_MAX} characters`);
      prompt = obj.prompt;
    }
    return { kind: 'preference', preference: { rater: rater(), left, right, winner: obj.winner, prompt } };
  }
  if (obj.kind === 'judgement') {
    onlyKeys(obj, ['kind', 'rater', 'sample', 'checkpoint', 'judgedReal', 'confidence'], 'judgement');
    const ckpt = obj.checkpoint === null ? null : checkpoint(obj.checkpoint, 'checkpoint (null for a real sample)');
    if (typeof obj.judgedReal !== 'boolean') throw new HttpError(400, `judgedReal must be true or false, got ${JSON.stringify(obj.judgedReal)?.slice(0, 40)}`);
    const c = obj.confidence;
    if (c !== undefined && c !== null && !(typeof c === 'number' && c >= 0 && c <= 1)) throw new HttpError(400, `confidence must be a number in [0, 1] or null, got ${JSON.stringify(c)?.slice(0, 40)}`);
    return {
      kind: 'judgement',
      judgement: { rater: rater(), sample: matching(obj.sample, SAMPLE, 'sample', 'a sample id (1-200 of A-Z a-z 0-9 _ . : = , + -)'), checkpoint: ckpt, judgedReal: obj.judgedReal, confidence: (c as number | null | undefined) ?? null },
    };
  }
  throw new HttpError(400, `kind must be "preference" or "judgement", got ${JSON.stringify(obj.kind)?.slice(0, 40)}`);
}

/** Stores a validated rating; returns its row id. */
export function storeRating(store: RatingStore, rating: RatingPayload): number {
  return rating.kind === 'preference' ? store.addPreference(rating.preference) : store.addJudgement(rating.judgement);
}

/** The scores the Rate page shows: Elo, Bradley–Terry, realism and the number of ratings. */
export function ratingScores(store: RatingStore): Record<string, unknown> {
  const summary = store.summary();
  return {
    elo: summary.elo,
    bradleyTerry: summary.bradleyTerry,
    realism: summary.realism,
    counts: { preferences: store.preferences().length, judgements: store.judgements().length },
  };
}

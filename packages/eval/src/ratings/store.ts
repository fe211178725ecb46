/**
 * The human rating store: pairwise preferences between samples of two checkpoints and
 * real-or-generated judgements of single samples, kept in SQLite (better-sqlite3). Every write is a
 * prepared statement with bound parameters; rows are validated first and rejected with an error
 * naming the bad field, and the schema's CHECK constraints guard the same rules.
 */
import Database from 'better-sqlite3';
import { bradleyTerry, elo, fleissKappa, pairwiseAgreement, type BradleyTerryScore, type Comparison } from './scores.js';

/** A sample shown to a rater: which checkpoint made it and its id (a seed, a hash, a file name). */
export interface SampleRef {
  checkpoint: string;
  sample: string;
}

/** A pairwise preference: the rater saw two samples and picked one (or called it a tie). */
export interface PreferenceInput {
  rater: string;
  left: SampleRef;
  right: SampleRef;
  winner: 'left' | 'right' | 'tie';
  /** The prompt or label both samples were made for, if any. */
  prompt?: string | null;
  /** When the judgement was made (default now). */
  at?: Date | string;
}

/** A real-or-generated judgement of one sample. */
export interface JudgementInput {
  rater: string;
  sample: string;
  /** The checkpoint that generated the sample, or null for a real sample. */
  checkpoint: string | null;
  /** What the rater said: true = "this is real". */
  judgedReal: boolean;
  /** The rater's confidence in [0, 1], if asked. */
  confidence?: number | null;
  at?: Date | string;
}

/** A stored preference. */
export interface PreferenceRow extends Required<Omit<PreferenceInput, 'at'>> {
  id: number;
  at: string;
}

/** A stored judgement. */
export interface JudgementRow extends Required<Omit<JudgementInput, 'at'>> {
  id: number;
  at: string;
}

/** How often a checkpoint's samples passed as real. */
export interface RealismScore {
  judgements: number;
  /** Share of its samples judged real (the "fooling rate"; real data's own rate is the ceiling). */
  judgedRealRate: number;
}

/** Everything the store can say about the checkpoints. */
export interface RatingSummary {
  bradleyTerry: Record<string, BradleyTerryScore>;
  elo: Record<string, number>;
  /** Per checkpoint, plus `real` for the real samples. */
  realism: Record<string, RealismScore>;
  agreement: {
    /** Agreement on pairwise preferences over the same pair of samples. */
    preferences: { items: number; pairwiseAgreement: number; fleissKappa: number };
    /** Agreement on real-or-generated judgements of the same sample. */
    judgements: { items: number; pairwiseAgreement: number; fleissKappa: number };
  };
}

const SCHEMA_VERSION = 1;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS genloom_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS preferences (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  rater TEXT NOT NULL CHECK (length(rater) > 0),
  at TEXT NOT NULL,
  left_checkpoint TEXT NOT NULL CHECK (length(left_checkpoint) > 0),
  left_sample TEXT NOT NULL CHECK (length(left_sample) > 0),
  right_checkpoint TEXT NOT NULL CHECK (length(right_checkpoint) > 0),
  right_sample TEXT NOT NULL CHECK (length(right_sample) > 0),
  winner TEXT NOT NULL CHECK (winner IN ('left', 'right', 'tie')),
  prompt TEXT,
  CHECK (left_checkpoint <> right_checkpoint)
);
CREATE INDEX IF NOT EXISTS preferences_by_rater ON preferences (rater);
CREATE TABLE IF NOT EXISTS judgements (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  rater TEXT NOT NULL CHECK (length(rater) > 0),
  at TEXT NOT NULL,
  sample TEXT NOT NULL CHECK (length(sample) > 0),
  checkpoint TEXT CHECK (checkpoint IS NULL OR length(checkpoint) > 0),
  judged_real INTEGER NOT NULL CHECK (judged_real IN (0, 1)),
  confidence REAL CHECK (confidence IS NULL OR (confidence >= 0 AND confidence <= 1))
);
CREATE INDEX IF NOT EXISTS judgements_by_sample ON judgements (sample);
`;

function nonEmpty(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim().length === 0) throw new Error(`rating rejected: ${field} must be a non-empty string, got ${JSON.stringify(value)}`);
  if (value.length > 1000) throw new Error(`rating rejected: ${field} is ${value.length} characters long; at most 1000 are allowed`);
  return value;
}

function timestamp(at: Date | string | undefined, field = 'at'): string {
  if (at === undefined) return new Date().toISOString();
  const d = at instanceof Date ? at : new Date(at);
  if (Number.isNaN(d.getTime())) throw new Error(`rating rejected: ${field} must be a Date or an ISO date string, got ${JSON.stringify(at)}`);
  return d.toISOString();
}

function sampleRef(ref: unknown, field: string): SampleRef {
  if (typeof ref !== 'object' || ref === null) throw new Error(`rating rejected: ${field} must be { checkpoint, sample }, got ${JSON.stringify(ref)}`);
  const r = ref as SampleRef;
  return { checkpoint: nonEmpty(r.checkpoint, `${field}.checkpoint`), sample: nonEmpty(r.sample, `${field}.sample`) };
}

/**
 * A SQLite rating store. Open one file per project (the demo site and the CLI share it); use
 * `':memory:'` for tests.
 *
 * @example
 * ```ts
 * import { RatingStore } from '@genloom/eval/ratings';
 * const store = RatingStore.open('ratings.sqlite');
 * store.addPreference({ rater: 'ana', left: { checkpoint: 'vae-3k', sample: 's1' }, right: { checkpoint: 'gan-5k', sample: 's9' }, winner: 'right' });
 * store.addJudgement({ rater: 'ana', sample: 's9', checkpoint: 'gan-5k', judgedReal: true });
 * console.log(store.summary().bradleyTerry);
 * store.close();
 * ```
 */
export class RatingStore {
  private readonly insertPreference: Database.Statement;
  private readonly insertJudgement: Database.Statement;
  private readonly selectPreferences: Database.Statement;
  private readonly selectJudgements: Database.Statement;

  private constructor(private readonly db: Database.Database) {
    this.insertPreference = db.prepare(
      `INSERT INTO preferences (rater, at, left_checkpoint, left_sample, right_checkpoint, right_sample, winner, prompt)
       VALUES (@rater, @at, @leftCheckpoint, @leftSample, @rightCheckpoint, @rightSample, @winner, @prompt)`,
    );
    this.insertJudgement = db.prepare(
      `INSERT INTO judgements (rater, at, sample, checkpoint, judged_real, confidence)
       VALUES (@rater, @at, @sample, @checkpoint, @judgedReal, @confidence)`,
    );
    this.selectPreferences = db.prepare(
      `SELECT id, rater, at, left_checkpoint, left_sample, right_checkpoint, right_sample, winner, prompt FROM preferences
       WHERE (@rater IS NULL OR rater = @rater) AND (@checkpoint IS NULL OR left_checkpoint = @checkpoint OR right_checkpoint = @checkpoint)
       ORDER BY id`,
    );
    this.selectJudgements = db.prepare(
      `SELECT id, rater, at, sample, checkpoint, judged_real, confidence FROM judgements
       WHERE (@rater IS NULL OR rater = @rater) AND (@checkpoint IS NULL OR checkpoint = @checkpoint)
       ORDER BY id`,
    );
  }

  /**
   * Opens (creating if needed) a rating database and its schema.
   *
   * @example
   * ```ts
   * const store = RatingStore.open(':memory:');
   * ```
   */
  static open(path: string): RatingStore {
    const db = new Database(path);
    try {
      if (path !== ':memory:') db.pragma('journal_mode = WAL');
      db.pragma('foreign_keys = ON');
      db.exec(SCHEMA);
      const row = db.prepare('SELECT value FROM genloom_meta WHERE key = ?').get('schemaVersion') as { value: string } | undefined;
      if (!row) db.prepare('INSERT INTO genloom_meta (key, value) VALUES (?, ?)').run('schemaVersion', String(SCHEMA_VERSION));
      else if (Number(row.value) > SCHEMA_VERSION) {
        throw new Error(`rating database ${path} has schema version ${row.value}; this @genloom/eval reads up to ${SCHEMA_VERSION}. Upgrade @genloom/eval.`);
      }
    } catch (err) {
      db.close();
      throw err;
    }
    return new RatingStore(db);
  }

  private preferenceParams(p: PreferenceInput) {
    if (typeof p !== 'object' || p === null) throw new Error(`rating rejected: a preference must be an object, got ${JSON.stringify(p)}`);
    const left = sampleRef(p.left, 'left');
    const right = sampleRef(p.right, 'right');
    if (left.checkpoint === right.checkpoint) throw new Error(`rating rejected: left and right come from the same checkpoint "${left.checkpoint}"; a preference compares two checkpoints`);
    if (!['left', 'right', 'tie'].includes(p.winner)) throw new Error(`rating rejected: winner must be "left", "right" or "tie", got ${JSON.stringify(p.winner)}`);
    if (p.prompt !== undefined && p.prompt !== null && typeof p.prompt !== 'string') throw new Error(`rating rejected: prompt must be a string or null, got ${JSON.stringify(p.prompt)}`);
    return {
      rater: nonEmpty(p.rater, 'rater'),
      at: timestamp(p.at),
      leftCheckpoint: left.checkpoint,
      leftSample: left.sample,
      rightCheckpoint: right.checkpoint,
      rightSample: right.sample,
      winner: p.winner,
      prompt: p.prompt ?? null,
    };
  }

  private judgementParams(j: JudgementInput) {
    if (typeof j !== 'object' || j === null) throw new Error(`rating rejected: a judgement must be an object, got ${JSON.stringify(j)}`);
    if (j.checkpoint !== null) nonEmpty(j.checkpoint, 'checkpoint (null for a real sample)');
    if (typeof j.judgedReal !== 'boolean') throw new Error(`rating rejected: judgedReal must be true or false, got ${JSON.stringify(j.judgedReal)}`);
    const c = j.confidence;
    if (c !== undefined && c !== null && !(typeof c === 'number' && c >= 0 && c <= 1)) throw new Error(`rating rejected: confidence must be a number in [0, 1] or null, got ${JSON.stringify(c)}`);
    return {
      rater: nonEmpty(j.rater, 'rater'),
      at: timestamp(j.at),
      sample: nonEmpty(j.sample, 'sample'),
      checkpoint: j.checkpoint,
      judgedReal: j.judgedReal ? 1 : 0,
      confidence: c ?? null,
    };
  }

  /**
   * Stores one pairwise preference and returns its id.
   *
   * @example
   * ```ts
   * store.addPreference({ rater: 'ana', left: { checkpoint: 'a', sample: '1' }, right: { checkpoint: 'b', sample: '2' }, winner: 'tie' });
   * ```
   */
  addPreference(p: PreferenceInput): number {
    return Number(this.insertPreference.run(this.preferenceParams(p)).lastInsertRowid);
  }

  /**
   * Stores one real-or-generated judgement and returns its id.
   *
   * @example
   * ```ts
   * store.addJudgement({ rater: 'ana', sample: 'test-17', checkpoint: null, judgedReal: true });
   * ```
   */
  addJudgement(j: JudgementInput): number {
    return Number(this.insertJudgement.run(this.judgementParams(j)).lastInsertRowid);
  }

  /**
   * Stores many ratings in one transaction: all of them, or (on the first bad row) none.
   *
   * @example
   * ```ts
   * store.addMany({ preferences: [...], judgements: [...] });
   * ```
   */
  addMany(rows: { preferences?: PreferenceInput[]; judgements?: JudgementInput[] }): void {
    const prefs = (rows.preferences ?? []).map((p, i) => this.withIndex(() => this.preferenceParams(p), 'preferences', i));
    const judgements = (rows.judgements ?? []).map((j, i) => this.withIndex(() => this.judgementParams(j), 'judgements', i));
    this.db.transaction(() => {
      for (const p of prefs) this.insertPreference.run(p);
      for (const j of judgements) this.insertJudgement.run(j);
    })();
  }

  private withIndex<T>(fn: () => T, list: string, i: number): T {
    try {
      return fn();
    } catch (err) {
      throw new Error(`${list}[${i}]: ${(err as Error).message}`);
    }
  }

  /**
   * Stored preferences, oldest first, optionally of one rater or involving one checkpoint.
   *
   * @example
   * ```ts
   * store.preferences({ checkpoint: 'vae-3k' }).length;
   * ```
   */
  preferences(filter: { rater?: string; checkpoint?: string } = {}): PreferenceRow[] {
    const rows = this.selectPreferences.all({ rater: filter.rater ?? null, checkpoint: filter.checkpoint ?? null }) as Array<Record<string, unknown>>;
    return rows.map((r) => ({
      id: r.id as number,
      rater: r.rater as string,
      at: r.at as string,
      left: { checkpoint: r.left_checkpoint as string, sample: r.left_sample as string },
      right: { checkpoint: r.right_checkpoint as string, sample: r.right_sample as string },
      winner: r.winner as PreferenceRow['winner'],
      prompt: (r.prompt as string | null) ?? null,
    }));
  }

  /**
   * Stored judgements, oldest first, optionally of one rater or one checkpoint.
   *
   * @example
   * ```ts
   * store.judgements({ rater: 'ana' });
   * ```
   */
  judgements(filter: { rater?: string; checkpoint?: string } = {}): JudgementRow[] {
    const rows = this.selectJudgements.all({ rater: filter.rater ?? null, checkpoint: filter.checkpoint ?? null }) as Array<Record<string, unknown>>;
    return rows.map((r) => ({
      id: r.id as number,
      rater: r.rater as string,
      at: r.at as string,
      sample: r.sample as string,
      checkpoint: (r.checkpoint as string | null) ?? null,
      judgedReal: r.judged_real === 1,
      confidence: (r.confidence as number | null) ?? null,
    }));
  }

  /**
   * The preferences as checkpoint-level comparisons, for {@link bradleyTerry} and {@link elo}.
   *
   * @example
   * ```ts
   * bradleyTerry(store.comparisons());
   * ```
   */
  comparisons(): Comparison[] {
    return this.preferences().map((p) => ({ a: p.left.checkpoint, b: p.right.checkpoint, outcome: p.winner === 'left' ? 1 : p.winner === 'right' ? 0 : 0.5 }));
  }

  /**
   * Bradley–Terry and Elo scores per checkpoint, realism (share judged real) per checkpoint and for
   * real samples, and how much raters agree.
   *
   * @example
   * ```ts
   * const { bradleyTerry, realism, agreement } = store.summary();
   * ```
   */
  summary(opts: { eloShuffles?: number } = {}): RatingSummary {
    const comparisons = this.comparisons();
    const prefs = this.preferences();
    const judgements = this.judgements();
    const realism: Record<string, RealismScore> = {};
    const tally = new Map<string, [number, number]>();
    for (const j of judgements) {
      const key = j.checkpoint ?? 'real';
      const t = tally.get(key) ?? [0, 0];
      t[0]++;
      if (j.judgedReal) t[1]++;
      tally.set(key, t);
    }
    for (const [key, [n, real]] of tally) realism[key] = { judgements: n, judgedRealRate: real / n };
    // Preference items: the same two samples shown in either order. Labels are relative to the item
    // (the first or second sample in a canonical order, or a tie), so kappa's categories are shared.
    const prefItems = new Map<string, string[]>();
    for (const p of prefs) {
      const leftKey = `${p.left.checkpoint}\u0000${p.left.sample}`;
      const rightKey = `${p.right.checkpoint}\u0000${p.right.sample}`;
      const leftFirst = leftKey < rightKey;
      const key = leftFirst ? `${leftKey}\u0001${rightKey}` : `${rightKey}\u0001${leftKey}`;
      const label = p.winner === 'tie' ? 'tie' : (p.winner === 'left') === leftFirst ? 'first' : 'second';
      prefItems.set(key, [...(prefItems.get(key) ?? []), label]);
    }
    const judgeItems = new Map<string, string[]>();
    for (const j of judgements) judgeItems.set(j.sample, [...(judgeItems.get(j.sample) ?? []), j.judgedReal ? 'real' : 'fake']);
    const agreementOf = (items: Map<string, string[]>) => {
      const multi = [...items.values()].filter((labels) => labels.length >= 2);
      const categories = [...new Set(multi.flat())];
      const table = multi.map((labels) => categories.map((c) => labels.filter((l) => l === c).length));
      return {
        items: multi.length,
        pairwiseAgreement: pairwiseAgreement(multi),
        fleissKappa: multi.length > 0 && categories.length > 1 ? fleissKappa(table) : NaN,
      };
    };
    return {
      bradleyTerry: comparisons.length > 0 ? bradleyTerry(comparisons) : {},
      elo: comparisons.length > 0 ? elo(comparisons, { shuffles: opts.eloShuffles ?? 50 }) : {},
      realism,
      agreement: { preferences: agreementOf(prefItems), judgements: agreementOf(judgeItems) },
    };
  }

  /** Closes the database. @example `store.close()` */
  close(): void {
    this.db.close();
  }
}

/**
 * Node-only parts of @genloom/core: checkpoints in a directory (written atomically) and a terminal
 * progress bar. Import from `@genloom/core/node`; the main entry stays browser-safe.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { access, appendFile, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import cliProgress from 'cli-progress';
import type { CheckpointReader, CheckpointWriter } from './checkpoint/store.js';
import type { Callback } from './train/callbacks.js';
import type { TrialRecord, TuneJournal } from './tune/tune.js';

/**
 * A checkpoint directory on disk. `writeAll` writes every file into a temporary sibling folder and
 * renames it into place, so a process killed mid-write never leaves a half-written checkpoint.
 *
 * @example
 * ```ts
 * const store = directoryCheckpointStore('runs/vae');
 * await saveModel(model, store.writer);
 * const { model: again } = await loadCheckpoint(store.reader);
 * ```
 */
export function directoryCheckpointStore(dir: string): { reader: CheckpointReader; writer: CheckpointWriter } {
  const root = resolve(dir);
  const reader: CheckpointReader = {
    location: root,
    readText: async (name) => readFile(join(root, name), 'utf8'),
    readBytes: async (name) => new Uint8Array(await readFile(join(root, name))),
    has: async (name) => {
      try {
        await access(join(root, name));
        return true;
      } catch {
        return false;
      }
    },
  };
  const writer: CheckpointWriter = {
    location: root,
    writeAll: async (files) => {
      const parent = dirname(root);
      await mkdir(parent, { recursive: true });
      const tag = `${process.pid}-${randomBytes(4).toString('hex')}`;
      const tmp = join(parent, `.${basename(root)}.tmp-${tag}`);
      const old = join(parent, `.${basename(root)}.old-${tag}`);
      await mkdir(tmp, { recursive: true });
      try {
        for (const [name, content] of Object.entries(files)) await writeFile(join(tmp, name), content);
        if (existsSync(root)) await rename(root, old);
        await rename(tmp, root);
      } catch (err) {
        await rm(tmp, { recursive: true, force: true });
        throw err;
      }
      await rm(old, { recursive: true, force: true });
    },
  };
  return { reader, writer };
}

/**
 * A terminal progress bar with losses, steps/s and ETA (cli-progress). On a non-TTY stream it
 * prints nothing; use `jsonLines` there.
 *
 * @example
 * ```ts
 * await train(model, data, { steps: 2000, callbacks: [progressBar()] });
 * ```
 */
export function progressBar(opts: { stream?: NodeJS.WriteStream; show?: string[] } = {}): Callback {
  const stream = opts.stream ?? process.stderr;
  if (!stream.isTTY) return {};
  let bar: cliProgress.SingleBar | null = null;
  const fmt = (losses: Record<string, number>) =>
    Object.entries(losses)
      .filter(([k]) => !opts.show || opts.show.includes(k))
      .slice(0, 4)
      .map(([k, v]) => `${k} ${v.toPrecision(4)}`)
      .join(' ');
  return {
    onTrainBegin: ({ startStep, totalSteps }) => {
      bar = new cliProgress.SingleBar(
        { stream, format: '{bar} {value}/{total} | {losses} | {sps} steps/s | ETA {eta_formatted}', hideCursor: true, etaBuffer: 50 },
        cliProgress.Presets.shades_classic,
      );
      bar.start(totalSteps, startStep, { losses: '', sps: '0' });
    },
    onStepEnd: (e) => {
      bar?.update(e.step, { losses: fmt(e.losses), sps: e.stepsPerSecond.toFixed(2) });
    },
    onTrainEnd: () => {
      bar?.stop();
      bar = null;
    },
  };
}

/**
 * A tuning journal in a JSON-lines file: each finished trial is appended as one line, so a killed
 * `tune` run restarts where it stopped.
 *
 * @example
 * ```ts
 * await tune(space, runTrial, { trials: 27, budget: 2000, journal: fileTuneJournal('runs/tune/journal.jsonl') });
 * ```
 */
export function fileTuneJournal(path: string): TuneJournal {
  return {
    load: async () => {
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch {
        return [];
      }
      // A line cut off by a kill is dropped; every complete line is a finished trial.
      return text.split('\n').flatMap((line) => {
        try {
          return line.trim() ? [JSON.parse(line) as TrialRecord] : [];
        } catch {
          return [];
        }
      });
    },
    append: async (record) => {
      await mkdir(dirname(resolve(path)), { recursive: true });
      await appendFile(path, `${JSON.stringify(record)}\n`);
    },
  };
}

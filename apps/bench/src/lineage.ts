import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { readManifest } from '@genloom/core';
import { directoryCheckpointStore } from '@genloom/core/node';

/**
 * Steps and training seconds of a checkpoint, counting the runs it continued from: a `demo.json`
 * beside it (written by `pnpm demo:train`) has the totals; otherwise the checkpoint's own steps plus
 * those of its `provenance.parent`, followed while the parent folder exists (seconds only from
 * demo.json files, else NaN).
 *
 * @example
 * ```ts
 * await trainingLineage('apps/web/checkpoints/gan-acgan-mnist'); // { steps: 6000, seconds: 3378 }
 * ```
 */
export async function trainingLineage(dir: string, seen = new Set<string>()): Promise<{ steps: number; seconds: number }> {
  const demo = await readFile(join(dir, 'demo.json'), 'utf8').then((t) => JSON.parse(t) as { steps?: number; trainSeconds?: number }, () => null);
  if (demo?.steps !== undefined) return { steps: demo.steps, seconds: demo.trainSeconds ?? NaN };
  const manifest = await readManifest(directoryCheckpointStore(dir).reader);
  const own = { steps: manifest.provenance.steps ?? NaN, seconds: NaN };
  const parent = manifest.provenance.parent;
  seen.add(resolve(dir));
  if (!parent || seen.has(resolve(parent)) || !existsSync(join(parent, 'genloom.json'))) return own;
  const before = await trainingLineage(parent, seen);
  return { steps: own.steps + before.steps, seconds: own.seconds + before.seconds };
}

/**
 * The note under a page's checkpoint picker: what the model is, the metrics the CLI recorded after
 * training, how long it trained, and the exact command that trained it (from `demo.json`, else the
 * checkpoint's provenance).
 */
import type { SiteCheckpoint } from '../api.js';
import { append, fmt, h } from '../dom.js';

/**
 * Fills `note` with a description of the model and its checkpoint's metrics, budget and command.
 * Throughput metrics (`…PerSecond`) are left out: they describe the training machine, not the model.
 *
 * @example
 * ```ts
 * showCheckpoint(info, entry, 'DCGAN generator, latent 64');
 * // DCGAN generator, latent 64. After 2000 steps (812 s, seed 1): dReal 0.61, … — pnpm genloom train gan …
 * ```
 */
export function showCheckpoint(note: HTMLElement, entry: SiteCheckpoint, description: string): void {
  const demo = entry.demo ?? {};
  const metrics = Object.entries(entry.metrics).filter(([k, v]) => !/PerSecond$/.test(k) && typeof v === 'number');
  const steps = (demo.steps as number | undefined) ?? (entry.provenance.steps as number | undefined);
  const seconds = demo.trainSeconds as number | undefined;
  const seed = entry.provenance.seed as number | undefined;
  const budget = [seconds === undefined ? null : `${fmt(seconds, 3)} s`, seed === undefined ? null : `seed ${seed}`].filter(Boolean).join(', ');
  const command = String(demo.command ?? entry.provenance.command ?? '');
  note.replaceChildren();
  note.dataset.checkpoint = entry.name;
  append(
    note,
    `${description}. After ${fmt(steps)} steps${budget ? ` (${budget})` : ''}: `,
    h('span', { class: 'metrics' }, metrics.map(([k, v]) => `${k} ${fmt(v)}`).join(', ') || 'no metrics recorded'),
    '.',
    command ? h('br') : null,
    command ? h('code', { class: 'command' }, command.startsWith('pnpm ') ? command : `pnpm ${command}`) : null,
  );
}

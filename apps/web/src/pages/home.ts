/** Home: what the site is, the backend tfjs runs on (and why the others were passed over), and every checkpoint with its metrics and provenance. */
import type { SiteCheckpoint } from '../api.js';
import { backend } from '../backend.js';
import { fmt, h } from '../dom.js';

const PAGE_OF: Record<string, string> = { vae: 'vae', transformer: 'transformer', 'rnn-lm': 'rnn-lm', gan: 'gan', diffusion: 'diffusion', seq2seq: 'g2p' };

export async function render(root: HTMLElement, list: SiteCheckpoint[]): Promise<void> {
  root.append(
    h('h1', {}, 'Generative models, trained here, running in your browser'),
    h(
      'p',
      { class: 'lead' },
      'genloom is a TypeScript toolkit for variational autoencoders, GANs, diffusion models and recurrent and transformer language models and sequence-to-sequence transformers on TensorFlow.js. Each page below loads a checkpoint this project trained with its own command line and runs it in this tab — nothing is sent to a server except the ratings you choose to give.',
    ),
  );

  const backendBox = h('section', { class: 'card', id: 'backend-details' }, h('h2', {}, 'Backend'), h('p', { class: 'status' }, 'starting…'));
  root.append(backendBox);
  backend().then(
    (info) => {
      backendBox.replaceChildren(
        h('h2', {}, 'Backend'),
        h('p', {}, 'TensorFlow.js runs on ', h('strong', { 'data-testid': 'backend-name' }, info.backend), ` (tfjs ${info.tfjsVersion}${info.wasm ? `, ${info.threads} thread${info.threads === 1 ? '' : 's'}${info.wasm.simd ? ', SIMD' : ''}` : ''}). Add `, h('code', {}, '?backend=wasm'), ' (or webgl, webgpu, cpu) to the address to force one.'),
        h('p', { class: 'note', id: 'backend-note' }, info.siteNote ?? ''),
        h('table', {}, h('thead', {}, h('tr', {}, h('th', {}, 'candidate'), h('th', {}, 'status'), h('th', {}, 'why'))), h('tbody', {}, ...info.candidates.map((c) => h('tr', { class: c.status, 'data-candidate': c.name }, h('td', {}, c.name), h('td', {}, c.status), h('td', {}, c.reason))))),
      );
    },
    (err: unknown) => backendBox.append(h('p', { class: 'status error' }, `Error: ${(err as Error).message}`)),
  );

  const rows = list.map((c) => {
    const demo = c.demo ?? {};
    const metrics = Object.entries(c.metrics).filter(([k]) => !/PerSecond$/.test(k));
    return h(
      'tr',
      {},
      h('td', {}, PAGE_OF[c.family] ? h('a', { href: `#/${PAGE_OF[c.family]}` }, c.name) : c.name),
      h('td', {}, c.title),
      h('td', {}, metrics.map(([k, v]) => `${k} ${fmt(v)}`).join(', ') || '—'),
      h('td', {}, `${fmt((demo.steps as number | undefined) ?? (c.provenance.steps as number | undefined))} steps, ${fmt(demo.trainSeconds as number | undefined, 3)} s, seed ${fmt(c.provenance.seed as number | undefined)}`),
      h('td', {}, c.bytes ? `${(c.bytes / 1e6).toFixed(2)} MB` : '—'),
      h('td', {}, h('code', {}, String(demo.command ?? c.provenance.command ?? '—'))),
    );
  });
  root.append(
    h(
      'section',
      { class: 'card' },
      h('h2', {}, 'Checkpoints'),
      list.length
        ? h('table', { class: 'checkpoints' }, h('thead', {}, h('tr', {}, ...['checkpoint', 'model', 'metrics', 'training', 'size', 'command'].map((t) => h('th', {}, t)))), h('tbody', {}, ...rows))
        : h('p', {}, 'No checkpoints yet: run ', h('code', {}, 'pnpm demo:train'), '.'),
      h('p', { class: 'note' }, 'Trained by ', h('code', {}, 'pnpm demo:train'), ' on one wasm thread of a shared 2-core machine; each folder keeps genloom.json (config, metrics, provenance) and demo.json (command, seed, time, machine).'),
    ),
  );
}

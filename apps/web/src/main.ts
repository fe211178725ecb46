/**
 * The demo site's shell: starts the backend and shows which one runs, builds the navigation from the
 * checkpoints the server has (a family without trained weights gets no page), and routes
 * `#/<page>` to the page modules, each loaded on first visit.
 */
import './style.css';
import { checkpoints, type SiteCheckpoint } from './api.js';
import { backend, type SiteBackend } from './backend.js';
import { h } from './dom.js';

/** A page of the site. */
export interface Page {
  path: string;
  title: string;
  /** Whether the page has something to show with these checkpoints. */
  available(list: SiteCheckpoint[]): boolean;
  /** Renders into `root`; returns a cleanup run when the user leaves the page. */
  load(): Promise<{ render(root: HTMLElement, list: SiteCheckpoint[]): Promise<(() => void) | void> }>;
}

const has = (family: string) => (list: SiteCheckpoint[]) => list.some((c) => c.family === family);

const PAGES: Page[] = [
  { path: '', title: 'Home', available: () => true, load: () => import('./pages/home.js') },
  { path: 'vae', title: 'VAE', available: has('vae'), load: () => import('./pages/vae.js') },
  { path: 'rnn-lm', title: 'RNN-LM', available: has('rnn-lm'), load: () => import('./pages/rnn-lm.js') },
  { path: 'transformer', title: 'Transformer', available: has('transformer'), load: () => import('./pages/transformer.js') },
  { path: 'gan', title: 'GAN', available: has('gan'), load: () => import('./pages/gan.js') },
  { path: 'diffusion', title: 'Diffusion', available: has('diffusion'), load: () => import('./pages/diffusion.js') },
  { path: 'g2p', title: 'g2p', available: has('seq2seq'), load: () => import('./pages/g2p.js') },
  { path: 'rate', title: 'Rate', available: (l) => l.some((c) => c.modality === 'image'), load: () => import('./pages/rate.js') },
  { path: 'bench', title: 'Bench', available: () => true, load: () => import('./pages/bench.js') },
];

function showBackend(info: SiteBackend): void {
  const el = document.getElementById('backend')!;
  const details = [info.wasm ? `${info.wasm.simd ? 'SIMD, ' : ''}${info.threads} thread${info.threads === 1 ? '' : 's'}` : null, info.adapter ? info.adapter.description || info.adapter.vendor : null].filter(Boolean);
  el.textContent = `backend: ${info.backend}${details.length ? ` (${details.join(', ')})` : ''}${info.forced ? ' — forced' : ''}`;
  el.title = info.candidates.map((c) => `${c.name}: ${c.status} — ${c.reason}`).join('\n');
  el.dataset.tfjs = document.documentElement.dataset.tfjsBackend ?? '';
  el.dataset.state = 'ready';
  el.dataset.backend = info.backend;
}

function showFatal(message: string): void {
  const el = document.getElementById('backend')!;
  el.dataset.state = 'error';
  el.textContent = message;
}

let cleanup: (() => void) | void;
let renderSeq = 0;

async function route(list: SiteCheckpoint[]): Promise<void> {
  const seq = ++renderSeq;
  const path = location.hash.replace(/^#\/?/, '').split('?')[0]!;
  const page = PAGES.find((p) => p.path === path && p.available(list)) ?? PAGES[0]!;
  for (const a of document.querySelectorAll<HTMLAnchorElement>('#nav a')) a.classList.toggle('active', a.dataset.page === page.path);
  if (cleanup) cleanup();
  cleanup = undefined;
  const root = document.getElementById('page')!;
  root.replaceChildren(h('p', { class: 'status' }, 'loading…'));
  root.dataset.page = page.path || 'home';
  root.dataset.ready = 'false';
  const mod = await page.load();
  if (seq !== renderSeq) return;
  root.replaceChildren();
  document.title = `${page.title} — genloom`;
  cleanup = await mod.render(root, list);
  if (seq === renderSeq) root.dataset.ready = 'true';
}

async function start(): Promise<void> {
  backend().then(showBackend, (err: unknown) => {
    showFatal(`backend failed: ${(err as Error).message}`);
    console.error(err);
  });
  const list = await checkpoints();
  const nav = document.getElementById('nav')!;
  nav.replaceChildren(...PAGES.filter((p) => p.available(list)).map((p) => h('a', { href: `#/${p.path}`, 'data-page': p.path }, p.title)));
  window.addEventListener('hashchange', () => void route(list).catch(reportError));
  await route(list);
}

function reportError(err: unknown): void {
  console.error(err);
  const root = document.getElementById('page');
  root?.prepend(h('p', { class: 'status error' }, `Error: ${(err as Error)?.message ?? String(err)}`));
}

window.addEventListener('unhandledrejection', (e) => reportError(e.reason));
start().catch(reportError);

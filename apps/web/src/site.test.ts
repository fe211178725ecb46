/**
 * The demo site in a real browser: Debian's Chromium driven by playwright-core against the built
 * site and the real server, with the committed demo checkpoints. Every page must load without a
 * console error and produce output (pixels and text are checked, not just elements); a rating given
 * through the page must land in the SQLite store; the backend the page shows must be the one tfjs
 * runs. Screenshots go to apps/web/test-artifacts/.
 *
 * Needs /usr/bin/chromium (`apt-get install -y chromium`); skips with a message without it.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RatingStore } from '@genloom/eval/ratings';
import { createSiteServer, listCheckpoints, type SiteCheckpoint, type SiteServer } from '../server/app.js';

/** Debian's Chromium; GENLOOM_CHROMIUM points elsewhere. */
const CHROMIUM = process.env.GENLOOM_CHROMIUM ?? '/usr/bin/chromium';
const webRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
const artifacts = join(webRoot, 'test-artifacts');
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) {
  console.warn(`apps/web browser tests skipped: ${CHROMIUM} is missing (install it with: apt-get update && apt-get install -y chromium)`);
}

type Browser = import('playwright-core').BrowserContext;
type PwPage = import('playwright-core').Page;

describe.skipIf(!haveChromium)('demo site in Chromium', () => {
  let tmp: string;
  let site: SiteServer;
  let base: string;
  let browser: Browser;
  let families: Set<string>;
  let listed: SiteCheckpoint[];
  const dbPath = () => join(tmp, 'ratings.sqlite');

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'genloom-web-browser-'));
    mkdirSync(artifacts, { recursive: true });
    // A fresh production build of the site (the one `pnpm start` serves).
    const { build } = await import('vite');
    const outDir = join(tmp, 'dist');
    await build({ configFile: join(webRoot, 'vite.config.ts'), root: webRoot, logLevel: 'error', build: { outDir, emptyOutDir: true } });
    // A bench report for the Bench page to read.
    const bench = join(tmp, 'bench-out');
    mkdirSync(bench);
    writeFileSync(join(bench, 'report.md'), '# genloom bench\n\n| suite | steps/s | matmul GFLOP/s |\n|---|---|---|\n| vae | 2.62 | 15.1 |\n\n![loss](loss.svg)\n');
    writeFileSync(join(bench, 'loss.svg'), '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40"><rect width="120" height="40" fill="#2457c5"/></svg>');
    writeFileSync(join(bench, 'vae.json'), JSON.stringify({ suite: 'vae', stepsPerSecond: 2.62 }));
    const checkpointsDir = join(webRoot, 'checkpoints');
    listed = await listCheckpoints(checkpointsDir);
    families = new Set(listed.map((c) => c.family));
    site = createSiteServer({ siteDir: outDir, checkpointsDir, benchDirs: [{ path: bench, label: 'bench-out/' }], ratingsDb: dbPath() });
    await new Promise<void>((r) => site.server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(site.server.address() as AddressInfo).port}`;
    const { chromium } = await import('playwright-core');
    browser = await chromium.launchPersistentContext(join(tmp, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1200, height: 900 },
    });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await site?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  /** Opens a page and records console errors, uncaught exceptions and failed requests. */
  async function open(path: string): Promise<{ page: PwPage; errors: string[]; requests: string[] }> {
    const page = await browser.newPage();
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
    page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ''}`));
    page.on('response', (r) => {
      if (r.status() >= 400) errors.push(`HTTP ${r.status()}: ${r.url()}`);
    });
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(`${base}${path}`);
    await page.waitForFunction(() => document.getElementById('page')?.dataset.ready === 'true' || document.querySelector('.status.error'), null, { timeout: 90_000 });
    return { page, errors, requests };
  }

  const shot = (page: PwPage, name: string) => page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });

  /** Grey-level spread of a canvas: 0 for a blank one. */
  const canvasStd = (page: PwPage, selector: string) =>
    page.$eval(selector, (c) => {
      const canvas = c as HTMLCanvasElement;
      const d = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      let s = 0, s2 = 0;
      for (let i = 0; i < d.length; i += 4) {
        s += d[i]!;
        s2 += d[i]! * d[i]!;
      }
      const n = d.length / 4;
      return Math.sqrt(Math.max(0, s2 / n - (s / n) ** 2));
    });

  const canvasHash = (page: PwPage, selector: string) =>
    page.$eval(selector, (c) => {
      const canvas = c as HTMLCanvasElement;
      const d = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      let h = 0;
      for (let i = 0; i < d.length; i += 4) h = (Math.imul(h, 31) + d[i]!) | 0;
      return h;
    });

  it('home shows the backend tfjs really runs on, and the checkpoints', async () => {
    const { page, errors, requests } = await open('/');
    await page.waitForSelector('[data-testid="backend-name"]', { timeout: 60_000 });
    const shown = await page.textContent('[data-testid="backend-name"]');
    const header = await page.getAttribute('#backend', 'data-backend');
    const real = await page.evaluate(() => document.documentElement.dataset.tfjsBackend);
    expect(shown).toBe(header);
    expect(real).toBe(shown); // what tf.getBackend() says
    if (shown === 'wasm') expect(requests.some((u) => u.endsWith('.wasm'))).toBe(true); // its binary was fetched
    expect(await page.locator('table.checkpoints tbody tr').count()).toBeGreaterThan(0);
    await shot(page, 'home');
    expect(errors).toEqual([]);
    await page.close();

    // Forcing a backend through the address changes what runs, and the page says so.
    const forced = await open('/?backend=cpu');
    await forced.page.waitForSelector('[data-testid="backend-name"]', { timeout: 60_000 });
    expect(await forced.page.textContent('[data-testid="backend-name"]')).toBe('cpu');
    expect(await forced.page.evaluate(() => document.documentElement.dataset.tfjsBackend)).toBe('cpu');
    expect(forced.errors).toEqual([]);
    await forced.page.close();

    // wasm (what a browser without a GPU falls back to): its binary is fetched and it runs.
    const wasm = await open('/?backend=wasm');
    await wasm.page.waitForSelector('[data-testid="backend-name"]', { timeout: 60_000 });
    expect(await wasm.page.textContent('[data-testid="backend-name"]')).toBe('wasm');
    expect(await wasm.page.evaluate(() => document.documentElement.dataset.tfjsBackend)).toBe('wasm');
    expect(wasm.requests.some((u) => /tfjs-backend-wasm.*\.wasm$/.test(u))).toBe(true);
    expect(await wasm.page.textContent('#backend')).toMatch(/wasm \(SIMD, 1 thread\)/);
    expect(wasm.errors).toEqual([]);
    await wasm.page.close();
  });

  it('VAE: samples, latent walk, and a drawn digit gets a reconstruction and a score', async () => {
    expect(families.has('vae')).toBe(true);
    const { page, errors } = await open('/#/vae');
    expect(await canvasStd(page, '#vae-samples')).toBeGreaterThan(30); // digits, not a blank grid
    const before = await canvasHash(page, '#vae-samples');
    await page.click('#vae-resample');
    await page.waitForFunction((h) => {
      const c = document.querySelector('#vae-samples') as HTMLCanvasElement;
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let x = 0;
      for (let i = 0; i < d.length; i += 4) x = (Math.imul(x, 31) + d[i]!) | 0;
      return x !== h;
    }, before);

    // The walk: moving the slider changes the decoded frame; both ends are drawn.
    expect(await canvasStd(page, '#vae-walk-strip')).toBeGreaterThan(30);
    const mid = await canvasHash(page, '#vae-walk-frame');
    await page.$eval('#vae-walk-slider', (el) => {
      const input = el as HTMLInputElement;
      input.value = '0';
      input.dispatchEvent(new Event('input'));
    });
    expect(await canvasHash(page, '#vae-walk-frame')).not.toBe(mid);

    // Draw a "1" with the mouse: a vertical stroke.
    await page.locator('#vae-draw').scrollIntoViewIfNeeded();
    const box = (await page.locator('#vae-draw').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.2);
    await page.mouse.down();
    for (let k = 1; k <= 10; k++) await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * (0.2 + 0.06 * k));
    await page.mouse.up();
    await page.waitForFunction(() => (document.querySelector('#vae-score') as HTMLElement).dataset.score !== undefined);
    const drawn = Number(await page.getAttribute('#vae-score', 'data-score'));
    expect(Number.isFinite(drawn)).toBe(true);
    expect(await canvasStd(page, '#vae-recon')).toBeGreaterThan(20);
    await shot(page, 'vae');

    // A real digit scores lower (more typical) than noise.
    await page.click('#vae-real');
    await page.waitForFunction((d) => (document.querySelector('#vae-score') as HTMLElement).dataset.score !== String(d), drawn);
    const real = Number(await page.getAttribute('#vae-score', 'data-score'));
    await page.click('#vae-noise');
    await page.waitForFunction((d) => (document.querySelector('#vae-score') as HTMLElement).dataset.score !== String(d), real);
    const noise = Number(await page.getAttribute('#vae-score', 'data-score'));
    expect(noise).toBeGreaterThan(real);
    expect(await page.textContent('#vae-score')).toContain('unusual');
    expect(errors).toEqual([]);
    await page.close();
  });

  /** Generates `tokens` tokens on a text page and returns the streamed continuation. */
  async function generate(page: PwPage, prompt: string, tokens: number): Promise<string> {
    await page.fill('#lm-prompt', prompt);
    await page.fill('input[name="maxTokens"]', String(tokens));
    await page.click('#lm-generate');
    // Streaming: text appears before the run is done.
    await page.waitForFunction(() => (document.querySelector('#lm-output .continuation')?.textContent ?? '').length > 0);
    await page.waitForFunction(() => (document.querySelector('#lm-output') as HTMLElement).dataset.done === 'true', null, { timeout: 60_000 });
    return (await page.textContent('#lm-output .continuation')) ?? '';
  }

  it('Transformer: streamed text for a prompt and attention maps', async (ctx) => {
    if (!families.has('transformer')) ctx.skip();
    const { page, errors } = await open('/#/transformer');
    const maps = Number(await page.getAttribute('#attention', 'data-maps'));
    expect(maps).toBeGreaterThan(0);
    expect(await canvasStd(page, 'canvas.attn')).toBeGreaterThan(5);
    const text = await generate(page, 'The whale', 60);
    // The maps follow the new prompt.
    await page.waitForFunction(() => document.querySelector('#attn-text')?.textContent === 'The whale');
    expect(text.length).toBeGreaterThanOrEqual(40); // 60 characters asked for
    expect(/[a-z]{2,}/.test(text)).toBe(true); // letters, not only noise
    await shot(page, 'transformer');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('RNN-LM: streamed text for a prompt', async (ctx) => {
    if (!families.has('rnn-lm')) ctx.skip();
    const { page, errors } = await open('/#/rnn-lm');
    const text = await generate(page, 'The whale', 60);
    expect(text.length).toBeGreaterThanOrEqual(40);
    expect(/[a-z]{2,}/.test(text)).toBe(true);
    await shot(page, 'rnn-lm');
    expect(errors).toEqual([]);
    await page.close();
  });

  /** Waits until a canvas's pixels hash to something other than `before`. */
  const canvasChanged = (page: PwPage, selector: string, before: number, timeout = 60_000) =>
    page.waitForFunction(
      ([sel, h]) => {
        const c = document.querySelector(sel as string) as HTMLCanvasElement;
        const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        let x = 0;
        for (let i = 0; i < d.length; i += 4) x = (Math.imul(x, 31) + d[i]!) | 0;
        return x !== h;
      },
      [selector, before] as const,
      { timeout },
    );

  /** Moves a range input to `value` as a user would (an input event). */
  const slide = (page: PwPage, selector: string, value: number) =>
    page.$eval(
      selector,
      (el, v) => {
        const input = el as HTMLInputElement;
        input.value = String(v);
        input.dispatchEvent(new Event('input'));
      },
      value,
    );

  it('GAN: samples, a chosen class, one row per class, and a latent walk between two seeds', async (ctx) => {
    const samplers = listed.filter((c) => c.family === 'gan' && c.modality === 'image');
    if (samplers.length === 0) ctx.skip();
    const { page, errors } = await open('/#/gan');
    // The picker offers the GANs that sample from noise, not a pix2pix translator.
    expect(await page.$$eval('select[name="checkpoint"] option', (os) => os.map((o) => (o as HTMLOptionElement).value))).toEqual(samplers.map((c) => c.name));
    // Not blank (a blank canvas is 0; generator output is never flat).
    expect(await canvasStd(page, '#gan-samples')).toBeGreaterThan(5);
    const before = await canvasHash(page, '#gan-samples');
    await page.click('#gan-resample');
    await canvasChanged(page, '#gan-samples', before);
    expect(await page.getAttribute('#gan-samples', 'data-seed')).toBe('2');

    const conditional = await page.isVisible('#gan-class');
    if (conditional) {
      // Another class, other digits; the class grid has a row per class.
      const sevens = await canvasHash(page, '#gan-samples');
      await page.selectOption('#gan-class', '2');
      await canvasChanged(page, '#gan-samples', sevens);
      expect(await canvasStd(page, '#gan-classes')).toBeGreaterThan(5);
      const size = await page.$eval('#gan-classes', (c) => [(c as HTMLCanvasElement).width, (c as HTMLCanvasElement).height]);
      expect(size[1]).toBeGreaterThanOrEqual(size[0]!); // 10 rows of 10: square
    }

    // The walk: a strip of frames; the slider changes the decoded point.
    expect(await canvasStd(page, '#gan-walk-strip')).toBeGreaterThan(5);
    const mid = await canvasHash(page, '#gan-walk-frame');
    await slide(page, '#gan-walk-slider', 0);
    expect(await canvasHash(page, '#gan-walk-frame')).not.toBe(mid);
    await shot(page, 'gan');
    expect(errors).toEqual([]);
    await page.close();
  });

  /** Pixels of a canvas that are visible (alpha > 0), and how many of them are grey (R = G = B) or clearly coloured. */
  const canvasColour = (page: PwPage, selector: string) =>
    page.$eval(selector, (c) => {
      const canvas = c as HTMLCanvasElement;
      const d = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      let visible = 0, grey = 0, coloured = 0;
      for (let i = 0; i < d.length; i += 4) {
        if (d[i + 3] === 0) continue;
        visible++;
        const spread = Math.max(d[i]!, d[i + 1]!, d[i + 2]!) - Math.min(d[i]!, d[i + 1]!, d[i + 2]!);
        if (spread === 0) grey++;
        if (spread > 24) coloured++;
      }
      return { visible, grey, coloured };
    });

  it('GAN colouriser: a held-out emoji, its greyscale input and the colours pix2pix gives it', async (ctx) => {
    if (!listed.some((c) => c.family === 'gan' && c.modality === 'image-to-image')) ctx.skip();
    const { page, errors } = await open('/#/gan');
    await page.waitForFunction(() => (document.querySelector('#colorize-output') as HTMLElement | null)?.dataset.sprite === '0');
    expect(await page.locator('#colorize-gallery button').count()).toBe(48);
    // The input is grey (R = G = B wherever it is visible); the original and the output are not.
    const grey = await canvasColour(page, '#colorize-grey');
    expect(grey.visible).toBeGreaterThan(100);
    expect(grey.grey).toBe(grey.visible);
    const original = await canvasColour(page, '#colorize-original');
    expect(original.visible).toBe(grey.visible); // alpha is kept
    const output = await canvasColour(page, '#colorize-output');
    expect(output.visible).toBeGreaterThan(100); // not blank
    expect(output.coloured).toBeGreaterThan(0.05 * output.visible);
    expect(await canvasHash(page, '#colorize-output')).not.toBe(await canvasHash(page, '#colorize-grey'));
    expect(await page.textContent('#colorize-error')).toMatch(/Mean colour error on this sprite: \d\.\d{3}/);
    await shot(page, 'gan-colorize');

    // Another sprite: another output, and the gallery marks it.
    const before = await canvasHash(page, '#colorize-output');
    await page.click('#colorize-gallery button[data-index="5"]');
    await page.waitForFunction(() => (document.querySelector('#colorize-output') as HTMLElement).dataset.sprite === '5');
    expect(await canvasHash(page, '#colorize-output')).not.toBe(before);
    expect(await page.getAttribute('#colorize-gallery button[data-index="5"]', 'aria-pressed')).toBe('true');
    expect(await page.getAttribute('#colorize-gallery button[data-index="0"]', 'aria-pressed')).toBe('false');
    expect((await canvasColour(page, '#colorize-output')).coloured).toBeGreaterThan(0);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('Diffusion: digits from a prompt, another seed gives others, and the denoising film plays', async (ctx) => {
    if (!families.has('diffusion')) ctx.skip();
    const { page, errors } = await open('/#/diffusion');
    await page.waitForFunction(() => (document.querySelector('#diff-samples') as HTMLElement).dataset.done === 'true', null, { timeout: 120_000 });
    expect(await canvasStd(page, '#diff-samples')).toBeGreaterThan(5);
    expect(await page.textContent('#diff-time')).toMatch(/8 images × 25 DDIM steps in [\d.]+ s/);
    expect(Number(await page.getAttribute('#diff-time', 'data-ms'))).toBeGreaterThan(0);

    // Smaller work for the rest: 4 images, 10 steps; a new seed changes them.
    await page.fill('#diff-prompt', 'a thin 1');
    await page.fill('input[name="count"]', '4');
    await page.fill('input[name="steps"]', '10');
    const before = await canvasHash(page, '#diff-samples');
    await page.click('#diff-resample');
    await page.waitForFunction(() => (document.querySelector('#diff-samples') as HTMLElement).dataset.seed === '2' && (document.querySelector('#diff-samples') as HTMLElement).dataset.done === 'true', null, { timeout: 60_000 });
    expect(await canvasHash(page, '#diff-samples')).not.toBe(before);
    expect(await page.textContent('#diff-time')).toMatch(/4 images × 10 DDIM steps/);
    expect(await page.getAttribute('#diff-prompt-help', 'data-named')).toBe('1');

    // The film: one frame per step, a strip of evenly spaced frames, and the slider moves through it.
    expect(await page.getAttribute('#diff-film-slider', 'max')).toBe('9');
    expect(await canvasStd(page, '#diff-film-strip')).toBeGreaterThan(5);
    await page.click('#diff-play'); // pause the playback that started after the run
    await slide(page, '#diff-film-slider', 0);
    const first = await canvasHash(page, '#diff-film-frame');
    await slide(page, '#diff-film-slider', 9);
    expect(await canvasHash(page, '#diff-film-frame')).not.toBe(first);
    await shot(page, 'diffusion');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('g2p: a word gets ARPAbet phonemes, beam search lists several, a foreign letter is refused', async (ctx) => {
    if (!families.has('seq2seq')) ctx.skip();
    const { page, errors } = await open('/#/g2p');
    const ARPABET = /^[A-Z]{1,2}[012]?$/;
    const pronounce = async (word: string, beam: number) => {
      await page.evaluate(() => delete (document.getElementById('page') as HTMLElement).dataset.done);
      await page.fill('#g2p-word', word);
      await page.fill('#g2p-beam', String(beam));
      await page.click('#g2p-go');
      await page.waitForFunction(() => (document.getElementById('page') as HTMLElement).dataset.done === 'true');
    };
    await pronounce('hello', 4);
    const phonemes = (await page.getAttribute('#g2p-greedy', 'data-phonemes')) ?? '';
    expect(phonemes.length).toBeGreaterThan(0);
    for (const p of phonemes.split(' ')) expect(p).toMatch(ARPABET);
    const hyps = await page.$$eval('#g2p-nbest tr', (rows) => rows.map((r) => (r as HTMLElement).dataset.phonemes ?? ''));
    expect(hyps.length).toBeGreaterThanOrEqual(2);
    for (const hyp of hyps) for (const p of hyp.split(' ').filter(Boolean)) expect(p).toMatch(ARPABET);
    expect(await page.isHidden('#g2p-error')).toBe(true);
    await shot(page, 'g2p');

    // A letter outside CMUdict's alphabet: a clear error naming it, no stale result.
    await pronounce('héllo', 4);
    expect(await page.isVisible('#g2p-error')).toBe(true);
    const message = (await page.textContent('#g2p-error')) ?? '';
    expect(message).toContain('“é”');
    expect(message).toContain('alphabet');
    expect(await page.$$eval('#g2p-nbest tr', (rows) => rows.length)).toBe(0);
    await shot(page, 'g2p-error');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('Rate: a preference and a judgement given through the page are in the database, and the scores move', async () => {
    const { page, errors } = await open('/#/rate');
    await page.waitForFunction(() => (document.querySelector('#real-or-generated') as HTMLElement).dataset.ready === 'true');
    // Not blank: the tiny VAE's samples are faint blurs, so the bar is low (a blank canvas is 0).
    expect(await canvasStd(page, '#judge-image')).toBeGreaterThan(3);
    const pairwise = (await page.locator('#pair-image-left').count()) > 0;
    if (pairwise) {
      await page.waitForFunction(() => (document.querySelector('#pairwise') as HTMLElement).dataset.ready === 'true');
      expect(await canvasStd(page, '#pair-image-left')).toBeGreaterThan(3);
      expect(await canvasStd(page, '#pair-image-right')).toBeGreaterThan(3);
      await page.click('#pair-left');
      await page.waitForFunction(() => (document.querySelector('#pairwise') as HTMLElement).dataset.lastId !== undefined);
    }
    await page.click('#judge-real');
    await page.waitForFunction(() => (document.querySelector('#real-or-generated') as HTMLElement).dataset.lastId !== undefined);
    await page.waitForFunction(() => /[1-9]\d* real-or-generated/.test(document.querySelector('#rating-counts')?.textContent ?? ''));
    const rater = (await page.textContent('#rater'))!;
    const store = RatingStore.open(dbPath());
    try {
      const judgements = store.judgements({ rater });
      expect(judgements.length).toBe(1);
      expect(judgements[0]!.judgedReal).toBe(true);
      if (pairwise) {
        const prefs = store.preferences({ rater });
        expect(prefs.length).toBe(1);
        expect(prefs[0]!.winner).toBe('left');
        const elo = store.summary().elo;
        expect(elo[prefs[0]!.left.checkpoint]!).toBeGreaterThan(elo[prefs[0]!.right.checkpoint]!);
        // The page's table shows the stored Elo.
        await page.waitForFunction((name) => document.querySelector(`#elo-rows tr[data-checkpoint="${name}"] td.elo`)?.textContent !== '—', prefs[0]!.left.checkpoint);
      }
    } finally {
      store.close();
    }
    // Only checkpoints that sample from noise are rated (a pix2pix colouriser is not).
    const rated = await page.$$eval('#elo-rows tr[data-checkpoint]', (rows) => rows.map((r) => (r as HTMLElement).dataset.checkpoint));
    for (const c of listed.filter((c) => c.modality !== 'image')) expect(rated).not.toContain(c.name);
    await shot(page, 'rate');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('Bench: the latest report as tables and plots', async () => {
    const { page, errors } = await open('/#/bench');
    expect(await page.textContent('#bench-report table.bench')).toContain('2.62');
    await page.waitForFunction(() => [...document.querySelectorAll('img.plot')].some((i) => (i as HTMLImageElement).naturalWidth > 0));
    expect(await page.textContent('#bench-json')).toContain('vae.json');
    await shot(page, 'bench');
    expect(errors).toEqual([]);
    await page.close();
  });
});

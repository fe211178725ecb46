/**
 * The demo site's server (node:http, no framework): the built site, the checkpoints under
 * `apps/web/checkpoints/<name>/`, the latest bench report and the rating API. It serves only files
 * inside those folders (see `paths.ts`), bounds request bodies and validates rating payloads.
 *
 * Routes:
 *   GET  /api/checkpoints          demo checkpoints present (family, title, metrics, provenance)
 *   POST /api/ratings              one preference or judgement (JSON, ≤ 16 KiB) → 201 { id }
 *   GET  /api/elo                  Elo / Bradley–Terry / realism per checkpoint
 *   GET  /api/bench                the latest bench report (Markdown, JSON results, plot names)
 *   GET  /checkpoints/<name>/<file>
 *   GET  /bench-files/<file>       plots of the latest bench report
 *   GET  /…                        the built site (or Vite's dev middleware with `dev`)
 */
import { createReadStream, existsSync } from 'node:fs';
import { readFile, readdir, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { extname, join } from 'node:path';
import { RatingStore } from '@genloom/eval/ratings';
import { latestBenchReport } from './bench-report.js';
import { DEMO_CHECKPOINTS, type DemoCheckpoint } from './demos.js';
import { resolveFileInside, safeSegments } from './paths.js';
import { HttpError, parseRating, ratingScores, readBody, storeRating } from './ratings-api.js';

/** Where the server finds its files. */
export interface SiteServerOptions {
  /** The built site (`apps/web/dist`); unused with `devMiddleware`. */
  siteDir: string;
  /** Checkpoint folders, one per demo model. */
  checkpointsDir: string;
  /** Folders searched for a bench report, first hit wins. */
  benchDirs: ReadonlyArray<{ path: string; label: string }>;
  /** SQLite file of the rating store (`:memory:` for tests). */
  ratingsDb: string;
  /** Vite's dev middleware: requests the server does not handle go there (`pnpm dev`). */
  devMiddleware?: (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.bin': 'application/octet-stream',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

/**
 * Headers on every answer; the CSP allows WebAssembly compilation and nothing from elsewhere.
 * The page is deliberately not cross-origin isolated (no COOP/COEP): on an isolated page tfjs picks
 * its threaded wasm build, whose workers are started from a Blob holding the bundled factory, and
 * after Vite's minification that worker fails (`ReferenceError: e is not defined`, seen in
 * Chromium 156). One wasm thread works everywhere.
 */
function securityHeaders(dev: boolean): Record<string, string> {
  const headers: Record<string, string> = {
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Resource-Policy': 'same-origin',
  };
  if (!dev) {
    headers['Content-Security-Policy'] =
      "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self' blob: data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";
  }
  return headers;
}

/** A checkpoint the site serves, as `/api/checkpoints` lists it. */
export interface SiteCheckpoint {
  name: string;
  family: string;
  title: string;
  modality: DemoCheckpoint['modality'];
  url: string;
  bytes?: number;
  metrics: Record<string, number>;
  provenance: Record<string, unknown>;
  demo: Record<string, unknown> | null;
}

async function readJson(path: string): Promise<Record<string, unknown> | null> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  } catch {
    return null;
  }
}

/**
 * What a checkpoint outside the demo list makes, from its manifest: text for the language models,
 * image-to-image for a pix2pix GAN (it translates images, it cannot sample from noise), else images.
 */
function modalityOf(manifest: Record<string, unknown>): DemoCheckpoint['modality'] {
  const family = manifest.family as string;
  if (['transformer', 'rnn-lm', 'seq2seq'].includes(family)) return 'text';
  const config = manifest.config as { architecture?: unknown } | undefined;
  return family === 'gan' && config?.architecture === 'pix2pix' ? 'image-to-image' : 'image';
}

/** Every checkpoint folder with a readable `genloom.json`, demo list order first. */
export async function listCheckpoints(dir: string): Promise<SiteCheckpoint[]> {
  let names: string[] = [];
  try {
    names = (await readdir(dir, { withFileTypes: true })).filter((d) => d.isDirectory() && safeSegments(d.name)?.length === 1).map((d) => d.name);
  } catch {
    return [];
  }
  const order = (n: string) => {
    const i = DEMO_CHECKPOINTS.findIndex((d) => d.name === n);
    return i < 0 ? DEMO_CHECKPOINTS.length : i;
  };
  names.sort((a, b) => order(a) - order(b) || a.localeCompare(b));
  const out: SiteCheckpoint[] = [];
  for (const name of names) {
    const manifest = await readJson(join(dir, name, 'genloom.json'));
    if (!manifest || typeof manifest.family !== 'string') continue;
    const demo = await readJson(join(dir, name, 'demo.json'));
    const known = DEMO_CHECKPOINTS.find((d) => d.name === name);
    let bytes = 0;
    for (const f of await readdir(join(dir, name))) bytes += (await stat(join(dir, name, f)).catch(() => ({ size: 0 }))).size;
    out.push({
      name,
      family: manifest.family,
      title: known?.title ?? (demo?.title as string | undefined) ?? name,
      modality: known?.modality ?? modalityOf(manifest),
      url: `/checkpoints/${encodeURIComponent(name)}`,
      bytes,
      metrics: (manifest.metrics as Record<string, number>) ?? {},
      provenance: (manifest.provenance as Record<string, unknown>) ?? {},
      demo,
    });
  }
  return out;
}

/** A running site server and what it holds open. */
export interface SiteServer {
  server: Server;
  store: RatingStore;
  /** Stops listening and closes the rating database. */
  close(): Promise<void>;
}

/**
 * Creates the site server (not yet listening).
 *
 * @example
 * ```ts
 * const site = createSiteServer({ siteDir: 'dist', checkpointsDir: 'checkpoints', benchDirs: [], ratingsDb: 'data/ratings.sqlite' });
 * site.server.listen(5180, '127.0.0.1');
 * ```
 */
export function createSiteServer(options: SiteServerOptions): SiteServer {
  const store = RatingStore.open(options.ratingsDb);
  const dev = !!options.devMiddleware;
  const baseHeaders = securityHeaders(dev);

  const sendJson = (res: ServerResponse, status: number, value: unknown) => {
    const body = JSON.stringify(value);
    res.writeHead(status, { ...baseHeaders, 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store' });
    res.end(body);
  };

  const sendFile = async (req: IncomingMessage, res: ServerResponse, file: string, cache: string) => {
    const info = await stat(file);
    const etag = `"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`;
    const headers = {
      ...baseHeaders,
      'Content-Type': CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
      'Content-Length': info.size,
      ETag: etag,
      'Cache-Control': cache,
    };
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, { ...baseHeaders, ETag: etag, 'Cache-Control': cache });
      res.end();
      return;
    }
    res.writeHead(200, headers);
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    createReadStream(file).on('error', () => res.destroy()).pipe(res);
  };

  const notFound = (res: ServerResponse) => sendJson(res, 404, { error: 'not found' });

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const rawUrl = req.url ?? '/';
    if (!rawUrl.startsWith('/') || rawUrl.length > 2048) throw new HttpError(400, 'bad request target');
    const q = rawUrl.indexOf('?');
    const path = q < 0 ? rawUrl : rawUrl.slice(0, q);
    const method = req.method ?? 'GET';
    const readOnly = method === 'GET' || method === 'HEAD';

    if (path.startsWith('/api/')) {
      if (path === '/api/ratings') {
        if (method !== 'POST') throw new HttpError(405, 'use POST for /api/ratings');
        const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
        if (type !== 'application/json') throw new HttpError(415, `content-type must be application/json, got ${JSON.stringify(type)}`);
        const body = await readBody(req);
        let parsed: unknown;
        try {
          parsed = JSON.parse(body.toString('utf8'));
        } catch (err) {
          throw new HttpError(400, `body is not valid JSON: ${(err as Error).message}`);
        }
        const known = new Set((await listCheckpoints(options.checkpointsDir)).map((c) => c.name));
        const rating = parseRating(parsed, known);
        let id: number;
        try {
          id = storeRating(store, rating);
        } catch (err) {
          throw new HttpError(400, (err as Error).message);
        }
        sendJson(res, 201, { id, kind: rating.kind });
        return;
      }
      if (!readOnly) throw new HttpError(405, `${method} is not allowed on ${path}`);
      if (path === '/api/elo') return sendJson(res, 200, ratingScores(store));
      if (path === '/api/checkpoints') return sendJson(res, 200, { checkpoints: await listCheckpoints(options.checkpointsDir) });
      if (path === '/api/bench') {
        const { path: _p, ...report } = await latestBenchReport(options.benchDirs);
        return sendJson(res, 200, report);
      }
      return notFound(res);
    }

    if (!readOnly) throw new HttpError(405, `${method} is not allowed here`);

    if (path.startsWith('/checkpoints/')) {
      const file = await resolveFileInside(options.checkpointsDir, path.slice('/checkpoints/'.length));
      if (!file) return notFound(res);
      return sendFile(req, res, file, 'no-cache');
    }
    if (path.startsWith('/bench-files/')) {
      const report = await latestBenchReport(options.benchDirs);
      const segments = safeSegments(path.slice('/bench-files/'.length));
      if (!report.path || !segments || segments.length !== 1) return notFound(res);
      const listed = report.files.find((f) => f.name === segments[0] && f.kind === 'plot');
      const file = listed ? await resolveFileInside(report.path, encodeURIComponent(listed.name)) : null;
      if (!file) return notFound(res);
      return sendFile(req, res, file, 'no-cache');
    }

    if (options.devMiddleware) {
      await new Promise<void>((resolvePromise, reject) => {
        options.devMiddleware!(req, res, (err) => (err ? reject(err) : (notFound(res), resolvePromise())));
        res.on('finish', () => resolvePromise());
      });
      return;
    }

    const sitePath = path === '/' ? 'index.html' : path.slice(1);
    const file = await resolveFileInside(options.siteDir, sitePath);
    if (file) return sendFile(req, res, file, sitePath.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
    if (safeSegments(sitePath) === null) return notFound(res);
    // Unknown paths without a file extension are pages of the single-page site.
    const index = join(options.siteDir, 'index.html');
    if (!extname(path) && existsSync(index)) return sendFile(req, res, index, 'no-cache');
    return notFound(res);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      const status = err instanceof HttpError ? err.status : 500;
      const message = err instanceof HttpError ? err.message : 'internal error';
      if (status === 500) process.stderr.write(`genloom web: ${req.method} ${req.url}: ${(err as Error).stack ?? String(err)}\n`);
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (status === 413) res.setHeader('Connection', 'close');
      sendJson(res, status, { error: message });
    });
  });
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;

  return {
    server,
    store,
    close: () =>
      new Promise<void>((resolvePromise) => {
        server.close(() => {
          store.close();
          resolvePromise();
        });
        server.closeAllConnections();
      }),
  };
}

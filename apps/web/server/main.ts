/**
 * Starts the demo site: `pnpm start` (after `vite build`) serves `apps/web/dist`; `pnpm dev` runs
 * Vite's dev middleware inside the same server (hot reload, no build). Prints the URL.
 *
 *   --port N        first port to try (default $PORT or 5180; the next free one is taken)
 *   --host H        interface (default 127.0.0.1; 0.0.0.0 to reach it from elsewhere)
 *   --ratings FILE  SQLite rating store (default $GENLOOM_RATINGS_DB or apps/web/data/ratings.sqlite)
 *   --dev           Vite dev middleware instead of the built site
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSiteServer } from './app.js';

const webRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const repoRoot = resolve(webRoot, '../..');

function option(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  if (i < 0) return undefined;
  const value = argv[i + 1];
  if (value === undefined || value.startsWith('--')) throw new Error(`${name} needs a value`);
  return value;
}

async function listen(server: import('node:http').Server, host: string, firstPort: number): Promise<number> {
  for (let port = firstPort; port < firstPort + 20; port++) {
    const ok = await new Promise<boolean>((resolvePromise, reject) => {
      const onError = (err: NodeJS.ErrnoException) => {
        server.off('listening', onListening);
        if (err.code === 'EADDRINUSE') resolvePromise(false);
        else reject(err);
      };
      const onListening = () => {
        server.off('error', onError);
        resolvePromise(true);
      };
      server.once('error', onError);
      server.once('listening', onListening);
      server.listen(port, host);
    });
    if (ok) return port;
  }
  throw new Error(`no free port in ${firstPort}–${firstPort + 19}; pass --port`);
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const dev = argv.includes('--dev');
  const host = option(argv, '--host') ?? '127.0.0.1';
  const port = Number(option(argv, '--port') ?? process.env.PORT ?? 5180);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be an integer in 0–65535, got ${port}`);
  const ratingsDb = resolve(option(argv, '--ratings') ?? process.env.GENLOOM_RATINGS_DB ?? join(webRoot, 'data', 'ratings.sqlite'));
  mkdirSync(dirname(ratingsDb), { recursive: true });
  const siteDir = join(webRoot, 'dist');
  if (!dev && !existsSync(join(siteDir, 'index.html'))) throw new Error(`${siteDir} has no built site; run "pnpm start" (it builds first) or "pnpm dev"`);

  let devMiddleware: Parameters<typeof createSiteServer>[0]['devMiddleware'];
  let closeVite: (() => Promise<void>) | undefined;
  if (dev) {
    const { createServer } = await import('vite');
    const vite = await createServer({ root: webRoot, configFile: join(webRoot, 'vite.config.ts'), server: { middlewareMode: true }, appType: 'spa' });
    devMiddleware = (req, res, next) => vite.middlewares(req, res, next);
    closeVite = () => vite.close();
  }
  const site = createSiteServer({
    siteDir,
    checkpointsDir: join(webRoot, 'checkpoints'),
    benchDirs: [
      { path: join(repoRoot, 'bench-out'), label: 'bench-out/' },
      { path: join(repoRoot, 'bench', 'results'), label: 'bench/results/' },
    ],
    ratingsDb,
    ...(devMiddleware ? { devMiddleware } : {}),
  });
  const bound = await listen(site.server, host, port);
  const shown = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  process.stdout.write(`genloom demo site${dev ? ' (dev)' : ''}: http://${shown}:${bound}/\n`);
  process.stdout.write(`  ratings: ${ratingsDb}\n  stop with Ctrl+C\n`);
  const stop = () => {
    void Promise.all([site.close(), closeVite?.()]).then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`genloom web: ${(err as Error).message}\n`);
  process.exit(1);
});

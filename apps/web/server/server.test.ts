import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RatingStore } from '@genloom/eval/ratings';
import { createSiteServer, listCheckpoints, type SiteServer } from './app.js';
import { safeSegments } from './paths.js';
import { MAX_BODY_BYTES } from './ratings-api.js';

/** A raw HTTP request: the path goes on the wire exactly as written (fetch would normalise `..`). */
function raw(port: number, method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers: { ...(body !== undefined ? { 'Content-Length': String(Buffer.byteLength(body)) } : {}), ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers }));
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

describe('demo site server', () => {
  let dir: string;
  let site: SiteServer;
  let port: number;
  const dbFile = () => join(dir, 'ratings.sqlite');

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'genloom-web-server-'));
    const siteDir = join(dir, 'site');
    const ckpt = join(dir, 'checkpoints');
    mkdirSync(join(siteDir, 'assets'), { recursive: true });
    writeFileSync(join(siteDir, 'index.html'), '<!doctype html><title>site</title>');
    writeFileSync(join(siteDir, 'assets', 'app.js'), 'console.log(1)');
    for (const name of ['vae-a', 'vae-b']) {
      mkdirSync(join(ckpt, name), { recursive: true });
      writeFileSync(join(ckpt, name, 'genloom.json'), JSON.stringify({ format: 'genloom-checkpoint', family: 'vae', metrics: { negElbo: 100 }, provenance: { seed: 1 } }));
      writeFileSync(join(ckpt, name, 'weights.bin'), Buffer.from([1, 2, 3, 4]));
    }
    mkdirSync(join(ckpt, '.hidden'), { recursive: true });
    writeFileSync(join(ckpt, '.hidden', 'genloom.json'), '{}');
    writeFileSync(join(dir, 'secret.txt'), 'top secret');
    symlinkSync(join(dir, 'secret.txt'), join(ckpt, 'vae-a', 'link.txt'));
    const bench = join(dir, 'bench-out');
    mkdirSync(bench);
    writeFileSync(join(bench, 'report.md'), '# Bench\n| a | b |\n|---|---|\n| 1 | 2 |\n');
    writeFileSync(join(bench, 'vae.json'), JSON.stringify({ stepsPerSecond: 3 }));
    writeFileSync(join(bench, 'loss.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    site = createSiteServer({ siteDir, checkpointsDir: ckpt, benchDirs: [{ path: join(dir, 'none'), label: 'none/' }, { path: bench, label: 'bench-out/' }], ratingsDb: dbFile() });
    await new Promise<void>((r) => site.server.listen(0, '127.0.0.1', r));
    port = (site.server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await site?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the site, checkpoint files and the checkpoint list', async () => {
    const index = await raw(port, 'GET', '/');
    expect(index.status).toBe(200);
    expect(index.body).toContain('<title>site</title>');
    expect(index.headers['content-security-policy']).toContain("'wasm-unsafe-eval'");
    expect((await raw(port, 'GET', '/assets/app.js')).body).toBe('console.log(1)');
    expect((await raw(port, 'GET', '/vae')).body).toContain('<title>site</title>'); // page paths fall back to index.html
    const weights = await raw(port, 'GET', '/checkpoints/vae-a/weights.bin');
    expect(weights.status).toBe(200);
    expect(weights.headers['content-type']).toBe('application/octet-stream');
    expect(Buffer.from(weights.body, 'latin1')).toEqual(Buffer.from([1, 2, 3, 4]));
    const list = JSON.parse((await raw(port, 'GET', '/api/checkpoints')).body) as { checkpoints: Array<{ name: string; family: string; metrics: Record<string, number> }> };
    expect(list.checkpoints.map((c) => c.name)).toEqual(['vae-a', 'vae-b']); // not .hidden
    expect(list.checkpoints[0]!.metrics.negElbo).toBe(100);
    expect((await raw(port, 'GET', '/checkpoints/vae-a/missing.bin')).status).toBe(404);
  });

  it.each([
    '/checkpoints/../secret.txt',
    '/checkpoints/vae-a/../../secret.txt',
    '/checkpoints/%2e%2e/secret.txt',
    '/checkpoints/%2E%2E/secret.txt',
    '/checkpoints/vae-a/%2e%2e/%2e%2e/secret.txt',
    '/checkpoints/..%2fsecret.txt',
    '/checkpoints/..%2Fsecret.txt',
    '/checkpoints/..%5csecret.txt',
    '/checkpoints/%252e%252e/secret.txt',
    '/checkpoints/vae-a%2f..%2f..%2fsecret.txt',
    '/checkpoints//etc/passwd',
    '/checkpoints/%2fetc%2fpasswd',
    '/checkpoints/C:%5cWindows',
    '/checkpoints/vae-a/link.txt',
    '/checkpoints/.hidden/genloom.json',
    '/checkpoints/vae-a/weights.bin%00.txt',
    '/../secret.txt',
    '/%2e%2e/secret.txt',
    '/assets/..%2f..%2fsecret.txt',
    '/bench-files/..%2fsecret.txt',
    '/bench-files/../secret.txt',
    '/bench-files/report.md',
  ])('refuses %s', async (path) => {
    const res = await raw(port, 'GET', path);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.body).not.toContain('top secret');
  });

  it('refuses traversal before touching the file system', () => {
    expect(safeSegments('a/b.bin')).toEqual(['a', 'b.bin']);
    for (const bad of ['..', 'a/..', '%2e%2e', 'a%2fb', '.git/config', 'a//b', '%', 'a\\b', '/etc/passwd/'.slice(1) + '/']) expect(safeSegments(bad)).toBeNull();
    expect(safeSegments('x'.repeat(2000))).toBeNull();
  });

  it('stores a valid preference and judgement with prepared statements, and reports Elo', async () => {
    const pref = { kind: 'preference', rater: 'tester', left: { checkpoint: 'vae-a', sample: 'seed=1' }, right: { checkpoint: 'vae-b', sample: 'seed=2' }, winner: 'left', prompt: "Robert'); DROP TABLE preferences;--" };
    const res = await raw(port, 'POST', '/api/ratings', JSON.stringify(pref), { 'Content-Type': 'application/json' });
    expect(res.status).toBe(201);
    const judge = { kind: 'judgement', rater: 'tester', sample: 'mnist-test:7', checkpoint: null, judgedReal: true };
    expect((await raw(port, 'POST', '/api/ratings', JSON.stringify(judge), { 'Content-Type': 'application/json; charset=utf-8' })).status).toBe(201);
    const elo = JSON.parse((await raw(port, 'GET', '/api/elo')).body) as { elo: Record<string, number>; counts: { preferences: number; judgements: number } };
    expect(elo.counts).toEqual({ preferences: 1, judgements: 1 });
    expect(elo.elo['vae-a']!).toBeGreaterThan(elo.elo['vae-b']!);
    const store = RatingStore.open(dbFile());
    expect(store.preferences()[0]!.prompt).toBe(pref.prompt); // stored as data, the table is still there
    expect(store.judgements()[0]!.checkpoint).toBeNull();
    store.close();
  });

  it.each([
    [{ kind: 'preference', rater: 'x', left: { checkpoint: 'vae-a', sample: 's' }, right: { checkpoint: 'vae-a', sample: 't' }, winner: 'left' }, 'same checkpoint'],
    [{ kind: 'preference', rater: 'x', left: { checkpoint: 'vae-a', sample: 's' }, right: { checkpoint: 'nope', sample: 't' }, winner: 'left' }, 'right.checkpoint'],
    [{ kind: 'preference', rater: 'x', left: { checkpoint: 'vae-a', sample: 's' }, right: { checkpoint: 'vae-b', sample: 't' }, winner: 'both' }, 'winner'],
    [{ kind: 'preference', rater: 'x', left: { checkpoint: 'vae-a', sample: '<script>' }, right: { checkpoint: 'vae-b', sample: 't' }, winner: 'tie' }, 'left.sample'],
    [{ kind: 'judgement', rater: 'x', sample: 's', checkpoint: null, judgedReal: 'yes' }, 'judgedReal'],
    [{ kind: 'judgement', rater: 'x', sample: 's', checkpoint: null, judgedReal: true, confidence: 2 }, 'confidence'],
    [{ kind: 'judgement', rater: 'x', sample: 's', checkpoint: null, judgedReal: true, extra: 1 }, 'unknown field'],
    [{ kind: 'judgement', rater: '', sample: 's', checkpoint: null, judgedReal: true }, 'rater'],
    [{ kind: 'vote' }, 'kind'],
    [[1, 2], 'JSON object'],
  ])('rejects an invalid rating (%#) naming the problem', async (body, message) => {
    const res = await raw(port, 'POST', '/api/ratings', JSON.stringify(body), { 'Content-Type': 'application/json' });
    expect(res.status).toBe(400);
    expect((JSON.parse(res.body) as { error: string }).error).toContain(message);
  });

  it('bounds bodies, checks the content type and the method', async () => {
    const big = JSON.stringify({ kind: 'judgement', rater: 'x', sample: 'a'.repeat(MAX_BODY_BYTES), checkpoint: null, judgedReal: true });
    expect((await raw(port, 'POST', '/api/ratings', big, { 'Content-Type': 'application/json' })).status).toBe(413);
    expect((await raw(port, 'POST', '/api/ratings', '{"kind":', { 'Content-Type': 'application/json' })).status).toBe(400);
    expect((await raw(port, 'POST', '/api/ratings', '{}', { 'Content-Type': 'text/plain' })).status).toBe(415);
    expect((await raw(port, 'GET', '/api/ratings')).status).toBe(405);
    expect((await raw(port, 'DELETE', '/checkpoints/vae-a/weights.bin')).status).toBe(405);
    const store = RatingStore.open(dbFile());
    expect(store.judgements().length).toBe(1); // nothing invalid was stored
    store.close();
  });

  it('finds the latest bench report and serves only its plots', async () => {
    const bench = JSON.parse((await raw(port, 'GET', '/api/bench')).body) as { dir: string; markdown: { name: string; text: string }; json: Record<string, unknown>; files: Array<{ name: string }> };
    expect(bench.dir).toBe('bench-out/');
    expect(bench.markdown.name).toBe('report.md');
    expect(bench.json['vae.json']).toEqual({ stepsPerSecond: 3 });
    const svg = await raw(port, 'GET', '/bench-files/loss.svg');
    expect(svg.status).toBe(200);
    expect(svg.headers['content-type']).toBe('image/svg+xml');
  });
});

describe('latestBenchReport', () => {
  it('takes the folder with the newest Markdown report, and a dated report with only its own files', async () => {
    const { latestBenchReport } = await import('./bench-report.js');
    const { utimesSync } = await import('node:fs');
    const root = mkdtempSync(join(tmpdir(), 'genloom-web-bench-'));
    try {
      const out = join(root, 'bench-out');
      const results = join(root, 'results');
      mkdirSync(out);
      mkdirSync(results);
      const at = (file: string, text: string, minutesAgo: number) => {
        writeFileSync(file, text);
        const t = new Date(Date.now() - minutesAgo * 60_000);
        utimesSync(file, t, t);
      };
      at(join(out, 'core.md'), '# core', 30);
      at(join(out, 'core.json'), '{"suite":"core"}', 30);
      at(join(results, '2026-01-01-aaa.md'), '# old', 60);
      at(join(results, '2026-01-01-aaa.json'), '{"run":"old"}', 60);
      at(join(results, '2026-01-02-bbb.md'), '# new', 5);
      at(join(results, '2026-01-02-bbb.json'), '{"run":"new"}', 5);
      at(join(results, '2026-01-02-bbb-loss.svg'), '<svg/>', 5);
      const dirs = [{ path: out, label: 'bench-out/' }, { path: results, label: 'bench/results/' }];
      let report = await latestBenchReport(dirs);
      expect(report.dir).toBe('bench/results/');
      expect(report.markdown?.text).toBe('# new');
      expect(Object.keys(report.json)).toEqual(['2026-01-02-bbb.json']);
      expect(report.files.map((f) => f.name).sort()).toEqual(['2026-01-02-bbb-loss.svg', '2026-01-02-bbb.json', '2026-01-02-bbb.md']);
      at(join(out, 'core.md'), '# core, rerun', 1);
      report = await latestBenchReport(dirs);
      expect(report.dir).toBe('bench-out/');
      expect(report.markdown?.text).toBe('# core, rerun');
      expect(report.json['core.json']).toEqual({ suite: 'core' });
      at(join(out, 'seq2seq.json'), '{"suite":"seq2seq"}', 2);
      report = await latestBenchReport(dirs);
      expect(Object.keys(report.json).sort()).toEqual(['core.json', 'seq2seq.json']); // per-suite results: all of them
      expect((await latestBenchReport([{ path: join(root, 'none'), label: 'none/' }])).dir).toBeNull();
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('listCheckpoints: modality', () => {
  it('a pix2pix GAN translates images (image-to-image); other GANs, VAEs: image; language models: text', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'genloom-web-modality-'));
    try {
      const write = (name: string, manifest: Record<string, unknown>) => {
        mkdirSync(join(dir, name));
        writeFileSync(join(dir, name, 'genloom.json'), JSON.stringify({ format: 'genloom-checkpoint', ...manifest }));
      };
      write('gan-pix2pix-emoji', { family: 'gan', config: { architecture: 'pix2pix' } }); // in the demo list
      write('my-colouriser', { family: 'gan', config: { architecture: 'pix2pix' } }); // not in it: read from the config
      write('my-dcgan', { family: 'gan', config: { architecture: 'dcgan' } });
      write('my-vae', { family: 'vae', config: {} });
      write('my-lm', { family: 'rnn-lm', config: {} });
      const modality = Object.fromEntries((await listCheckpoints(dir)).map((c) => [c.name, c.modality]));
      expect(modality).toEqual({ 'gan-pix2pix-emoji': 'image-to-image', 'my-colouriser': 'image-to-image', 'my-dcgan': 'image', 'my-vae': 'image', 'my-lm': 'text' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

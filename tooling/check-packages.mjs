#!/usr/bin/env node
// The consumer's first hour, checked: every public package packs to a tarball holding only its
// built ESM, .d.ts and source maps (no tests, fixtures or scratch files), passes publint and
// arethetypeswrong; then blank projects outside the monorepo install single packages from those
// tarballs with only @tensorflow/tfjs and the wasm backend, and (1) train and sample a tiny VAE in
// Node, (2) train and generate with a tiny RNN language model, (3) build a Vite page that imports a
// family for the browser. Run after `pnpm build`.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'genloom-consumer-'));
const tarballs = join(work, 'tarballs');
mkdirSync(tarballs);
const sh = (cmd, args, cwd = root, quiet = false) =>
  execFileSync(cmd, args, { cwd, stdio: quiet ? ['ignore', 'pipe', 'pipe'] : ['ignore', 'pipe', 'inherit'], encoding: 'utf8', env: { ...process.env, npm_config_fund: 'false', npm_config_audit: 'false' } });
let failures = 0;
const check = (ok, what) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures++;
};

const only = process.argv.slice(2); // optional: names of the packages to check (default: every public one)
const publicPackages = readdirSync(join(root, 'packages'))
  .map((d) => join(root, 'packages', d))
  .filter((dir) => only.length === 0 || only.some((n) => dir.endsWith(`/${n.replace('@genloom/', '')}`)))
  .filter((dir) => {
    try {
      return !JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).private;
    } catch {
      return false;
    }
  });

const tgz = {};
for (const dir of publicPackages) {
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  let out;
  try {
    out = sh('pnpm', ['pack', '--pack-destination', tarballs], dir, true).trim().split('\n').at(-1);
  } catch (err) {
    check(false, `${pkg.name}: pnpm pack\n${err.stdout}${err.stderr}`);
    continue;
  }
  tgz[pkg.name] = out;
  const files = sh('tar', ['tzf', out], root, true).trim().split('\n');
  const bad = files.filter((f) => /\.test\.|testing-fixtures|\.scratch|\/src\/|\.vitest-results/.test(f));
  check(bad.length === 0, `${pkg.name}: tarball holds no tests, fixtures or sources${bad.length ? ` (found ${bad.slice(0, 3).join(', ')})` : ''}`);
  check(files.includes('package/dist/index.js') && files.includes('package/dist/index.d.ts') && files.some((f) => f.endsWith('.js.map')), `${pkg.name}: dist has ESM, .d.ts and source maps`);
  const peers = Object.keys(pkg.peerDependencies ?? {});
  if (pkg.name !== '@genloom/eval' || peers.length) check(peers.includes('@tensorflow/tfjs'), `${pkg.name}: @tensorflow/tfjs is a peer dependency`);
  try {
    sh('pnpm', ['exec', 'publint', '--strict', out], root, true);
    check(true, `${pkg.name}: publint`);
  } catch (err) {
    check(false, `${pkg.name}: publint\n${err.stdout}`);
  }
  try {
    // ESM-only packages: node10 and CommonJS resolution are out of scope by design.
    sh('pnpm', ['exec', 'attw', out, '--profile', 'esm-only', '--format', 'table-flipped'], root, true);
    check(true, `${pkg.name}: arethetypeswrong (esm-only)`);
  } catch (err) {
    check(false, `${pkg.name}: arethetypeswrong\n${err.stdout}`);
  }
}

const tfjs = ['@tensorflow/tfjs@4.22.0', '@tensorflow/tfjs-backend-wasm@4.22.0'];
function blankProject(name, deps) {
  const dir = join(work, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, private: true, type: 'module' }));
  sh('npm', ['install', '--no-save', '--loglevel=error', ...deps], dir);
  return dir;
}

const need = (...names) => names.every((n) => tgz[n]);

// 1. Node, @genloom/vae alone (with its @genloom/core tarball): train a tiny VAE and sample.
if (need('@genloom/core', '@genloom/vae')) {
  const dir = blankProject('node-vae', [tgz['@genloom/core'], tgz['@genloom/vae'], ...tfjs]);
  writeFileSync(join(dir, 'main.js'), `
import * as tf from '@tensorflow/tfjs';
import { initBackend, train } from '@genloom/core';
import { createVAE, resolveVAEConfig } from '@genloom/vae';
const info = await initBackend();
const vae = createVAE(resolveVAEConfig({}, 'tiny'), 1);
const [h, w, c] = vae.config.inputShape ?? [28, 28, 1];
const data = { batchesPerEpoch: 4, batchSize: 16, batch: (e, i) => ({ x: tf.randomUniform([16, h, w, c], 0, 1, 'float32', 1 + e * 4 + i) }) };
const result = await train(vae, data, { steps: 20, optimizer: { type: 'adam', lr: 1e-3 } });
const samples = vae.sample(4, { seed: 3 });
const values = await samples.data();
if (!values.every(Number.isFinite)) throw new Error('non-finite samples');
console.log(JSON.stringify({ backend: info.backend, steps: result.steps, loss: result.lastLosses.loss, sampleShape: samples.shape }));
`);
  const out = sh('node', ['main.js'], dir, true).trim().split('\n').at(-1);
  const r = JSON.parse(out);
  check(r.backend === 'wasm' && r.steps === 20 && Number.isFinite(r.loss), `node consumer trains and samples a tiny VAE: ${out}`);
}

// 2. Node, @genloom/rnn-lm alone: train a tiny character LM and generate.
if (need('@genloom/core', '@genloom/rnn-lm')) {
  const dir = blankProject('node-rnn', [tgz['@genloom/core'], tgz['@genloom/rnn-lm'], ...tfjs]);
  writeFileSync(join(dir, 'main.js'), `
import * as tf from '@tensorflow/tfjs';
import { CharTokenizer, initBackend, train } from '@genloom/core';
import { createRNNLM, rnnLMTrainOptions } from '@genloom/rnn-lm';
await initBackend();
const text = 'the quick brown fox jumps over the lazy dog. '.repeat(40);
const tokenizer = CharTokenizer.fromCorpus(text);
const model = createRNNLM({ preset: 'tiny' }, { tokenizer, seed: 1 });
const ids = tokenizer.encode(text);
const { blockSize: T, batchSize: B } = model.config;
const data = { batchesPerEpoch: 8, batchSize: B, batch: (e, i) => {
  const x = new Int32Array(B * T), y = new Int32Array(B * T);
  for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) { const p = (i * 97 + b * 13 + t) % (ids.length - 1); x[b * T + t] = ids[p]; y[b * T + t] = ids[p + 1]; }
  return { x: tf.tensor2d(x, [B, T], 'int32'), y: tf.tensor2d(y, [B, T], 'int32') };
} };
const result = await train(model, data, { ...rnnLMTrainOptions(model.config), steps: 20 });
const out = await model.generate('the ', { maxTokens: 20, seed: 2 });
console.log(JSON.stringify({ steps: result.steps, loss: result.lastLosses.loss, sample: out }));
`);
  const out = sh('node', ['main.js'], dir, true).trim().split('\n').at(-1);
  const r = JSON.parse(out);
  check(r.steps === 20 && Number.isFinite(r.loss) && typeof r.sample === 'string' && r.sample.length > 0, `node consumer trains and generates with a tiny RNN LM: ${out}`);
}

// 3. Browser: a blank Vite project importing @genloom/vae builds.
if (need('@genloom/core', '@genloom/vae')) {
  const dir = blankProject('vite-vae', [tgz['@genloom/core'], tgz['@genloom/vae'], ...tfjs, 'vite@7.3.8']);
  writeFileSync(join(dir, 'index.html'), '<!doctype html><html><body><canvas id="c"></canvas><script type="module" src="/main.js"></script></body></html>');
  writeFileSync(join(dir, 'main.js'), `
import { initBackend } from '@genloom/core';
import { createVAE, resolveVAEConfig } from '@genloom/vae';
const info = await initBackend();
const vae = createVAE(resolveVAEConfig({}, 'tiny'), 1);
const samples = vae.sample(1, { seed: 1 });
document.title = info.backend + ' ' + samples.shape.join('x');
`);
  try {
    sh('npx', ['vite', 'build', '--logLevel', 'error'], dir, true);
    const assets = readdirSync(join(dir, 'dist', 'assets'));
    check(assets.some((f) => f.endsWith('.js')), `a blank Vite project importing @genloom/vae builds for the browser (${assets.length} assets)`);
  } catch (err) {
    check(false, `Vite build of @genloom/vae\n${err.stdout}${err.stderr}`);
  }
}

console.log(`\npackages: ${failures === 0 ? 'all checks passed' : `${failures} check(s) failed`} (${work})`);
process.exit(failures === 0 ? 0 : 1);

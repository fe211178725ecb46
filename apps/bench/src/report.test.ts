import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareResults, imagesWrittenSince, lowerIsBetter, numbersTable, numericLeaves, seriesOf, writeResults, type BenchResults } from './report.js';

const session = (runs: BenchResults['runs']): BenchResults => ({ date: '', commit: 'x', machine: { cpu: '', cores: 2, node: '', loadAverage: [] }, options: {}, runs, evidence: { source: '', families: {} } });

describe('bench report', () => {
  it('flattens numbers and finds series to plot', () => {
    const result = { quality: { valLoss: 1.9, fid: 12 }, rows: [{ case: 'matmul 512', gflops: 15 }], history: [{ step: 1, loss: 3 }, { step: 2, loss: 2.5 }, { step: 3, loss: 2.2 }] };
    expect(numericLeaves(result)).toEqual({ 'quality.valLoss': 1.9, 'quality.fid': 12, 'rows[matmul 512].gflops': 15 });
    expect(seriesOf(result)['history (by step)']).toEqual([{ x: 1, y: 3, series: 'loss' }, { x: 2, y: 2.5, series: 'loss' }, { x: 3, y: 2.2, series: 'loss' }]);
  });

  it('knows which way each metric should move and flags regressions only', () => {
    expect(lowerIsBetter('quality.valLoss')).toBe(true);
    expect(lowerIsBetter('speed.secondsPerEpoch')).toBe(true);
    expect(lowerIsBetter('rows[matmul].gflops')).toBe(false);
    expect(lowerIsBetter('quality.auroc')).toBe(false);
    const before = session([{ suite: 'vae', seconds: 1, result: { testLoss: 100, gflops: 10, auroc: 0.9, steps: 5 } }]);
    const after = session([{ suite: 'vae', seconds: 1, result: { testLoss: 120, gflops: 14, auroc: 0.91, steps: 50 } }]);
    const rows = compareResults(after, before);
    expect(rows.find((r) => r.metric === 'testLoss')).toMatchObject({ regression: true });
    expect(rows.find((r) => r.metric === 'gflops')).toMatchObject({ regression: false });
    expect(rows.find((r) => r.metric === 'auroc')).toBeUndefined(); // within 10%
    expect(rows.find((r) => r.metric === 'steps')).toMatchObject({ regression: false }); // direction unknown: reported, not flagged
  });

  it('writes the results file with evidence, a report comparing with the previous one, and SVG plots', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'genloom-bench-'));
    const evidence = { vae: { small: { trainMinutes: 3.5, quality: { metric: 'negElbo', value: 101, lowerIsBetter: true } } } };
    const first = await writeResults(dir, [{ suite: 'vae', seconds: 2, result: { testLoss: 100, evidence } }], {});
    const firstJson = JSON.parse(await readFile(first.json, 'utf8'));
    expect(firstJson.evidence.families.vae.small.trainMinutes).toBe(3.5);
    // the same suite finishing again within the minute gets a name of its own; the first file is kept
    const again = await writeResults(dir, [{ suite: 'vae', seconds: 2, result: { testLoss: 99 } }], {});
    expect(again.json).not.toBe(first.json);
    expect(JSON.parse(await readFile(first.json, 'utf8')).runs[0].result.testLoss).toBe(100);
    expect(JSON.parse(await readFile(again.json, 'utf8')).evidence.source).toBe(`bench/results/${again.json.split('/').pop()}`);
    await rm(again.json);
    await rm(again.markdown);
    // a later session (renamed so the stamps differ) is compared with the first
    const { rename } = await import('node:fs/promises');
    await rename(first.json, join(dir, '2000-01-01-old.json'));
    const second = await writeResults(dir, [{ suite: 'vae', seconds: 2, result: { testLoss: 130, curve: [{ epoch: 1, testLoss: 140 }, { epoch: 2, testLoss: 135 }, { epoch: 3, testLoss: 130 }] }, markdown: '# vae\n\nhello' }], {});
    const md = await readFile(second.markdown, 'utf8');
    expect(second.regressions).toBe(1);
    expect(md).toMatch(/## Compared with 2000-01-01-old.json/);
    expect(md).toMatch(/\| vae \| testLoss \| 100 \| 130 \| ⚠ 30% \|/);
    expect(md).toMatch(/### vae/);
    const plots = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory());
    const svgs = await readdir(join(dir, plots[0]!.name));
    expect(svgs.length).toBe(1);
    expect(await readFile(join(dir, plots[0]!.name, svgs[0]!), 'utf8')).toMatch(/^<svg/);
    await rm(dir, { recursive: true, force: true });
  });

  it('tables the numbers of a suite without its own report, leaving out what describes the run', () => {
    const result = { testLoss: 105.36, conditions: { epochs: 10, digits: [0, 1, 2, 3] }, evidence: { vae: { small: { trainMinutes: 5 } } }, oneClass: [{ digit: 0, auroc: 98.9 }, { digit: 1, auroc: 99.9 }, { digit: 2, auroc: 84.9 }] };
    const table = numbersTable(result).join('\n');
    expect(table).toMatch(/\| testLoss \| 105.4 \|/);
    expect(table).not.toMatch(/conditions|evidence/);
    const series = seriesOf(result);
    expect(Object.keys(series)).toEqual(['oneClass (by digit)']); // per digit, not per seconds; conditions.digits is not a series
    expect(numbersTable({})).toEqual(['(no numbers)']);
  });

  it('copies the images a suite wrote next to the report and shows peak memory', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'genloom-bench-'));
    const out = join(dir, 'bench-out');
    const { mkdir, writeFile: write, utimes } = await import('node:fs/promises');
    await mkdir(out);
    await write(join(out, 'vae-old.png'), 'x');
    await utimes(join(out, 'vae-old.png'), new Date(2000, 0, 1), new Date(2000, 0, 1));
    const started = Date.now();
    await write(join(out, 'vae-samples.png'), 'png bytes');
    await write(join(out, 'gan-dcgan.png'), 'another suite, running at the same time');
    const images = await imagesWrittenSince(out, 'vae', started);
    expect(images).toEqual([join(out, 'vae-samples.png')]); // not the one written before the suite, nor the other suite's
    const written = await writeResults(join(dir, 'results'), [{ suite: 'vae', seconds: 3, peakRssMB: 812, result: { testLoss: 1 }, images }], {});
    const md = await readFile(written.markdown, 'utf8');
    expect(md).toMatch(/\| vae \| 3 s \| 812 MB \| ok \|/);
    const link = md.match(/!\[vae vae-samples.png\]\(([^)]+)\)/);
    expect(link).not.toBeNull();
    expect(await readFile(join(dir, 'results', link![1]!), 'utf8')).toBe('png bytes');
    await rm(dir, { recursive: true, force: true });
  });
});

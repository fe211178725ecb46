import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findBenchEvidence } from './advise-command.js';

describe('findBenchEvidence', () => {
  const cwd = process.cwd();
  afterEach(() => process.chdir(cwd));

  it('merges results files field by field: newest full run first, quick runs only fill gaps', async () => {
    const root = await mkdtemp(join(tmpdir(), 'genloom-evidence-'));
    const dir = join(root, 'bench', 'results');
    await mkdir(dir, { recursive: true });
    const file = (suite: string, families: object) => JSON.stringify({ options: { suite }, evidence: { source: 'x', families } });
    await writeFile(join(dir, '2026-01-01-1000-aaa-vae.json'), file('full', { vae: { small: { trainMinutes: 9, quality: { metric: 'testLoss', value: 105.4, lowerIsBetter: true } } } }));
    await writeFile(join(dir, '2026-01-02-1000-bbb-vae.json'), file('full', { vae: { small: { trainMinutes: 4 } } }));
    await writeFile(join(dir, '2026-01-03-1000-ccc-vae+gan.json'), file('quick', { vae: { small: { trainMinutes: 0.1 } }, gan: { dcgan: { trainMinutes: 1 } } }));
    await writeFile(join(dir, '2026-01-04-1000-ddd-transformer.json'), file('full', { transformer: { 'nanogpt-cpu': { trainMinutes: 15 } } }));
    await writeFile(join(dir, 'notes.json'), '{ not json');
    process.chdir(root);
    const ev = await findBenchEvidence();
    expect(ev?.families.vae?.small?.trainMinutes).toBe(4); // the newer full run, not the later quick one
    expect(ev?.families.vae?.small?.quality?.value).toBe(105.4); // the newer run measured only speed: the older quality stands
    expect(ev?.families.gan?.dcgan?.trainMinutes).toBe(1); // only a quick run measured it
    expect(ev?.families.transformer?.['nanogpt-cpu']?.trainMinutes).toBe(15);
    expect(ev?.source.split(', ').sort()).toEqual(['bench/results/2026-01-01-1000-aaa-vae.json', 'bench/results/2026-01-02-1000-bbb-vae.json', 'bench/results/2026-01-03-1000-ccc-vae+gan.json', 'bench/results/2026-01-04-1000-ddd-transformer.json']);
    await rm(root, { recursive: true, force: true });
  });

  it('reads one file given with --evidence and names a file without evidence', async () => {
    const root = await mkdtemp(join(tmpdir(), 'genloom-evidence-'));
    await writeFile(join(root, 'a.json'), JSON.stringify({ runs: [] }));
    await expect(findBenchEvidence(join(root, 'a.json'))).rejects.toThrow(/has no "evidence" section/);
    await expect(findBenchEvidence(join(root, 'missing.json'))).rejects.toThrow(/cannot read bench results/);
    await rm(root, { recursive: true, force: true });
  });
});

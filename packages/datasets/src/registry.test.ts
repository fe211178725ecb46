import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import pngjs from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { listDataSets, resolveDataSpec } from './registry.js';

describe('resolveDataSpec', () => {
  it('resolves every shipped data set to its modality without reading anything', () => {
    const modalities = Object.fromEntries(
      ['mnist', 'emoji', 'moby-dick', 'cmudict', 'sensor'].map((name) => [name, resolveDataSpec(name).modality]),
    );
    expect(modalities).toEqual({ mnist: 'image', emoji: 'image', 'moby-dick': 'text', cmudict: 'pairs', sensor: 'tabular' });
    expect(resolveDataSpec(' MNIST ').name).toBe('mnist');
    expect(resolveDataSpec('text:corpus.txt')).toMatchObject({ modality: 'text', name: 'text', spec: 'text:corpus.txt' });
    expect(resolveDataSpec('idx:a.idx,b.idx').modality).toBe('image');
    expect(resolveDataSpec('images:faces').modality).toBe('image');
    expect(resolveDataSpec('csv:x.csv,label').modality).toBe('tabular');
  });

  it('lists the valid choices for an unknown name', () => {
    expect(() => resolveDataSpec('cifar10')).toThrow(
      'unknown data set "cifar10"; valid choices: mnist, emoji, moby-dick, cmudict, sensor, text:PATH, idx:IMAGES[,LABELS], images:DIR, csv:PATH[,LABEL_COLUMN]',
    );
    expect(() => resolveDataSpec('')).toThrow(/a data spec is needed; valid choices: mnist/);
  });

  it('explains why the 8×8 digits are missing and what to use instead', () => {
    expect(() => resolveDataSpec('digits')).toThrow(/no npm package ships its data.*Use "mnist"/);
  });

  it('checks arguments and options', () => {
    expect(() => resolveDataSpec('text:')).toThrow('data spec "text:" needs a path after the colon: text:PATH');
    expect(() => resolveDataSpec('mnist:foo')).toThrow('data set "mnist" takes no argument; write just "mnist"');
    expect(() => resolveDataSpec('idx:a,b,c')).toThrow(/expected idx:IMAGES or idx:IMAGES,LABELS/);
    expect(() => resolveDataSpec('csv:a,')).toThrow(/expected csv:PATH or csv:PATH,LABEL_COLUMN/);
    expect(() => resolveDataSpec('mnist', { normalize: 'tanh' as never })).toThrow(/pixel scale must be one of zero-one, minus-one-one, none/);
    expect(() => resolveDataSpec('csv:x.csv', { testFraction: 1.5 })).toThrow(/testFraction must be a number in \[0, 1\)/);
  });

  it('describes every entry for help texts', () => {
    const entries = listDataSets();
    expect(entries.map((e) => e.usage)).toContain('moby-dick');
    expect(entries.every((e) => e.description.length > 20)).toBe(true);
  });
});

describe('resolveDataSpec loaders', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'genloom-registry-'));
    await writeFile(join(dir, 'corpus.txt'), 'abcdefghij'.repeat(10));
    await writeFile(join(dir, 'table.csv'), `a,b,label\n${Array.from({ length: 200 }, (_, i) => `${i},${-i},${i % 2}`).join('\n')}`);
    const header = new Uint8Array([0, 0, 8, 3, 0, 0, 0, 50, 0, 0, 0, 2, 0, 0, 0, 2]);
    const pixels = Uint8Array.from({ length: 200 }, (_, i) => Math.floor(i / 4));
    await writeFile(join(dir, 'images.idx'), Buffer.concat([header, pixels]));
    await writeFile(join(dir, 'labels.idx'), Buffer.concat([Buffer.from([0, 0, 8, 1, 0, 0, 0, 50]), Buffer.from(Array.from({ length: 50 }, (_, i) => i % 10))]));
    await mkdir(join(dir, 'pngs', 'a'), { recursive: true });
    for (let i = 0; i < 12; i++) {
      const image = new pngjs.PNG({ width: 4, height: 4 });
      image.data.fill(255);
      await writeFile(join(dir, 'pngs', 'a', `${i}.png`), pngjs.PNG.sync.write(image));
    }
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('loads user text with its validation tail', async () => {
    const data = resolveDataSpec(`text:${join(dir, 'corpus.txt')}`, { testFraction: 0.2 });
    if (data.modality !== 'text') throw new Error('expected text');
    expect((await data.load('train')).length).toBe(80);
    expect(await data.load('test')).toBe('abcdefghij'.repeat(2));
  });

  it('loads user CSV and IDX files as disjoint, complete splits', async () => {
    const csv = resolveDataSpec(`csv:${join(dir, 'table.csv')},label`);
    if (csv.modality !== 'tabular') throw new Error('expected tabular');
    const [train, test] = await Promise.all([csv.load('train'), csv.load('test')]);
    expect(train.shape[0] + test.shape[0]).toBe(200);
    expect(train.columns).toEqual(['a', 'b']);
    expect(Array.from(test.labels!)).toEqual(Array.from(test.features.filter((_, i) => i % 2 === 0), (v) => v % 2));

    const idx = resolveDataSpec(`idx:${join(dir, 'images.idx')},${join(dir, 'labels.idx')}`, { normalize: 'none' });
    if (idx.modality !== 'image') throw new Error('expected image');
    const [itrain, itest] = await Promise.all([idx.load('train'), idx.load('test')]);
    expect(itrain.shape[0] + itest.shape[0]).toBe(50);
    const ids = [...itrain.images.filter((_, i) => i % 4 === 0), ...itest.images.filter((_, i) => i % 4 === 0)];
    expect(ids.sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(Array.from(itest.labels!)).toEqual(Array.from(itest.images.filter((_, i) => i % 4 === 0), (v) => v % 10));
  });

  it('loads a PNG folder, resized when imageSize is given', async () => {
    const data = resolveDataSpec(`images:${join(dir, 'pngs')}`, { imageSize: 2, testFraction: 0.25 });
    if (data.modality !== 'image') throw new Error('expected image');
    const [train, test] = await Promise.all([data.load('train'), data.load('test')]);
    expect(train.shape.slice(1)).toEqual([2, 2, 1]);
    expect(train.shape[0] + test.shape[0]).toBe(12);
    expect(train.classNames).toEqual(['a']);
  });

  it('loads the shipped sets through their descriptors', async () => {
    const moby = resolveDataSpec('moby-dick');
    if (moby.modality !== 'text') throw new Error('expected text');
    expect((await moby.load('test')).length).toBe(1_190_317 - Math.floor(1_190_317 * 0.9));
    const sensor = resolveDataSpec('sensor');
    if (sensor.modality !== 'tabular') throw new Error('expected tabular');
    expect((await sensor.load('test')).columns).toEqual(['humidity', 'temperature']);
    const emoji = resolveDataSpec('emoji', { imageSize: 16, normalize: 'minus-one-one' });
    if (emoji.modality !== 'image') throw new Error('expected image');
    const sprites = await emoji.load('test');
    expect(sprites.shape.slice(1)).toEqual([16, 16, 4]);
    expect(sprites.pixelRange).toEqual([-1, 1]);
  });
});

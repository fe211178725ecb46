#!/usr/bin/env node
// Exercises the release flow without publishing: copies the workspace's manifests and changesets
// into a scratch git repository, adds a patch changeset for one package, runs `changeset version`,
// and checks that packages are versioned independently, CHANGELOGs are written, and private apps
// are left alone. (`pnpm release` runs `changeset publish`, which needs registry credentials.)
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const scratch = mkdtempSync(join(tmpdir(), 'genloom-release-'));
const read = (p) => JSON.parse(readFileSync(p, 'utf8'));
const dirsOf = (top) => readdirSync(join(root, top)).filter((d) => existsSync(join(root, top, d, 'package.json'))).map((d) => `${top}/${d}`);
const workspaces = [...dirsOf('packages'), ...dirsOf('apps'), 'tooling'];
for (const ws of workspaces) {
  mkdirSync(join(scratch, ws), { recursive: true });
  cpSync(join(root, ws, 'package.json'), join(scratch, ws, 'package.json'));
}
for (const f of ['package.json', 'pnpm-workspace.yaml']) cpSync(join(root, f), join(scratch, f));
cpSync(join(root, '.changeset'), join(scratch, '.changeset'), { recursive: true });
// Only this check's own changeset is pending in the scratch copy, so its effect is unambiguous.
for (const f of readdirSync(join(scratch, '.changeset'))) if (f.endsWith('.md') && f !== 'README.md') rmSync(join(scratch, '.changeset', f));
const git = (...args) => execFileSync('git', args, { cwd: scratch, stdio: 'pipe' });
git('init', '-q', '-b', 'main');
git('-c', 'user.email=ci@genloom.invalid', '-c', 'user.name=ci', 'add', '-A');
git('-c', 'user.email=ci@genloom.invalid', '-c', 'user.name=ci', 'commit', '-qm', 'scratch');

const before = Object.fromEntries(workspaces.map((ws) => [ws, read(join(scratch, ws, 'package.json'))]));
writeFileSync(join(scratch, '.changeset', 'check-vae-fix.md'), '---\n"@genloom/vae": patch\n---\n\nFix a thing in the VAE.\n');
execFileSync(process.execPath, [join(root, 'node_modules', '@changesets', 'cli', 'bin.js'), 'version'], { cwd: scratch, stdio: 'pipe' });

let failures = 0;
const check = (ok, what) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures++;
};
const after = Object.fromEntries(workspaces.map((ws) => [ws, read(join(scratch, ws, 'package.json'))]));
const vae = workspaces.find((ws) => before[ws].name === '@genloom/vae');
check(vae && after[vae].version !== before[vae].version, `@genloom/vae bumped ${before[vae]?.version} → ${after[vae]?.version}`);
check(vae && existsSync(join(scratch, vae, 'CHANGELOG.md')) && readFileSync(join(scratch, vae, 'CHANGELOG.md'), 'utf8').includes('Fix a thing in the VAE.'), '@genloom/vae CHANGELOG.md written with the change');
const others = workspaces.filter((ws) => !before[ws].private && ws !== vae);
check(others.every((ws) => after[ws].version === before[ws].version), `the other public packages keep their versions (${others.map((ws) => `${before[ws].name} ${after[ws].version}`).join(', ')})`);
for (const ws of workspaces.filter((w) => before[w].private)) {
  check(after[ws].version === before[ws].version && !existsSync(join(scratch, ws, 'CHANGELOG.md')), `${before[ws].name} (private) is not versioned`);
}
check(!existsSync(join(scratch, '.changeset', 'check-vae-fix.md')), 'consumed changesets are removed');
console.log(`\nrelease: ${failures === 0 ? 'all checks passed' : `${failures} check(s) failed`}`);
process.exit(failures ? 1 : 0);

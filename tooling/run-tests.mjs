#!/usr/bin/env node
// Runs every package's vitest suite through turbo (one package at a time: tfjs backends are
// process-global and the machine has two cores), then prints one summary line over all packages:
// "Tests: N passed, N failed, N skipped" — the line CI reads.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const dirs = ['packages', 'apps'].flatMap((top) =>
  existsSync(join(root, top)) ? readdirSync(join(root, top)).map((d) => join(root, top, d)) : [],
);
const resultFile = (dir) => join(dir, '.vitest-results.json');
for (const dir of dirs) rmSync(resultFile(dir), { force: true });

const extra = process.argv.slice(2);
const turbo = spawnSync('pnpm', ['exec', 'turbo', 'run', 'test', '--concurrency=1', '--force', ...extra], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' },
});

let passed = 0, failed = 0, skipped = 0;
const lines = [];
for (const dir of dirs) {
  if (!existsSync(resultFile(dir))) continue;
  const r = JSON.parse(readFileSync(resultFile(dir), 'utf8'));
  passed += r.numPassedTests;
  failed += r.numFailedTests;
  skipped += r.numPendingTests + (r.numTodoTests ?? 0);
  lines.push(`  ${dir.slice(root.length).padEnd(24)} ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests} skipped`);
}
console.log('\nPer package:');
console.log(lines.join('\n'));
const code = turbo.status ?? 1;
if (code !== 0 && failed === 0) failed = 1; // a package that crashed before reporting
console.log(`Tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(code);

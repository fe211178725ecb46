#!/usr/bin/env node
import { run } from './program.js';

run(process.argv).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`genloom: ${(err as Error).message ?? String(err)}\n`);
    process.exit(1);
  },
);

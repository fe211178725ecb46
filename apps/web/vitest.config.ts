import { defineConfig, mergeConfig } from 'vitest/config';
import base from '@genloom/tooling/vitest';

// Server tests (Node) and the browser tests (headless Chromium driven by playwright-core).
export default mergeConfig(base, defineConfig({ test: { include: ['src/**/*.test.ts', 'server/**/*.test.ts'] } }));

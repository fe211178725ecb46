import { defineConfig } from 'vitest/config';

/**
 * Shared vitest settings for every genloom package: resolve workspace packages to their TypeScript
 * sources (the `@genloom/source` export condition) so tests run without a build, one fork at a time
 * (tfjs backends are process-global and the machine has two cores), and generous timeouts for
 * training tests on the wasm backend.
 */
export default defineConfig({
  resolve: { conditions: ['@genloom/source'] },
  ssr: { resolve: { conditions: ['@genloom/source'] } },
  test: {
    include: ['src/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    reporters: ['default', 'json'],
    outputFile: { json: '.vitest-results.json' },
  },
});

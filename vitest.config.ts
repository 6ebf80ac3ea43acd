import { defineConfig } from 'vitest/config';

// One runner for every workspace, run from the root. Tests start real servers on ephemeral ports,
// so they get generous timeouts; two workers match the 2-core CI machine.
export default defineConfig({
  test: {
    include: ['libs/*/test/**/*.test.ts', 'services/*/test/**/*.test.ts', 'infra/**/test/**/*.test.ts'],
    exclude: ['**/node_modules/**'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    teardownTimeout: 20_000,
    env: { OMNI_LOG_LEVEL: process.env.OMNI_LOG_LEVEL ?? 'silent' },
  },
});

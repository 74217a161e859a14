import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';

// A release build when there is one (the numbers are about the product, not a debug build).
const release = resolve(import.meta.dirname, '../../../target/release/trellis');
if (!process.env.TRELLIS_BIN && existsSync(release)) process.env.TRELLIS_BIN = release;

// The browser benchmark (not part of the test command): `npm run bench:e2e`, or
//   E2E_SEED=1x10000 TRELLIS_BIN=target/release/trellis npx vitest run --config e2e/bench/vitest.config.ts
export default defineConfig({
  root: `${import.meta.dirname}/..`,
  test: {
    include: ['bench/*.e2e-bench.ts'],
    globalSetup: ['./harness/global-setup.ts'],
    pool: 'forks',
    fileParallelism: false,
    maxWorkers: 1,
    testTimeout: 900_000,
    hookTimeout: 900_000,
    reporters: ['default'],
  },
});

import { defineConfig } from 'vitest/config';

// The browser suite: one server for the run (globalSetup); test files in two worker
// processes (E2E_WORKERS), each with its own Chromium. Files never share an org they write to.
export default defineConfig({
  root: import.meta.dirname,
  test: {
    include: ['tests/**/*.e2e.ts'],
    globalSetup: ['./harness/global-setup.ts'],
    pool: 'forks',
    fileParallelism: true,
    maxWorkers: Number(process.env.E2E_WORKERS ?? 2),
    testTimeout: 60_000,
    hookTimeout: 120_000,
    teardownTimeout: 30_000,
    reporters: ['default'],
    bail: 0,
  },
});

import { defineConfig } from 'vitest/config';

// The browser suite: one server for the run (globalSetup), test files one at a time
// in their own process (2 cores: the server, Chromium and Node share them).
export default defineConfig({
  root: import.meta.dirname,
  test: {
    include: ['tests/**/*.e2e.ts'],
    globalSetup: ['./harness/global-setup.ts'],
    pool: 'forks',
    fileParallelism: false,
    maxWorkers: 1,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    teardownTimeout: 30_000,
    reporters: ['default'],
    bail: 0,
  },
});

import { defineConfig } from 'vitest/config'

/** End-to-end tests: the real server, a real Chromium. Run with `pnpm --filter @switchyard/web e2e`. */
export default defineConfig({
  test: {
    include: ['e2e/**/*.e2e.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 180_000,
    fileParallelism: false,
  },
})

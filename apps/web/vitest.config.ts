import { defineConfig } from 'vitest/config'

/** Unit tests of the canvas model: pure functions, no browser. */
export default defineConfig({
  test: { include: ['src/**/*.test.ts'], environment: 'node' },
})

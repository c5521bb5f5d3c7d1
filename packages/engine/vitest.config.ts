import { defineConfig } from 'vitest/config'

/** The engine's behaviour tests that run again on PostgreSQL, unchanged (test/harness.ts picks the store). */
const ON_POSTGRES = ['src/engine.scenarios.test.ts', 'src/engine.durability.test.ts', 'src/engine.split.test.ts', 'src/journal.test.ts', 'src/engine.rules.test.ts', 'src/engine.labels.test.ts', 'src/engine.set-aside.test.ts', 'src/relay.test.ts', 'src/outbox-templates.test.ts']

export default defineConfig({
  test: {
    projects: [
      { extends: true, test: { name: 'engine', include: ['src/**/*.test.ts', 'test/**/*.test.ts'] } },
      { extends: true, test: { name: 'engine-on-postgres', include: ON_POSTGRES, env: { SWITCHYARD_TEST_STORE: 'postgres' } } },
    ],
  },
})

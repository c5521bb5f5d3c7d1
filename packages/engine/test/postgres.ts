import { postgresSchemas } from '@switchyard/storage/testing'
import { PgEngineStore } from '../src/index'

/** `postgresSchemas` of `@switchyard/storage/testing`, with an engine store on a schema. */
export function postgresForTests(label: string) {
  const schemas = postgresSchemas(label)
  return {
    ...schemas,
    async store(schema: string, now: number): Promise<PgEngineStore> {
      return PgEngineStore.open(await schemas.pool(schema), now)
    },
  }
}

import type { ComponentMigrations } from '@switchyard/storage'
import { ENGINE_POSTGRES_MIGRATIONS } from './postgres/migrations'
import { ENGINE_SQLITE_MIGRATIONS } from './sqlite/migrations'

/** The engine's tables on each backend, applied by the shared runner under the component `engine`. */
export const ENGINE_MIGRATIONS: ComponentMigrations = { component: 'engine', sqlite: ENGINE_SQLITE_MIGRATIONS, postgres: ENGINE_POSTGRES_MIGRATIONS }

export { migrateSqlite, migratePostgres, pendingSteps, type ComponentMigrations, type SqliteStep, type PostgresStep } from './migrate'
export { isPostgresUrl, openPostgres, inTransaction, redactUrl, type PostgresOptions } from './postgres'
export type { StoreBackend } from './backend'

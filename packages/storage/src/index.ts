export { migrateSqlite, migratePostgres, pendingSteps, type ComponentMigrations, type SqliteStep, type PostgresStep } from './migrate'
export { isPostgresUrl, openPostgres, inTransaction, redactUrl, type PostgresOptions } from './postgres'
export { PartitionLeases, LeaseLostError, LEASE_MIGRATIONS, type LeaseOptions } from './leases'
export { listen } from './notify'

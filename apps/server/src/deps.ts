import type { BackendMaintenance, Engine } from '@switchyard/engine'
import type { Config, Role } from './config'
import type { Metrics } from './metrics'
import type { Logger } from './log'
import type { RouteRegistry } from './openapi'
import type { Integrations } from './integrations'

/** What the app is built from; tests pass their own (a temp database, a fake clock). */
export interface AppDeps {
  engine: Engine
  config: Pick<Config, 'adminToken' | 'writeKey' | 'workspace' | 'webDist'>
  metrics: Metrics
  log: Logger
  registry: RouteRegistry
  integrations: Integrations
  version: string
  /** Backups and sizes; absent where the app runs without its own database file (some tests). */
  database?: BackendMaintenance
  /** `worker`: only /healthz, /metrics and /openapi.json are served. Default `both`. */
  role?: Role
  /** On a shared database: what /healthz adds about this process. */
  health?: () => { role: Role; partitions: number }
}

import { boot } from './boot'
import { ConfigError, loadConfig } from './config'
import { jsonLogger } from './log'

// Until the configuration is read: failures to start are errors, written at any level.
let log = jsonLogger()

async function main(): Promise<void> {
  let config
  try {
    config = loadConfig(process.env)
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`switchyard: ${error.message}\n`)
      process.exit(1)
    }
    throw error
  }
  log = jsonLogger(undefined, config.logLevel)
  const running = await boot(config, log)
  process.stdout.write(`\n  Switchyard is running at ${running.url}\n\n`)
  const shutdown = (signal: string) => {
    log.info('shutting down', { signal })
    running.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error('shutdown failed', { error: error instanceof Error ? error.stack : String(error) })
        process.exit(1)
      },
    )
  }
  process.once('SIGTERM', () => shutdown('SIGTERM'))
  process.once('SIGINT', () => shutdown('SIGINT'))
}

main().catch((error: unknown) => {
  log.error('failed to start', { error: error instanceof Error ? error.stack : String(error) })
  process.exit(1)
})

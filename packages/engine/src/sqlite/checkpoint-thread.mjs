// The background checkpoint's thread (see checkpoint.ts). Plain JavaScript: it needs no loader.
import { parentPort, workerData } from 'node:worker_threads'
import Database from 'better-sqlite3'

const { path, intervalMs, reportPasses } = workerData
const message = (error) => (error instanceof Error ? error.message : String(error))

function run(db) {
  let failed = false
  const timer = setInterval(() => {
    try {
      // PASSIVE copies what no reader still needs and never waits for a writer or a reader.
      const [result] = db.pragma('wal_checkpoint(PASSIVE)')
      if (reportPasses) parentPort.postMessage({ type: 'checkpointed', frames: result.checkpointed })
      failed = false
    } catch (error) {
      // Told once per run of failures; the writers' own checkpoints bound the WAL meanwhile.
      if (!failed) parentPort.postMessage({ type: 'failed', error: message(error) })
      failed = true
    }
  }, intervalMs)
  parentPort.on('message', (m) => {
    if (m !== 'stop') return
    clearInterval(timer)
    db.close()
    parentPort.close()
  })
}

try {
  run(new Database(path, { fileMustExist: true }))
} catch (error) {
  parentPort.postMessage({ type: 'failed', error: `cannot open ${path}: ${message(error)}` })
  parentPort.close()
}

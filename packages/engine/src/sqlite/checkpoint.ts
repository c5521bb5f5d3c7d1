import { Worker } from 'node:worker_threads'

/**
 * How often the background checkpoint copies the WAL into the file. At the end-to-end bench's
 * peak the two writers append about 90 MB of WAL a second, so one pass copies about as much as a
 * writer's own checkpoint did at its 40 MB threshold.
 */
const BACKGROUND_CHECKPOINT_MS = 400

export interface BackgroundCheckpointOptions {
  intervalMs?: number
  /** A checkpoint failed (the first of a run of failures): the writers' own checkpoints still bound the WAL. */
  onFailure?: (error: string) => void
  /** Each pass, with the WAL frames now in the file (tests). */
  onPass?: (framesCheckpointed: number) => void
}

export interface BackgroundCheckpoint {
  /** Ends the thread and closes its connection; the caller closes its own afterwards. */
  stop(): Promise<void>
}

type FromCheckpointThread = { type: 'checkpointed'; frames: number } | { type: 'failed'; error: string }

/**
 * Checkpoints a WAL-mode SQLite file from a thread of its own, on its own connection, so that the
 * threads that write do not: a writer that crosses `wal_autocheckpoint` copies the WAL into the
 * file inside its COMMIT, and on the end-to-end bench 20 such commits (about 70 ms each) held up
 * the engine thread and the HTTP thread by 1.4 s per 100,000 users. The writers keep a threshold
 * four times higher (`OpenOptions.checkpoint = 'background'`) so the WAL stays bounded if this
 * thread falls behind or fails. A passive checkpoint cannot restart the WAL while commits keep
 * coming, so under load the WAL still grows to that threshold, where a writer's own checkpoint,
 * with most frames already copied, restarts it and cuts the file back to `WAL_SIZE_LIMIT_BYTES`.
 */
export function startBackgroundCheckpoint(path: string, options: BackgroundCheckpointOptions = {}): BackgroundCheckpoint {
  const worker = new Worker(new URL('./checkpoint-thread.mjs', import.meta.url), {
    workerData: { path, intervalMs: options.intervalMs ?? BACKGROUND_CHECKPOINT_MS, reportPasses: options.onPass !== undefined },
  })
  worker.unref()
  worker.on('message', (m: FromCheckpointThread) => {
    if (m.type === 'checkpointed') options.onPass?.(m.frames)
    else options.onFailure?.(m.error)
  })
  let running = true
  const exited = new Promise<void>((resolve) =>
    worker.once('exit', () => {
      running = false
      resolve()
    }),
  )
  worker.on('error', (error: unknown) => options.onFailure?.(error instanceof Error && error.message ? error.message : String(error)))
  return {
    async stop() {
      // Unref'd so it never keeps a process alive, but a stop is awaited: with nothing else
      // pending the process would end before the thread's exit, and its caller's stop with it.
      if (running) {
        worker.ref()
        worker.postMessage('stop')
      }
      await exited
    },
  }
}

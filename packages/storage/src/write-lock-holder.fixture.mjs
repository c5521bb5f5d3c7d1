// Another thread for write-lock.test.ts: takes the ThreadWriteLock on the buffer it is given, says
// so, and after `holdMs` sets slot 1 of the buffer to 1 and releases it, as a committing thread
// does. Worker threads do not inherit the TypeScript loader: it is registered here first.
import { register } from 'tsx/esm/api'
import { parentPort, workerData } from 'node:worker_threads'

register()
const { ThreadWriteLock } = await import('./write-lock.ts')
const { buffer, holdMs } = workerData
const lock = new ThreadWriteLock(buffer)
lock.acquire()
parentPort.postMessage('held')
setTimeout(() => {
  Atomics.store(new Int32Array(buffer), 1, 1)
  lock.release()
}, holdMs)

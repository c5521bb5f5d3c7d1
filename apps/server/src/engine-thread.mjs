// The engine thread's first module: worker threads do not inherit the main thread's TypeScript
// loader, so it is registered here before the engine thread's own code is imported.
import { register } from 'tsx/esm/api'
import { workerData } from 'node:worker_threads'

register()
await import(workerData.entry)

'use strict'
// The real render thread, except that the first one started while LIQUID_STALL_MARKER names no
// file yet stalls 1.5 s on each chunk: a thread starved of CPU, as on a busy machine.
const { existsSync, writeFileSync } = require('node:fs')
const marker = process.env.LIQUID_STALL_MARKER
if (marker && !existsSync(marker)) {
  writeFileSync(marker, 'stalled')
  const { parentPort } = require('node:worker_threads')
  const original = parentPort.on.bind(parentPort)
  parentPort.on = (event, listener) =>
    original(event, (message) => {
      const until = Date.now() + 1500
      while (Date.now() < until) {}
      listener(message)
    })
}
require('./liquid-worker.cjs')

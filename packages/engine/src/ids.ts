import { createHash, randomFillSync } from 'node:crypto'

let lastTime = 0
let counter = 0
// Random bytes are drawn 4 KB at a time: one call per 800 ids instead of one each.
const entropy = Buffer.alloc(4000)
let used = entropy.length

function randomHex5(): string {
  if (used + 5 > entropy.length) {
    randomFillSync(entropy)
    used = 0
  }
  used += 5
  return entropy.toString('hex', used - 5, used)
}

/** Sortable ids: time in base36, a per-millisecond counter, then randomness. */
export function newId(prefix: string, now: number): string {
  if (now === lastTime) counter++
  else {
    lastTime = now
    counter = 0
  }
  const time = now.toString(36).padStart(9, '0')
  const seq = counter.toString(36).padStart(3, '0')
  return `${prefix}_${time}${seq}${randomHex5()}`
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('base64url').slice(0, 22)
}

/** A run id from `newId('run', ...)`: its first 12 characters after the prefix are its time and counter. */
const SORTABLE_RUN_ID = /^run_[0-9a-z]{12}[0-9a-f]{10}$/

/**
 * The run's time and counter, so ids made in the same moment sit side by side in every index
 * they key (messages, outbox, deliveries): a digest alone put each insert on its own page of a
 * large index, and every batch rewrote hundreds of pages. Empty for runs with other ids.
 */
function sortablePrefix(runId: string): string {
  return SORTABLE_RUN_ID.test(runId) ? runId.slice(4, 16) : ''
}

// The last id made: a new run asks for its message's id twice in a row (when the machine
// remembers the message and when the outbox job is queued), and a SHA-256 costs microseconds.
let lastKey = ''
let lastId = ''

function derivedId(prefix: 'msg' | 'dlv', runId: string, nodeId: string): string {
  const key = `${prefix}\u0000${runId}\u0000${nodeId}`
  if (key !== lastKey) {
    lastId = `${prefix}_${sortablePrefix(runId)}${digest(`${runId}\u0000${nodeId}`)}`
    lastKey = key
  }
  return lastId
}

/** A run visits each node at most once (graphs are acyclic), so run + node names a message. */
export function messageIdFor(runId: string, nodeId: string): string {
  return derivedId('msg', runId, nodeId)
}

/** The delivery id of a webhook node, the same across every retry and restart. */
export function deliveryIdFor(runId: string, nodeId: string): string {
  return derivedId('dlv', runId, nodeId)
}

import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import { renderSimple } from './liquid-simple'

/** The bounds of one render. All of them apply inside the worker; `deadlineMs` is enforced from outside. */
export interface LiquidLimits {
  /** Characters of template parsed per render (liquidjs `parseLimit`). */
  parseLimit: number
  /** Milliseconds one render may take, checked by liquidjs between template nodes (`renderLimit`). */
  renderLimit: number
  /** liquidjs's allocation budget: ranges, arrays and strings built by filters (`memoryLimit`). */
  memoryLimit: number
  /** Characters of output. */
  outputLimit: number
  /** Longest array (or range) an array filter (`where_exp`, `map`, `sort_natural`, `uniq`...) accepts. */
  maxArray: number
  /** Unknown filters are errors rather than no-ops. */
  strictFilters: boolean
  /** Wall-clock milliseconds a render may run before its thread is terminated and replaced. */
  deadlineMs: number
}

export type LiquidOutcome = { ok: true; output: string } | { ok: false; error: string }

export interface LiquidPool {
  render(template: string, scope: Record<string, unknown>, limits: LiquidLimits): Promise<LiquidOutcome>
  /** The same answer at once, for text that needs no thread (see \`render\`); null when it does. */
  renderNow(template: string, scope: Record<string, unknown>, limits: LiquidLimits): LiquidOutcome | null
  /** Starts the threads now, so the first renders do not wait for them. */
  warm(): void
  /** Terminates the threads; renders still queued answer an error. */
  close(): Promise<void>
}

interface Job {
  id: number
  template: string
  scope: Record<string, unknown>
  limits: LiquidLimits
  /** Rendered alone: it was in a chunk that overran or crashed, and may be the one at fault. */
  solo: boolean
  resolve(outcome: LiquidOutcome): void
}

interface Slot {
  worker: Worker
  /** Set once the thread has loaded liquidjs, so its start-up never counts against a deadline. */
  ready: boolean
  /** The renders in hand: one message to the thread and one back for all of them. */
  jobs: Job[] | null
  timer: NodeJS.Timeout | null
}

/** Renders a thread is given at once: a message each way per chunk instead of per render. */
const CHUNK = 32

const WORKER_FILE = fileURLToPath(new URL('./liquid-worker.cjs', import.meta.url))

/**
 * Renders untrusted Liquid on worker threads, so no template can hold the event loop that serves
 * HTTP and ingestion. Some work escapes liquidjs's own limits (a filter's inner loop, an operator
 * over a big array), so a render that passes `deadlineMs` has its thread terminated and gets an
 * error; a fresh thread takes its place. Threads start on first use (or `warm()`) and do not keep
 * the process alive while idle. A render waits in a queue for a free thread; its deadline counts
 * from when it starts.
 */
export function createLiquidPool(options: { size?: number } = {}): LiquidPool {
  const size = Math.max(1, options.size ?? 2)
  const slots: Slot[] = []
  const queue: Job[] = []
  let nextId = 1
  let closed = false

  const renderNow = (template: string, scope: Record<string, unknown>, limits: LiquidLimits): LiquidOutcome | null => {
    if (closed) return { ok: false, error: 'template error: the renderer is closed' }
    // Text without a tag or an output renders as itself: no thread needed (most subjects, most bodies' parts).
    if (!template.includes('{{') && !template.includes('{%')) return plainText(template, limits)
    // Text and `{{ a.b }}` outputs of plain values render here: nothing in them can run long.
    return renderSimple(template, scope, limits)
  }

  const spawn = (): Slot => {
    const slot: Slot = { worker: new Worker(WORKER_FILE), ready: false, jobs: null, timer: null }
    slot.worker.on('message', (message: unknown) => {
      if (!slot.ready) {
        slot.ready = true
        slot.worker.unref()
        pump()
        return
      }
      const jobs = slot.jobs
      if (jobs === null || !isChunkAnswer(message, jobs)) return
      finish(slot, message.results.map((r) => (r.ok ? { ok: true, output: r.output } : { ok: false, error: r.error })))
    })
    // A crash (out of memory in the thread, a bug) fails the render in hand and the slot is replaced.
    slot.worker.on('error', () => replace(slot, 'template error: the renderer failed'))
    slot.worker.on('exit', () => replace(slot, 'template error: the renderer stopped'))
    return slot
  }

  /** Takes the renders out of a slot, which is free again; answers them. */
  const release = (slot: Slot): Job[] => {
    const jobs = slot.jobs ?? []
    if (slot.timer !== null) clearTimeout(slot.timer)
    slot.jobs = null
    slot.timer = null
    slot.worker.unref()
    return jobs
  }

  /** Renders of a chunk that failed as a whole go back to the front of the queue, to be rendered one by one. */
  const requeueAlone = (jobs: readonly Job[]) => queue.unshift(...jobs.map((j) => ({ ...j, solo: true })))

  const finish = (slot: Slot, outcomes: LiquidOutcome[]) => {
    const jobs = release(slot)
    jobs.forEach((job, i) => job.resolve(outcomes[i] ?? { ok: false, error: 'template error: the renderer gave no answer' }))
    pump()
  }

  /** Drops a thread that overran or died: its render answers `error`, a new thread takes the slot. */
  const replace = (slot: Slot, error: string) => {
    const index = slots.indexOf(slot)
    if (index === -1) return
    slots.splice(index, 1)
    slot.worker.removeAllListeners()
    slot.worker.on('error', () => undefined)
    void slot.worker.terminate()
    const jobs = release(slot)
    // A chunk that overran or crashed is rendered again one by one, so only the one at fault fails.
    if (jobs.length > 1) requeueAlone(jobs)
    else jobs[0]?.resolve({ ok: false, error })
    // A thread that died before it was ready would die again: fail what waits rather than loop.
    if (!slot.ready) for (const waiting of queue.splice(0)) waiting.resolve({ ok: false, error })
    pump()
  }

  const pump = () => {
    while (!closed && queue.length > 0) {
      const slot = slots.find((s) => s.ready && s.jobs === null)
      if (slot === undefined) {
        // Start threads for what waits, up to the size; the queue moves when one says it is ready.
        const starting = slots.filter((s) => !s.ready).length
        for (let n = starting; n < queue.length && slots.length < size; n += 1) slots.push(spawn())
        return
      }
      const first = queue.shift()
      if (first === undefined) return
      const jobs = [first]
      while (!first.solo && jobs.length < CHUNK && queue[0] !== undefined && !queue[0].solo) jobs.push(queue.shift() as Job)
      slot.jobs = jobs
      slot.worker.ref()
      const deadlineMs = Math.max(...jobs.map((j) => j.limits.deadlineMs))
      slot.timer = setTimeout(() => replace(slot, `template error: rendering took longer than ${deadlineMs} ms`), deadlineMs)
      try {
        slot.worker.postMessage({ jobs: jobs.map((j) => ({ id: j.id, template: j.template, scope: j.scope, limits: j.limits })) })
      } catch {
        // A scope holds something that cannot be copied to the thread (a function): alone, it fails; in a chunk, each goes alone.
        if (jobs.length > 1) {
          requeueAlone(release(slot))
          continue
        }
        finish(slot, [{ ok: false, error: 'template error: the template data cannot be rendered' }])
      }
    }
  }

  return {
    renderNow,
    render(template, scope, limits) {
      const now = renderNow(template, scope, limits)
      if (now !== null) return Promise.resolve(now)
      return new Promise((resolve) => {
        queue.push({ id: nextId++, template, scope, limits, solo: false, resolve })
        pump()
      })
    },
    warm() {
      while (!closed && slots.length < size) slots.push(spawn())
    },
    async close() {
      closed = true
      for (const job of queue.splice(0)) job.resolve({ ok: false, error: 'template error: the renderer is closed' })
      for (const slot of [...slots]) replace(slot, 'template error: the renderer is closed')
    },
  }
}

let shared: LiquidPool | null = null

/**
 * The process's one pool, shared by webhook bodies and channel messages: two threads whatever
 * the number of services, started once and kept (idle threads do not hold the process open).
 */
export function sharedLiquidPool(): LiquidPool {
  shared ??= createLiquidPool()
  return shared
}

function plainText(template: string, limits: LiquidLimits): LiquidOutcome {
  if (template.length > limits.parseLimit) return { ok: false, error: `template is longer than ${limits.parseLimit} characters` }
  if (template.length > limits.outputLimit) return { ok: false, error: `template output is larger than ${limits.outputLimit} characters` }
  return { ok: true, output: template }
}

type WireOutcome = { id: number; ok: true; output: string } | { id: number; ok: false; error: string }

function isWireOutcome(r: unknown): r is WireOutcome {
  if (typeof r !== 'object' || r === null || !('id' in r) || typeof r.id !== 'number' || !('ok' in r)) return false
  return r.ok === true ? 'output' in r && typeof r.output === 'string' : 'error' in r && typeof r.error === 'string'
}

/** The thread's answer to the chunk in hand: one outcome per job, in order. */
function isChunkAnswer(message: unknown, jobs: readonly Job[]): message is { results: WireOutcome[] } {
  if (typeof message !== 'object' || message === null || !('results' in message) || !Array.isArray(message.results)) return false
  const results: unknown[] = message.results
  return results.length === jobs.length && results.every((r, i) => isWireOutcome(r) && r.id === jobs[i]?.id)
}

import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'

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
  resolve(outcome: LiquidOutcome): void
}

interface Slot {
  worker: Worker
  /** Set once the thread has loaded liquidjs, so its start-up never counts against a deadline. */
  ready: boolean
  job: Job | null
  timer: NodeJS.Timeout | null
}

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

  const spawn = (): Slot => {
    const slot: Slot = { worker: new Worker(WORKER_FILE), ready: false, job: null, timer: null }
    slot.worker.on('message', (message: unknown) => {
      if (!slot.ready) {
        slot.ready = true
        slot.worker.unref()
        pump()
        return
      }
      const job = slot.job
      if (job === null || !isOutcome(message, job.id)) return
      finish(slot, message.ok ? { ok: true, output: message.output } : { ok: false, error: message.error })
    })
    // A crash (out of memory in the thread, a bug) fails the render in hand and the slot is replaced.
    slot.worker.on('error', () => replace(slot, 'template error: the renderer failed'))
    slot.worker.on('exit', () => replace(slot, 'template error: the renderer stopped'))
    return slot
  }

  const finish = (slot: Slot, outcome: LiquidOutcome) => {
    const job = slot.job
    if (slot.timer !== null) clearTimeout(slot.timer)
    slot.job = null
    slot.timer = null
    slot.worker.unref()
    job?.resolve(outcome)
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
    const job = slot.job
    if (slot.timer !== null) clearTimeout(slot.timer)
    slot.job = null
    job?.resolve({ ok: false, error })
    // A thread that died before it was ready would die again: fail what waits rather than loop.
    if (!slot.ready) for (const waiting of queue.splice(0)) waiting.resolve({ ok: false, error })
    pump()
  }

  const pump = () => {
    while (!closed && queue.length > 0) {
      const slot = slots.find((s) => s.ready && s.job === null)
      if (slot === undefined) {
        // Start threads for what waits, up to the size; the queue moves when one says it is ready.
        const starting = slots.filter((s) => !s.ready).length
        for (let n = starting; n < queue.length && slots.length < size; n += 1) slots.push(spawn())
        return
      }
      const job = queue.shift()
      if (job === undefined) return
      slot.job = job
      slot.worker.ref()
      slot.timer = setTimeout(() => replace(slot, `template error: rendering took longer than ${job.limits.deadlineMs} ms`), job.limits.deadlineMs)
      try {
        slot.worker.postMessage({ id: job.id, template: job.template, scope: job.scope, limits: job.limits })
      } catch {
        // The scope holds something that cannot be copied to the thread (a function).
        finish(slot, { ok: false, error: 'template error: the template data cannot be rendered' })
      }
    }
  }

  return {
    render(template, scope, limits) {
      if (closed) return Promise.resolve({ ok: false, error: 'template error: the renderer is closed' })
      // Text without a tag or an output renders as itself: no thread needed (most subjects, most bodies' parts).
      if (!template.includes('{{') && !template.includes('{%')) return Promise.resolve(plainText(template, limits))
      return new Promise((resolve) => {
        queue.push({ id: nextId++, template, scope, limits, resolve })
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

function isOutcome(message: unknown, id: number): message is { id: number; ok: true; output: string } | { id: number; ok: false; error: string } {
  if (typeof message !== 'object' || message === null || !('id' in message) || message.id !== id || !('ok' in message)) return false
  return message.ok === true ? 'output' in message && typeof message.output === 'string' : 'error' in message && typeof message.error === 'string'
}

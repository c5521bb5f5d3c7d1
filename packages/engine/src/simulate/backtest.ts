import { parseActivityEventName, type BacktestAnswer, type EffectCounts, type IngestedEvent, type NodeReferences, type ValidationIssue } from '@switchyard/schema'
import { dict } from '@switchyard/schema'
import type { JournalEntry } from '../records'
import type { EngineStore } from '../store'
import { Simulator, type EffectRenderer, type SimulatedJourney } from './simulator'

export interface BacktestInput {
  /** The live store, read only: its journal is the traffic replayed. */
  source: EngineStore
  journey: SimulatedJourney
  references: NodeReferences
  renderer: EffectRenderer
  workspace?: string
  from: number
  to: number
}

export type BacktestResult = { ok: true; answer: BacktestAnswer } | { ok: false; issues: ValidationIssue[] }

const PAGE = 5_000

/**
 * Replays the journal events received in [from, to] through the journey on the virtual clock, at
 * the times they were received (when the live engine applied them), in journal order. The users'
 * traits start as the journal's identifies before `from` left them; a user the journal has no
 * identify for starts with today's profile. Events the live dispatchers wrote (`<channel>.sent`,
 * `<channel>.failed`) are left out: the simulation makes its own for the messages it sends. An
 * activity names a message of the live run; it is given to the message the simulation sent that
 * user last on the same channel, and dropped when it sent none.
 */
export async function backtestJourney(input: BacktestInput): Promise<BacktestResult> {
  const { window, before } = await readWindow(input.source, input.from, input.to)
  const opened = await Simulator.open({ journey: input.journey, references: input.references, renderer: input.renderer, start: input.from, ...(input.workspace ? { workspace: input.workspace } : {}) })
  if (!opened.ok) return opened
  const sim = opened.simulator
  try {
    const users = [...new Set(window.map((e) => e.userId))]
    const identifiedInWindow = new Set(window.flatMap((e) => (e.type === 'identify' ? [e.userId] : [])))
    const identifies: (() => IngestedEvent)[] = []
    for (const userId of users) {
      const traits = before.get(userId) ?? (identifiedInWindow.has(userId) ? null : ((await input.source.getUser(userId))?.traits ?? null))
      if (traits !== null) identifies.push(() => ({ messageId: `backtest_traits_${userId}`, type: 'identify', userId, traits, timestamp: input.from, receivedAt: input.from }))
    }
    await sim.applyAt(input.from, identifies)
    let replayed = 0
    for (let k = 0; k < window.length; ) {
      const at = window[k]?.receivedAt ?? input.from
      const same: (() => IngestedEvent | null)[] = []
      for (; k < window.length && window[k]?.receivedAt === at; k++) {
        const e = window[k]
        if (e) same.push(() => rewrite(sim, e))
      }
      replayed += same.length
      await sim.applyAt(at, same)
    }
    await sim.finish(input.to)
    const effects = dict<EffectCounts>()
    for (const e of sim.effects) {
      const c = (effects[e.nodeId] ??= { messages: 0, webhooks: 0 })
      if (e.kind === 'message') c.messages++
      else c.webhooks++
    }
    return {
      ok: true,
      answer: {
        stats: await sim.engine.stats(sim.journeyId),
        effects,
        replayed: { events: replayed, users: users.length, from: new Date(input.from).toISOString(), to: new Date(input.to).toISOString() },
      },
    }
  } finally {
    await sim.close()
  }
}

/** Whether a journal event was written by a dispatcher rather than sent by a client. */
function dispatcherEvent(e: JournalEntry): boolean {
  return e.messageId.startsWith('sent:') || e.messageId.startsWith('failed:')
}

/** The window's events in journal order, and each user's traits as identifies before it left them. */
async function readWindow(source: EngineStore, from: number, to: number): Promise<{ window: JournalEntry[]; before: Map<string, Record<string, unknown>> }> {
  const window: JournalEntry[] = []
  const before = new Map<string, Record<string, unknown>>()
  for (let after = 0; ; ) {
    const page = await source.readJournal(after, PAGE)
    for (const e of page) {
      if (e.receivedAt < from) {
        if (e.type === 'identify') before.set(e.userId, { ...(before.get(e.userId) ?? {}), ...(e.traits ?? {}) })
      } else if (e.receivedAt <= to && !dispatcherEvent(e)) window.push(e)
    }
    const last = page.at(-1)
    if (page.length < PAGE || last === undefined) break
    after = last.seq
  }
  return { window, before }
}

function rewrite(sim: Simulator, e: JournalEntry): IngestedEvent | null {
  const { seq: _seq, ...event } = e
  const activity = e.type === 'track' && e.event !== undefined ? parseActivityEventName(e.event) : null
  if (activity === null) return event
  const mine = sim.lastMessageOf(e.userId, activity.channel)
  if (mine === null) return null
  return { ...event, properties: { ...(e.properties ?? {}), messageId: mine.id } }
}

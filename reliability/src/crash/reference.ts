import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Engine, SqliteEngineStore, openDatabase } from '@switchyard/engine'
import type { IngestedEvent } from '@switchyard/schema'
import { FakeClock } from '@switchyard/testkit'
import { LONGEST_PATH_MS, crashJourneys } from './journeys'
import type { Plan, PlannedEvent } from './plan'

export function toIngested(e: PlannedEvent, at: number): IngestedEvent {
  return e.type === 'track'
    ? { messageId: e.messageId, type: 'track', userId: e.userId, event: e.event, properties: e.properties, timestamp: at, receivedAt: at }
    : { messageId: e.messageId, type: 'identify', userId: e.userId, traits: e.traits, timestamp: at, receivedAt: at }
}

/**
 * The same plan without crashes: the engine in process on a fake clock. Each wave is ingested in
 * plan order, then time moves on in small steps until every wait has ended. Returns the file.
 */
export async function runReference(plan: Plan, webhookId: string): Promise<string> {
  const file = join(mkdtempSync(join(tmpdir(), 'sy-reference-')), 'reference.db')
  const clock = new FakeClock(Date.now())
  const engine = await Engine.open({ store: new SqliteEngineStore(openDatabase(file), clock.now()), clock })
  for (const input of crashJourneys(webhookId)) {
    const j = await engine.createJourney(input)
    const published = await engine.publish(j.id, { webhookIds: new Set([webhookId]) })
    if (!published?.ok) throw new Error(`reference journey ${input.name} did not publish`)
  }
  for (const wave of plan.waves) {
    for (const body of wave) await engine.ingest(body.map((e) => toIngested(e, clock.now())))
    await engine.runUntilIdle()
    for (let t = 0; t < LONGEST_PATH_MS; t += 250) {
      clock.advance(250)
      await engine.runUntilIdle()
    }
  }
  await engine.close()
  return file
}

import Database from 'better-sqlite3'
import type { Channel, MessageJob } from '@switchyard/schema'
import { createSecretBox } from '@switchyard/secrets'
import type { StoreBackend } from '@switchyard/storage'
import type { Pool } from 'pg'
import { eachBackend as eachStorage, emptyTables } from '@switchyard/storage/testing'
import { CHANNEL_MIGRATIONS } from './store/migrations'
import { createAddressGuard } from '@switchyard/webhooks'
import type { Clock } from './clock'

/** Helpers for this package's tests only; not exported from the barrel. */
export const TEST_SECRET_KEY = 'test-secret-key-0123456789'

export function fixedClock(start: number): Clock & { set(t: number): void; advance(ms: number): void } {
  let t = start
  return {
    now: () => t,
    set(v) {
      t = v
    },
    advance(ms) {
      t += ms
    },
  }
}

export function memoryDb(): Database.Database {
  return new Database(':memory:')
}

/** A backend on a fresh in-memory SQLite database. */
export function memoryBackend(): StoreBackend {
  return { kind: 'sqlite', db: memoryDb() }
}

export const testBox = createSecretBox(TEST_SECRET_KEY)

export const CHANNEL_TABLES = ['channel_messages', 'channel_providers']

/** Registers `tests` on both backends: a fresh in-memory SQLite database, or this file's PostgreSQL one emptied. */
export function eachBackend(label: string, tests: (backend: () => Promise<StoreBackend>) => void): void {
  const postgres = async (pool: Pool): Promise<StoreBackend> => {
    await emptyTables(pool, CHANNEL_MIGRATIONS, CHANNEL_TABLES)
    return { kind: 'postgres', pool }
  }
  eachStorage(label, { sqlite: async () => memoryBackend(), postgres }, tests)
}

/** Lets providers reach this machine's test listeners (ALLOW_PRIVATE_TARGETS=127.0.0.0/8). */
export const loopbackGuard = createAddressGuard({ allowPrivate: ['127.0.0.0/8'] })

let counter = 0

export function makeJob(channel: Channel, message: Record<string, unknown>, over: Partial<MessageJob> & { traits?: Record<string, unknown>; userId?: string } = {}): MessageJob {
  counter += 1
  const { traits, userId, ...rest } = over
  return {
    kind: 'message',
    id: `msg_${counter}`,
    channel,
    providerId: null,
    message,
    context: {
      workspace: 'acme',
      journey: { id: 'j1', name: 'Cart abandoners', version: 3 },
      runId: `run_${counter}`,
      nodeId: 'a1',
      user: { id: userId ?? 'u1', traits: traits ?? { email: 'ada@example.test', phone: '+15550001', pushToken: 'tok-1', name: 'Ada' } },
      event: { name: 'add_to_cart', properties: { sku: 'SKU-42', price: 19.5 }, timestamp: '2026-01-05T10:00:00.000Z', messageId: 'evt_1' },
      message: null,
    },
    createdAt: 0,
    ...rest,
  }
}

export const SAMPLE_MESSAGES = {
  email: { subject: 'Hi {{ user.traits.name }}', body: 'You left {{ event.properties.sku }} in your cart.' },
  sms: { text: 'Hi {{ user.traits.name }}, {{ event.properties.sku }} is waiting.' },
  app_push: { title: 'Still want {{ event.properties.sku }}?', body: 'Hi {{ user.traits.name }}' },
  web_push: { title: 'Still want {{ event.properties.sku }}?', body: 'Hi {{ user.traits.name }}' },
  whatsapp: { text: 'Hi {{ user.traits.name }}, {{ event.properties.sku }} is waiting.' },
  rcs: { text: 'Hi {{ user.traits.name }}, {{ event.properties.sku }} is waiting.' },
} as const satisfies Record<Channel, Record<string, string>>

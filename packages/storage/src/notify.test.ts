import { afterAll, beforeAll, expect, it } from 'vitest'
import { listen } from './notify'
import { openPostgres } from './postgres'
import { createTestDatabase, type TestDatabase } from './testing'

let database: TestDatabase
beforeAll(async () => {
  database = await createTestDatabase('notify')
})
afterAll(async () => {
  await database.drop()
})

it('wakes a listener when another connection notifies, only after that transaction commits', async () => {
  let woken = 0
  let resolveFirst: () => void = () => undefined
  const first = new Promise<void>((r) => (resolveFirst = r))
  const wake = new Promise<void>((resolve) => {
    const l = listen(database.url, 'sy_test', () => {
      woken++
      // The first call is the catch-up on connect; the second is the notification.
      if (woken === 1) resolveFirst()
      if (woken === 2) void l.stop().then(resolve)
    })
  })
  await first
  const pool = openPostgres(database.url)
  const client = await pool.connect()
  await client.query('BEGIN')
  await client.query("SELECT pg_notify('sy_test', '')")
  expect(woken).toBe(1)
  await client.query('COMMIT')
  client.release()
  await wake
  expect(woken).toBe(2)
  await pool.end()
  expect(() => listen(database.url, 'Bad-Name', () => undefined)).toThrow(/lower-case/)
})

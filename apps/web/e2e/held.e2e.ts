/**
 * Quiet hours in the inspector, in real Chromium against the real server: a message and a
 * webhook node due inside the journey's quiet hours are held, and the user's timeline shows each
 * with its release time in the reader's own clock (the browser runs in Asia/Kolkata here).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { Journey, UserJourneyView } from '@switchyard/schema'
import { http, launchChromium, startReceiver, startServer, until, type RunningServer } from './harness'
import { createWebhook } from './seed'

let server: RunningServer
let receiver: Awaited<ReturnType<typeof startReceiver>>
let browser: Browser
let page: Page
const READER_ZONE = 'Asia/Kolkata'

beforeAll(async () => {
  receiver = await startReceiver()
  server = await startServer()
  browser = await launchChromium()
  page = await browser.newPage({ viewport: { width: 1280, height: 800 }, locale: 'en-US', timezoneId: READER_ZONE })
  page.on('pageerror', (e) => process.stderr.write(`page error: ${e.message}\n`))
})

afterAll(async () => {
  await browser?.close()
  await server?.stop()
  await receiver?.stop()
})

/** `HH:MM` in UTC, `hours` from now: a quiet-hours window around the present. */
function utcClock(hours: number): string {
  return new Date(Date.now() + hours * 3_600_000).toISOString().slice(11, 16)
}

describe('the user timeline', () => {
  it('shows a held message and a held webhook with their release time', async () => {
    const webhookId = await createWebhook(server.url, 'Call centre', receiver.url)
    const position = { x: 0, y: 0 }
    const graph = {
      nodes: [
        { id: 't', type: 'trigger', position, data: { event: 'add_to_cart' } },
        { id: 'sms', type: 'action', position, data: { channel: 'sms', message: { text: 'Your cart is waiting' } } },
        { id: 'hook', type: 'webhook', position, data: { webhookId } },
        { id: 'done', type: 'exit', position, data: {} },
      ],
      edges: [
        { id: 'e1', source: 't', target: 'sms', sourceHandle: 'next' },
        { id: 'e2', source: 'sms', target: 'hook', sourceHandle: 'next' },
        { id: 'e3', source: 'hook', target: 'done', sourceHandle: 'next' },
      ],
    }
    const settings = { reentry: 'afterExit', quietHours: { start: utcClock(-1), end: utcClock(2), behaviour: 'hold', defaultTimezone: 'UTC' } }
    const j = Journey.parse(await http(server.url, 'POST', '/api/journeys', { name: 'Night owls', graph, settings }))
    await http(server.url, 'POST', `/api/journeys/${j.id}/publish`)
    await http(server.url, 'POST', '/v1/track', { userId: 'owl', event: 'add_to_cart' })

    const held = await until('the message and the webhook to be held', async () => {
      const run = UserJourneyView.parse(await http(server.url, 'GET', `/api/journeys/${j.id}/users/owl`)).runs[0]
      const rows = run?.history.filter((h) => h.outlet === null && h.detail?.status === 'held') ?? []
      return rows.length === 2 ? rows : undefined
    })
    expect(held.map((h) => h.kind).sort()).toEqual(['message', 'webhook'])
    const release = held[0]?.detail?.until
    expect(typeof release).toBe('string')
    expect(receiver.requests).toEqual([])

    await page.goto(`${server.url}/journeys/${j.id}`)
    await page.getByTestId('editor').waitFor()
    await page.getByTestId('tab-users').click()
    await page.getByTestId('user-search').fill('owl')
    await page.getByTestId('user-open').click()
    await page.locator('[data-testid="inspector"][data-user-id="owl"]').waitFor()

    const readable = new Date(String(release)).toLocaleString('en-US', { timeZone: READER_ZONE, month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' })
    for (const kind of ['message', 'webhook']) {
      const item = page.locator(`[data-testid="timeline-item"][data-kind="${kind}"][data-status="held"]`)
      await item.waitFor()
      expect(await item.getByTestId('timeline-outcome').textContent()).toBe(kind === 'message' ? 'Message held' : 'Webhook held')
      const line = item.getByTestId('timeline-held-until')
      expect(await line.getAttribute('data-until')).toBe(release)
      expect(await line.textContent()).toContain(`held until ${readable}`)
      expect(await line.textContent()).toMatch(/\(in \d+ (min|h)\)/)
      // Shown once, readable: not again as the raw ISO time among the details.
      expect(await item.textContent()).not.toContain(String(release))
    }
  })
})

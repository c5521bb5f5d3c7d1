/**
 * Step ids, outlets and user ids named like `Object.prototype` members (`constructor`,
 * `toString`, `hasOwnProperty`...) are data on the canvas like any other: every card renders with
 * its own counts, unvisited cards show zero, and the inspector draws the user's path.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { http, launchChromium, startServer, until, type RunningServer } from './harness'

let server: RunningServer
let browser: Browser
let page: Page
const pageErrors: string[] = []

beforeAll(async () => {
  server = await startServer()
  browser = await launchChromium()
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
  page.on('pageerror', (e) => pageErrors.push(e.message))
})

afterAll(async () => {
  await browser?.close()
  await server?.stop()
})

const at = (y: number) => ({ x: 0, y })
const journey = {
  name: 'constructor',
  settings: { reentry: 'afterExit' },
  graph: {
    nodes: [
      { id: 'constructor', type: 'trigger', position: at(0), data: { event: 'toString' } },
      { id: 'toString', type: 'action', position: at(160), data: { channel: 'sms', message: { text: 'Hi' } } },
      { id: 'hasOwnProperty', type: 'waitForEvent', position: at(320), data: { activity: { status: 'clicked' }, within: { amount: 1, unit: 'hours' } } },
      { id: 'valueOf', type: 'action', position: { x: -160, y: 480 }, data: { channel: 'sms', message: { text: 'Thanks' } } },
      { id: 'toLocaleString', type: 'exit', position: { x: -160, y: 640 }, data: {} },
      { id: '__defineGetter__', type: 'exit', position: { x: 160, y: 480 }, data: {} },
    ],
    edges: [
      { id: 'constructor', source: 'constructor', target: 'toString', sourceHandle: 'next' },
      { id: 'toString', source: 'toString', target: 'hasOwnProperty', sourceHandle: 'next' },
      { id: 'valueOf', source: 'hasOwnProperty', target: 'valueOf', sourceHandle: 'matched' },
      { id: 'hasOwnProperty', source: 'hasOwnProperty', target: '__defineGetter__', sourceHandle: 'timeout' },
      { id: 'isPrototypeOf', source: 'valueOf', target: 'toLocaleString', sourceHandle: 'next' },
    ],
  },
}

const card = (id: string) => page.locator(`[data-testid="node"][data-node-id="${id}"]`)

describe('the canvas with ids named like Object.prototype members', () => {
  it('draws every card with its own counts and the inspected user’s path', async () => {
    const created = await http(server.url, 'POST', '/api/journeys', journey)
    const id = typeof created === 'object' && created !== null && 'id' in created ? String(created.id) : ''
    await http(server.url, 'POST', `/api/journeys/${id}/publish`)
    for (const userId of ['__proto__', 'constructor']) await http(server.url, 'POST', '/v1/track', { userId, event: 'toString' })
    await until('both users to wait', async () => {
      const stats = await http(server.url, 'GET', `/api/journeys/${id}/stats`)
      return JSON.stringify(stats).includes('"hasOwnProperty":{"entered":2,"active":2')
    })

    await page.goto(`${server.url}/journeys/${id}`)
    await card('__defineGetter__').waitFor()
    expect(await page.locator('[data-testid="node"]').count()).toBe(6)
    const entered = (nodeId: string) => card(nodeId).getByTestId('node-entered').textContent()
    await expect.poll(() => entered('constructor'), { timeout: 10_000 }).toBe('2')
    await expect.poll(() => card('hasOwnProperty').getByTestId('node-active').textContent(), { timeout: 10_000 }).toBe('2')
    expect(await entered('valueOf')).toBe('0')
    expect(await entered('__defineGetter__')).toBe('0')
    expect(await entered('toLocaleString')).toBe('0')

    await page.getByTestId('tab-users').click()
    await page.getByTestId('user-search').fill('__proto__')
    await page.getByTestId('user-open').click()
    await page.locator('[data-testid="inspector"][data-user-id="__proto__"]').waitFor()
    await expect.poll(() => card('hasOwnProperty').getAttribute('data-visited')).toBe('true')
    expect(await card('valueOf').getAttribute('data-visited')).toBeNull()
    expect(await page.locator('[data-edge-id="toString"]').getAttribute('data-taken')).toBe('true')
    expect(pageErrors).toEqual([])
  })
})

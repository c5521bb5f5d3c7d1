/**
 * The Test tab and the publish dialog's migration choice, in real Chromium against the real
 * server: an unpublished draft simulated with test traits and events at relative times, its path
 * drawn and its effects listed as they would leave, a backtest's counts on the cards, and waiting
 * users moved to a new version from the dialog. A real receiver proves nothing was sent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { Journey, JourneyStats, UserJourneyView } from '@switchyard/schema'
import { http, launchChromium, startReceiver, startServer, until, type RunningServer } from './harness'
import { createWebhook } from './seed'

let server: RunningServer
let receiver: Awaited<ReturnType<typeof startReceiver>>
let browser: Browser
let page: Page
let journeyId = ''
const position = { x: 0, y: 0 }

beforeAll(async () => {
  receiver = await startReceiver()
  server = await startServer()
  browser = await launchChromium()
  page = await browser.newPage({ viewport: { width: 1400, height: 900 }, locale: 'en-US', timezoneId: 'UTC' })
  page.on('pageerror', (e) => process.stderr.write(`page error: ${e.message}\n`))
})

afterAll(async () => {
  await browser?.close()
  await server?.stop()
  await receiver?.stop()
})

const nodeEl = (id: string) => page.locator(`[data-testid="node"][data-node-id="${id}"]`)

/** Sign-up -> email -> wait 3 days for an open -> CRM webhook, or out on timeout. */
function welcome(webhookId: string | null, withNudge = false) {
  const nodes = [
    { id: 't', type: 'trigger', position, data: { event: 'signed_up' } },
    { id: 'mail', type: 'action', position: { x: 0, y: 150 }, data: { channel: 'email', message: { subject: 'Hi {{ user.traits.FIRSTNAME }}', body: 'Welcome aboard.' } } },
    { id: 'wait', type: 'waitForEvent', position: { x: 0, y: 300 }, data: { activity: { status: 'opened' }, within: { amount: 3, unit: 'days' } } },
    { id: 'crm', type: 'webhook', position: { x: -200, y: 450 }, data: { webhookId } },
    { id: 'done', type: 'exit', position: { x: -200, y: 600 }, data: {} },
    { id: 'gone', type: 'exit', position: { x: 200, y: 600 }, data: {} },
  ]
  const edges = [
    { id: 't-mail', source: 't', target: 'mail', sourceHandle: 'next' },
    { id: 'mail-wait', source: 'mail', target: 'wait', sourceHandle: 'next' },
    { id: 'wait-crm', source: 'wait', target: 'crm', sourceHandle: 'matched' },
    { id: 'crm-done', source: 'crm', target: 'done', sourceHandle: 'next' },
  ]
  if (!withNudge) return { nodes, edges: [...edges, { id: 'wait-gone', source: 'wait', target: 'gone', sourceHandle: 'timeout' }] }
  return {
    nodes: [...nodes, { id: 'nudge', type: 'action', position: { x: 200, y: 450 }, data: { channel: 'sms', message: { text: 'Still there?' } } }],
    edges: [...edges, { id: 'wait-nudge', source: 'wait', target: 'nudge', sourceHandle: 'timeout' }, { id: 'nudge-gone', source: 'nudge', target: 'gone', sourceHandle: 'next' }],
  }
}

describe('the Test tab', () => {
  it('simulates an unpublished draft with test traits and relative times, draws the path and lists what would leave', async () => {
    const webhookId = await createWebhook(server.url, 'CRM', receiver.url)
    journeyId = Journey.parse(await http(server.url, 'POST', '/api/journeys', { name: 'Welcome', graph: welcome(webhookId) })).id
    await page.goto(`${server.url}/journeys/${journeyId}`)
    await page.getByTestId('editor').waitFor()
    await page.getByTestId('tab-test').click()
    await page.getByTestId('test-add-user').click()
    await page.getByTestId('test-user').nth(1).fill('ben')
    await page.getByTestId('test-script').fill('+0s: signed_up\n+2d: opened\nben +1h: signed_up')
    await page.getByTestId('test-simulate').click()
    await page.getByTestId('sim-result').waitFor()

    // test-user-1 opened at +2d: the matched path to the webhook is drawn on the canvas.
    await expect.poll(() => nodeEl('crm').getAttribute('data-visited')).toBe('true')
    expect(await nodeEl('gone').getAttribute('data-visited')).toBeNull()
    expect(await page.locator('[data-edge-id="wait-crm"]').getAttribute('data-taken')).toBe('true')
    expect(await page.locator('[data-testid="sim-step"][data-kind="event"]').count()).toBe(1)

    // What would leave, rendered with the test traits; Ben has no FIRSTNAME, and the tab says so.
    const mailOf = (userId: string) => page.locator(`[data-testid="sim-effect"][data-kind="message"][data-user-id="${userId}"]`)
    expect(await mailOf('test-user-1').getByTestId('sim-rendered').textContent()).toContain('Hi Asha')
    expect(await mailOf('test-user-1').getByTestId('sim-missing').count()).toBe(0)
    expect(await mailOf('ben').getByTestId('sim-missing').textContent()).toContain('user.traits.FIRSTNAME')
    const hook = page.locator('[data-testid="sim-effect"][data-kind="webhook"]')
    expect(await hook.count()).toBe(1)
    expect(await hook.getByTestId('sim-rendered').textContent()).toContain('"foreignkey": "test-user-1"')

    // Ben never opened: his path times out into the exit.
    await page.locator('[data-testid="sim-user"][data-user-id="ben"]').click()
    await expect.poll(() => nodeEl('gone').getAttribute('data-visited')).toBe('true')
    expect(await nodeEl('crm').getAttribute('data-visited')).toBeNull()

    // The step's own preview renders with the shown user's real test traits, and names what is missing.
    await nodeEl('mail').click()
    const subject = page.getByTestId('field-message-subject-preview')
    await expect.poll(() => subject.textContent()).toContain('Preview as ben')
    expect(await page.getByTestId('field-message-subject-missing').textContent()).toContain('user.traits.FIRSTNAME')
    await page.getByTestId('tab-test').click()
    await page.locator('[data-testid="sim-user"][data-user-id="test-user-1"]').click()
    await nodeEl('mail').click()
    await expect.poll(() => subject.textContent()).toMatch(/Preview as test-user-1.*Hi Asha/)
    expect(await page.getByTestId('field-message-subject-missing').count()).toBe(0)
    await page.getByTestId('tab-test').click()

    // Nothing live: no request reached the receiver, no stats, still a draft.
    expect(receiver.requests).toEqual([])
    expect(JourneyStats.parse(await http(server.url, 'GET', `/api/journeys/${journeyId}/stats`)).nodes).toEqual({})
    expect(Journey.parse(await http(server.url, 'GET', `/api/journeys/${journeyId}`)).version).toBeNull()
  })

  it('puts a backtest of the last 7 days on the cards, and goes back to live counts', async () => {
    for (const userId of ['ann', 'bob']) await http(server.url, 'POST', '/v1/track', { userId, event: 'signed_up' })
    await page.getByTestId('backtest-run').click()
    await page.locator('[data-testid="backtest-summary"][data-events="2"]').waitFor()
    await expect.poll(() => nodeEl('t').getByTestId('node-entered').textContent()).toBe('2')
    expect(await nodeEl('wait').getByTestId('node-active').textContent()).toBe('2')
    await page.getByTestId('backtest-clear').click()
    await expect.poll(() => nodeEl('t').getByTestId('node-entered').count()).toBe(0)
  })
})

describe('the publish dialog', () => {
  it('shows the users waiting per step and moves them to the new version when asked', async () => {
    await http(server.url, 'POST', `/api/journeys/${journeyId}/publish`)
    for (const userId of ['cy', 'di', 'ed']) await http(server.url, 'POST', '/v1/track', { userId, event: 'signed_up' })
    const runOf = async (userId: string) => UserJourneyView.parse(await http(server.url, 'GET', `/api/journeys/${journeyId}/users/${userId}`)).runs[0]
    await until('three users waiting', async () => (await Promise.all(['cy', 'di', 'ed'].map(runOf))).every((r) => r?.currentNodeId === 'wait'))

    // v2 inserts an SMS nudge after the wait's timeout.
    await http(server.url, 'PUT', `/api/journeys/${journeyId}`, { graph: welcome(await firstWebhook(), true) })
    await page.reload()
    await page.getByTestId('editor').waitFor()
    await page.getByTestId('publish').click()
    await page.getByTestId('publish-migration').waitFor()
    expect(await page.getByTestId('publish-diff').textContent()).toMatch(/added nudge\..*changed wait\./)
    const group = page.locator('[data-testid="waiting-group"][data-node-id="wait"]')
    await expect.poll(() => group.getAttribute('data-users')).toBe('3')
    expect(await group.getAttribute('data-action')).toBe('keep')
    await page.getByTestId('migrate-move').check()
    await expect.poll(() => group.getAttribute('data-action')).toBe('move')
    await page.getByTestId('publish-confirm').click()
    await page.locator('[data-testid="publish-result"][data-version="2"]').waitFor()
    expect(await page.getByTestId('publish-migrated').textContent()).toContain('3 users were moved to version 2')

    const run = await runOf('cy')
    expect(run).toMatchObject({ version: 2, currentNodeId: 'wait', status: 'active' })
    expect(run?.history.at(-1)?.kind).toBe('migrated')
  })
})

describe('the publish dialog, after a rename', () => {
  it('maps the users of a renamed step to its new id', async () => {
    const renamed = welcome(await firstWebhook(), true)
    const graph = {
      nodes: renamed.nodes.map((n) => (n.id === 'wait' ? { ...n, id: 'wait-open' } : n)),
      edges: renamed.edges.map((e) => ({ ...e, source: e.source === 'wait' ? 'wait-open' : e.source, target: e.target === 'wait' ? 'wait-open' : e.target })),
    }
    await http(server.url, 'PUT', `/api/journeys/${journeyId}`, { graph })
    await page.reload()
    await page.getByTestId('editor').waitFor()
    await page.getByTestId('publish').click()
    await page.getByTestId('migrate-move').check()
    const group = page.locator('[data-testid="waiting-group"][data-node-id="wait"]')
    // The step is gone from the draft: without a map its users would stay on their version.
    await expect.poll(() => group.getAttribute('data-action')).toBe('keep')
    await page.getByTestId('map-wait').selectOption('wait-open')
    await expect.poll(() => group.getAttribute('data-action')).toBe('move')
    await page.getByTestId('publish-confirm').click()
    await page.locator('[data-testid="publish-result"][data-version="3"]').waitFor()
    const run = UserJourneyView.parse(await http(server.url, 'GET', `/api/journeys/${journeyId}/users/di`)).runs[0]
    expect(run).toMatchObject({ version: 3, currentNodeId: 'wait-open', status: 'active' })
  })
})

async function firstWebhook(): Promise<string> {
  const list: unknown = await http(server.url, 'GET', '/api/webhooks')
  const id = typeof list === 'object' && list !== null && 'webhooks' in list && Array.isArray(list.webhooks) ? list.webhooks[0]?.id : undefined
  if (typeof id !== 'string') throw new Error('no webhook')
  return id
}

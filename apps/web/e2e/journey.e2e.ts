/**
 * The canvas end to end, in real Chromium against the real server on a fresh database: build the
 * Netcore journey by drag and drop, see and fix a validation error, publish, send events for two
 * users, and follow each of them in the inspector. Waits poll for what the user would see.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { JourneyStats, UserJourneyView } from '@switchyard/schema'
import { http, launchChromium, startReceiver, startServer, until, type RunningServer } from './harness'
import { latestMessageId } from './seed'
import { canvasDriver } from './canvas'

let server: RunningServer
let receiver: Awaited<ReturnType<typeof startReceiver>>
let browser: Browser
let page: Page
let canvas: ReturnType<typeof canvasDriver>

beforeAll(async () => {
  receiver = await startReceiver()
  server = await startServer()
  browser = await launchChromium()
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
  canvas = canvasDriver(page)
  page.on('pageerror', (e) => process.stderr.write(`page error: ${e.message}\n`))
})

afterAll(async () => {
  await browser?.close()
  await server?.stop()
  await receiver?.stop()
})

async function inspect(userId: string): Promise<void> {
  await page.getByTestId('tab-users').click()
  if (await page.getByTestId('inspector-close').isVisible()) await page.getByTestId('inspector-close').click()
  await page.getByTestId('user-search').fill(userId)
  await page.getByTestId('user-open').click()
  await page.locator(`[data-testid="inspector"][data-user-id="${userId}"]`).waitFor()
}

describe('the canvas', () => {
  let journeyId = ''
  let webhookId = ''
  const ids = { trigger: '', rcs: '', wait: '', hook: '', exit: '' }

  it('configures and tests a webhook on the settings page', async () => {
    await page.goto(`${server.url}/settings/webhooks`)
    await page.getByTestId('webhooks-empty').waitFor()
    await page.getByTestId('new-webhook').click()
    await page.getByTestId('webhook-name').fill('Call centre')
    await page.getByTestId('webhook-url').fill(receiver.url)
    await page.getByTestId('webhook-encoding').selectOption('form')
    await page.getByTestId('webhook-save').click()
    const row = page.getByTestId('webhook-row')
    await row.waitFor()
    webhookId = (await row.getAttribute('data-webhook-id')) ?? ''
    expect(webhookId).not.toBe('')
    await row.getByTestId('test-webhook').click()
    await expect.poll(() => row.getByTestId('webhook-test-status').textContent(), { timeout: 15_000 }).toBe('Passing')
    receiver.requests.length = 0
  })

  it('creates a journey from the empty list', async () => {
    await page.goto(`${server.url}/`)
    await page.getByTestId('journeys-empty').waitFor()
    await page.getByTestId('new-journey').click()
    await page.getByTestId('journey-name-input').fill('Cart abandoners')
    await page.getByTestId('create-journey-submit').click()
    await page.getByTestId('editor').waitFor()
    journeyId = (await page.getByTestId('editor').getAttribute('data-journey-id')) ?? ''
    expect(page.url()).toContain(`/journeys/${journeyId}`)
  })

  it('builds the journey by dragging steps from the palette and connecting them', async () => {
    // A two-by-two grid, so that no step hides another's handles while the issues make them tall.
    ids.trigger = await canvas.drop('trigger', 160, 40)
    ids.rcs = await canvas.drop('action', 530, 40)
    ids.wait = await canvas.drop('waitForEvent', 160, 390)
    ids.hook = await canvas.drop('webhook', 530, 390)
    expect(await page.getByTestId('node').count()).toBe(4)

    await canvas.connect(`handle-${ids.trigger}-next`, `handle-${ids.rcs}-in`)
    await canvas.connect(`handle-${ids.rcs}-next`, `handle-${ids.wait}-in`)
    await canvas.connect(`handle-${ids.wait}-matched`, `handle-${ids.hook}-in`)
    await expect.poll(() => page.locator('.react-flow__edge').count()).toBe(3)

    await canvas.select(ids.trigger)
    await page.getByTestId('field-event').fill('add_to_cart')

    await canvas.select(ids.rcs)
    await page.getByTestId('field-channel').selectOption('rcs')
    await page.getByTestId('field-message-text').fill('{{ user.traits.FIRSTNAME }}, your cart is waiting')
    await expect.poll(() => page.getByTestId('field-message-text-preview').textContent()).toContain('Asha, your cart is waiting')

    await canvas.select(ids.wait)
    // The wait offers the statuses of the RCS message before it, and only those.
    const statuses = await page.getByTestId('field-status').locator('option').allTextContents()
    expect(statuses).toEqual(['sent', 'delivered', 'opened', 'clicked', 'failed'])
    await page.getByTestId('field-status').selectOption('clicked')
    await page.getByTestId('field-within-amount').fill('2')
    await page.getByTestId('field-within-unit').selectOption('seconds')

    await canvas.select(ids.hook)
    const options = await page.getByTestId('field-webhook').locator('option').allTextContents()
    expect(options.some((o) => o.includes('Call centre') && o.includes('test passing'))).toBe(true)
    await page.getByTestId('field-webhook').selectOption(webhookId)
  })

  it('marks the unconnected timeout outlet on its node, then clears it once connected', async () => {
    const waitIssues = canvas.nodeEl(ids.wait).locator(`[data-testid="node-issues"]`)
    await expect.poll(() => waitIssues.textContent()).toMatch(/timeout outlet/)
    expect(await page.getByTestId(`handle-${ids.wait}-timeout`).getAttribute('class')).toContain('open')
    // The server says the same once the draft is saved.
    await expect.poll(() => page.getByTestId('save-state').getAttribute('data-state'), { timeout: 10_000 }).toBe('saved')
    await expect.poll(() => waitIssues.textContent()).toMatch(/timeout outlet/)

    ids.exit = await canvas.drop('exit', 400, 660)
    await canvas.connect(`handle-${ids.wait}-timeout`, `handle-${ids.exit}-in`)
    await expect.poll(() => page.locator('[data-testid="node-issues"]').count()).toBe(0)
    await expect.poll(() => page.getByTestId('save-state').getAttribute('data-state'), { timeout: 10_000 }).toBe('saved')
    const draft = await http(server.url, 'GET', `/api/journeys/${journeyId}`)
    expect(JSON.stringify(draft)).toContain('"issues":[]')
  })

  it('publishes and says what happens to users already in the journey', async () => {
    await canvas.publish(1)
    await expect.poll(() => page.getByTestId('status-pill').first().textContent()).toBe('Live')
  })

  it('follows two users: one clicks and reaches the webhook, the other times out', async () => {
    for (const [userId, name] of [
      ['user-a', 'Asha'],
      ['user-b', 'Ben'],
    ] as const) {
      await http(server.url, 'POST', '/v1/identify', { userId, traits: { FIRSTNAME: name } })
    }
    await http(server.url, 'POST', '/v1/track', { userId: 'user-a', event: 'add_to_cart', properties: { sku: 'shoe-42' } })

    await http(server.url, 'POST', '/v1/track', { userId: 'user-b', event: 'add_to_cart', properties: { sku: 'shoe-7' } })

    const messageId = await latestMessageId(server.url, journeyId, 'user-a')
    await http(server.url, 'POST', '/v1/track', { userId: 'user-a', event: 'rcs.clicked', properties: { messageId } })

    const runOf = async (userId: string) => UserJourneyView.parse(await http(server.url, 'GET', `/api/journeys/${journeyId}/users/${userId}`)).runs[0]
    await until('user-a to finish by the matched path', async () => (await runOf('user-a'))?.status === 'completed', 20_000)
    // The real scheduler times user-b out after the 2 seconds of the wait.
    await until('user-b to time out', async () => (await runOf('user-b'))?.status === 'completed', 20_000)
    await until('the webhook call', async () => receiver.requests.length >= 1, 20_000)
    expect(receiver.requests).toHaveLength(1)
    expect(receiver.requests[0]?.headers['content-type']).toContain('application/x-www-form-urlencoded')

    await inspect('user-a')
    await page.locator('[data-testid="timeline-item"][data-kind="event"][data-outlet="matched"]').waitFor()
    await expect.poll(() => canvas.nodeEl(ids.hook).getAttribute('data-visited')).toBe('true')
    expect(await canvas.nodeEl(ids.exit).getAttribute('data-visited')).toBeNull()
    expect(await page.locator(`[data-edge-id="${ids.wait}-matched-${ids.hook}"]`).getAttribute('data-taken')).toBe('true')
    expect(await page.getByTestId('timeline-message-id').first().textContent()).toBe(messageId)

    await inspect('user-b')
    await page.locator('[data-testid="timeline-item"][data-kind="timeout"][data-outlet="timeout"]').waitFor()
    await expect.poll(() => canvas.nodeEl(ids.exit).getAttribute('data-visited')).toBe('true')
    expect(await canvas.nodeEl(ids.hook).getAttribute('data-visited')).toBeNull()
    expect(await page.locator(`[data-edge-id="${ids.wait}-timeout-${ids.exit}"]`).getAttribute('data-taken')).toBe('true')

    // The message's preview now renders with the inspected user's real traits, not the sample's.
    await canvas.nodeEl(ids.rcs).click()
    await expect.poll(() => page.getByTestId('field-message-text-preview').textContent()).toMatch(/Preview as user-b.*Ben, your cart is waiting/)
  })

  it('shows node and outlet counts that match the server', async () => {
    const stats = JourneyStats.parse(await http(server.url, 'GET', `/api/journeys/${journeyId}/stats`))
    expect(stats.nodes[ids.trigger]?.entered).toBe(2)
    expect(stats.nodes[ids.wait]?.outlets).toMatchObject({ matched: 1, timeout: 1 })
    expect(stats.nodes[ids.hook]?.entered).toBe(1)
    expect(stats.nodes[ids.exit]?.entered).toBe(1)

    const entered = (id: string) => canvas.nodeEl(id).locator(`[data-testid="node-entered"]`).textContent()
    // Counts are polled while the journey is open: each settles on the server's figure.
    const settles = (what: () => Promise<string | null>, value: string) => expect.poll(what, { timeout: 10_000 }).toBe(value)
    await settles(() => entered(ids.trigger), '2')
    await settles(() => entered(ids.rcs), '2')
    await settles(() => entered(ids.wait), '2')
    await settles(() => entered(ids.hook), '1')
    await settles(() => entered(ids.exit), '1')
    await settles(() => page.getByTestId(`edge-count-${ids.wait}-matched-${ids.hook}`).textContent(), '1')
    await settles(() => page.getByTestId(`edge-count-${ids.wait}-timeout-${ids.exit}`).textContent(), '1')
    await settles(() => canvas.nodeEl(ids.wait).getByTestId('node-active').textContent(), '0')
  })
})

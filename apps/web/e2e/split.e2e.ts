/**
 * The split on the canvas, in real Chromium against the real server: drop a split, give it a third
 * branch, name and weigh the branches, give the journey the goal a winner rule needs, connect each
 * branch, publish, send users and orders through the HTTP API and see on the card how many took
 * each branch and how many of them converted, as the server counts them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { z } from 'zod'
import { DraftGraph, JourneySettings, JourneyStats } from '@switchyard/schema'
import { http, launchChromium, startServer, until, type RunningServer } from './harness'
import { canvasDriver } from './canvas'

let server: RunningServer
let browser: Browser
let page: Page
let canvas: ReturnType<typeof canvasDriver>

beforeAll(async () => {
  server = await startServer()
  browser = await launchChromium()
  page = await browser.newPage({ viewport: { width: 1440, height: 900 } })
  page.on('pageerror', (e) => process.stderr.write(`page error: ${e.message}\n`))
  canvas = canvasDriver(page)
})

afterAll(async () => {
  await browser?.close()
  await server?.stop()
})

const USERS = 60
/** Every third user orders: the journey's goal. */
const CONVERTS = (i: number) => i % 3 === 0
const Saved = z.object({ graph: DraftGraph, settings: JourneySettings })
const BRANCHES = ['a', 'b', 'c'] as const

describe('a split on the canvas', () => {
  let journeyId = ''
  let split = ''
  let trigger = ''
  const exits: Record<string, string> = {}
  const percent = (b: string) => page.getByTestId(`branch-percent-${b}`).inputValue()

  it('builds a three-way split by mouse and keyboard', async () => {
    journeyId = await canvas.newJourney(server.url, 'Onboarding A/B/C')
    trigger = await canvas.drop('trigger', 200, 40)
    // The first step goes to the top, leaving room for the split below.
    await canvas.move(trigger, 200, 30)
    await canvas.select(trigger)
    await page.getByTestId('field-event').fill('signed_up')

    split = await canvas.drop('split', 440, 230)
    await canvas.select(split)
    expect(await page.getByTestId('branch-row').count()).toBe(2)
    await page.getByTestId('branch-add').click()
    await expect.poll(() => page.getByTestId('branch-row').count()).toBe(3)
    // A third branch shares 100% evenly, in hundredths.
    expect([await percent('a'), await percent('b'), await percent('c')]).toEqual(['33.34', '33.33', '33.33'])
    expect(await canvas.nodeEl(split).locator('.react-flow__handle.handle-out').count()).toBe(3)

    await page.getByTestId('branch-label-a').fill('Control')
    await page.getByTestId('branch-percent-a').fill('20')
    // Typed key by key, as a user would: the last branch takes up the difference each time.
    await page.getByTestId('branch-percent-b').click()
    await page.keyboard.press('ControlOrMeta+A')
    await page.keyboard.type('30')
    await page.keyboard.press('Tab')
    expect([await percent('a'), await percent('b'), await percent('c')]).toEqual(['20', '30', '50'])
    const outlet = (b: string) => page.getByTestId(`outlet-label-${split}-${b}`).textContent()
    expect([await outlet('a'), await outlet('b'), await outlet('c')]).toEqual(['Control20%', 'B30%', 'C50%'])

    // A winner rule needs a goal, and the journey has none: the form says so and leads to it.
    await page.getByTestId('split-winner-toggle').check()
    await page.getByTestId('split-no-goal').waitFor()
    await expect.poll(() => page.getByTestId('panel-issues').textContent()).toMatch(/no goal/)
    await page.getByTestId('split-set-goal').click()
    await page.getByTestId('goal-toggle').check()
    await page.getByTestId('field-goal-event').fill('Order Completed')
    await canvas.select(split)
    expect(await page.getByTestId('field-winner-after-amount').inputValue()).toBe('7')
    expect(await page.getByTestId('split-no-goal').count()).toBe(0)
    expect(await page.getByTestId('panel-issues').textContent()).not.toMatch(/no goal/)

    await canvas.connect(`handle-${trigger}-next`, `handle-${split}-in`)
    for (const [i, b] of BRANCHES.entries()) {
      exits[b] = await canvas.drop('exit', 150 + i * 290, 620)
      await canvas.connect(`handle-${split}-${b}`, `handle-${exits[b]}-in`)
    }
    await expect.poll(() => page.locator('.react-flow__edge').count()).toBe(4)
    await expect.poll(() => page.locator('[data-testid="node-issues"]').count()).toBe(0)
    await expect.poll(() => page.getByTestId('save-state').getAttribute('data-state'), { timeout: 10_000 }).toBe('saved')

    const saved = Saved.parse(await http(server.url, 'GET', `/api/journeys/${journeyId}`))
    expect(saved.settings.goal?.event).toBe('Order Completed')
    const draft = saved.graph
    expect(draft.nodes.find((n) => n.id === split)?.data).toEqual({
      branches: [
        { id: 'a', label: 'Control', percent: 20 },
        { id: 'b', label: 'B', percent: 30 },
        { id: 'c', label: 'C', percent: 50 },
      ],
      winner: { after: { amount: 7, unit: 'days' }, metric: 'goal' },
    })
    expect(draft.edges.filter((e) => e.source === split).map((e) => [e.sourceHandle, e.target])).toEqual(BRANCHES.map((b) => [b, exits[b]]))
  })

  it('publishes, sends users through the split, and shows on the card how many took each branch', async () => {
    await canvas.publish(1)
    for (let i = 0; i < USERS; i++) await http(server.url, 'POST', '/v1/track', { userId: `user-${i}`, event: 'signed_up' })
    for (let i = 0; i < USERS; i++) if (CONVERTS(i)) await http(server.url, 'POST', '/v1/track', { userId: `user-${i}`, event: 'Order Completed' })

    const converters = Array.from({ length: USERS }, (_, i) => i).filter(CONVERTS).length
    const stats = await until(
      'every user to pass the split, and the orders to count',
      async () => {
        const s = JourneyStats.parse(await http(server.url, 'GET', `/api/journeys/${journeyId}/stats`))
        const branches = s.nodes[split]?.branches
        const sum = (key: 'entered' | 'converted') => BRANCHES.reduce((n, b) => n + (branches?.[b]?.[key] ?? 0), 0)
        return sum('entered') === USERS && sum('converted') === converters ? s : undefined
      },
      30_000,
    )
    const row = (b: string) => canvas.nodeEl(split).locator(`[data-testid="split-branch"][data-branch-id="${b}"]`)
    for (const b of BRANCHES) {
      const entered = stats.nodes[split]?.branches?.[b]?.entered ?? 0
      // 20/30/50 over 60 users: every branch gets some (the chance that one gets none is below 1e-5).
      expect(entered).toBeGreaterThan(0)
      expect(stats.nodes[split]?.outlets[b]).toBe(entered)
      await expect.poll(() => row(b).getByTestId('branch-entered').textContent(), { timeout: 10_000 }).toBe(String(entered))
      const converted = stats.nodes[split]?.branches?.[b]?.converted ?? 0
      // The card refreshes on its own: its orders may show a poll after its arrivals.
      await expect.poll(() => row(b).getByTestId('branch-rate').textContent(), { timeout: 10_000 }).toBe(`${((converted / entered) * 100).toFixed(1)}%`)
      await expect.poll(() => canvas.nodeEl(exits[b] ?? '').getByTestId('node-entered').textContent(), { timeout: 10_000 }).toBe(String(entered))
    }
    // The winner rule waits seven days: no winner yet.
    expect(await canvas.nodeEl(split).getByTestId('branch-winner').count()).toBe(0)
  })
})

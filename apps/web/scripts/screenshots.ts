/**
 * Screenshots of the running product for the README: the journeys list (empty and in use), the
 * editor with live counts, the inspector on a user who clicked and on one still waiting, the Test
 * tab's simulation of the draft, a live three-way split with its winner, and the webhooks page.
 * Run `pnpm --filter @switchyard/web screenshots` (it builds the canvas first).
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { http, launchChromium, REPO_ROOT, startReceiver, startServer } from '../e2e/harness'
import { chainGraph, seedDemo, seedSplit } from '../e2e/seed'
import { Journey } from '@switchyard/schema'

const out = join(REPO_ROOT, 'docs/screenshots')
mkdirSync(out, { recursive: true })

const server = await startServer()
const receiver = await startReceiver()
const browser = await launchChromium()
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 })
  const shot = async (name: string) => {
    await page.waitForTimeout(300) // let transitions settle; every wait before this one polls for content
    await page.screenshot({ path: join(out, `${name}.png`) })
    process.stdout.write(`  docs/screenshots/${name}.png\n`)
  }

  await page.goto(`${server.url}/`)
  await page.getByTestId('journeys-empty').waitFor()
  await shot('journeys-empty')

  const { journeyId, clicked, waiting } = await seedDemo(server.url, receiver.url)

  await page.goto(`${server.url}/`)
  await page.getByTestId('journey-row').nth(2).waitFor()
  await shot('journeys')

  await page.goto(`${server.url}/journeys/${journeyId}`)
  await page.locator('[data-testid="node-entered"]').first().waitFor()
  await page.locator('[data-node-id="wait"]').click()
  await page.getByTestId('node-panel').waitFor()
  await shot('editor')

  await page.getByTestId('tab-users').click()
  await page.getByTestId('user-search').fill(clicked)
  await page.getByTestId('user-open').click()
  await page.getByTestId('timeline').waitFor()
  await shot('inspector')

  await page.getByTestId('inspector-close').click()
  await page.getByTestId('user-search').fill(waiting)
  await page.getByTestId('user-open').click()
  await page.getByTestId('node-waiting').waitFor()
  await shot('inspector-waiting')

  await page.getByTestId('inspector-close').click()
  await page.getByTestId('tab-test').click()
  await page.getByTestId('test-script').fill('+0s: add_to_cart {"product": "Trail shoes"}\n+5m: clicked')
  await page.getByTestId('test-simulate').click()
  await page.getByTestId('sim-effect').first().waitFor()
  await shot('test-tab')

  const split = await seedSplit(server.url)
  await page.goto(`${server.url}/journeys/${split.journeyId}`)
  await page.getByTestId('branch-winner').waitFor()
  await page.locator(`[data-node-id="${split.nodeId}"] .jnode-body`).click()
  await page.getByTestId('branch-list').waitFor()
  await shot('split')

  // A 300-step journey opens on its trigger, readable; step search finds a step far down.
  const big = Journey.parse(await http(server.url, 'POST', '/api/journeys', { name: 'Onboarding: 300 steps', graph: chainGraph(300) }))
  await page.goto(`${server.url}/journeys/${big.id}`)
  await page.getByTestId('node').first().waitFor()
  await shot('large-journey')
  await page.keyboard.press('Control+k')
  await page.getByTestId('step-search-input').fill('final')
  await shot('step-search')
  await page.keyboard.press('Escape')

  // At 1,024 px the palette shrinks to icons and the minimap stays small.
  await page.setViewportSize({ width: 1024, height: 768 })
  await page.goto(`${server.url}/journeys/${journeyId}`)
  await page.locator('[data-testid="node-entered"]').first().waitFor()
  await shot('editor-1024')
  await page.setViewportSize({ width: 1280, height: 800 })

  await page.goto(`${server.url}/settings/webhooks`)
  await page.getByTestId('webhooks-page').waitFor()
  await page.waitForSelector('[data-testid="webhook-row"], [data-testid="webhooks-empty"], .banner')
  await shot('webhooks')
} finally {
  await browser.close()
  await receiver.stop()
  await server.stop()
}

/**
 * Canvas benchmark: a generated 300-node journey opened in Chromium from the real server.
 * Prints the time from navigation to the first node and to every node drawn, and the frame times
 * while panning, as the journey opens (on its trigger, at 100 % zoom) and at "fit view" (all 300
 * nodes on screen).
 * Run `pnpm --filter @switchyard/web bench` (it builds the canvas first).
 */
import { Journey, type DraftGraph } from '@switchyard/schema'
import type { Page } from 'playwright-core'
import { toFlow } from '../src/flow/convert'
import { autoLayout } from '../src/flow/layout'
import { http, launchChromium, startServer } from '../e2e/harness'

const NODES = 300
const RUNS = 3

/** trigger, then segments of message -> wait (matched: next segment, timeout: exit) and a condition every few. */
export function generateJourney(size: number): DraftGraph {
  const nodes: DraftGraph['nodes'] = [{ id: 'n0', type: 'trigger', position: { x: 0, y: 0 }, data: { event: 'add_to_cart' } }]
  const edges: DraftGraph['edges'] = []
  let prev = 'n0'
  let prevHandle = 'next'
  let i = 1
  const add = (type: string, data: Record<string, unknown>) => {
    const id = `n${i++}`
    nodes.push({ id, type, position: { x: 0, y: 0 }, data })
    return id
  }
  const link = (source: string, handle: string, target: string) => edges.push({ id: `${source}-${handle}-${target}`, source, target, sourceHandle: handle })
  while (i < size - 4) {
    const msg = add('action', { channel: i % 2 ? 'rcs' : 'email', message: { text: 'Hi {{ user.traits.FIRSTNAME }}', subject: 'Your cart', body: 'Still there?' } })
    link(prev, prevHandle, msg)
    const wait = add('waitForEvent', { activity: { status: 'clicked' }, within: { amount: 1, unit: 'days' } })
    link(msg, 'next', wait)
    const out = add('exit', {})
    link(wait, 'timeout', out)
    if (i % 7 === 0) {
      const cond = add('condition', { where: { path: 'user.traits.country', op: 'eq', value: 'CA' } })
      link(wait, 'matched', cond)
      const no = add('webhook', { webhookId: 'crm' })
      link(cond, 'no', no)
      const end = add('exit', {})
      link(no, 'next', end)
      prev = cond
      prevHandle = 'yes'
    } else {
      prev = wait
      prevHandle = 'matched'
    }
  }
  while (i < size) {
    const id = add(i === size - 1 ? 'exit' : 'delay', i === size - 1 ? {} : { for: { amount: 1, unit: 'hours' } })
    link(prev, prevHandle, id)
    prev = id
    prevHandle = 'next'
  }
  const flow = toFlow({ nodes, edges })
  const positions = autoLayout(flow.nodes, flow.edges)
  return { nodes: nodes.map((n) => ({ ...n, position: positions.get(n.id) ?? n.position })), edges }
}

declare global {
  interface Window {
    benchFrames?: number[]
    benchRecording?: boolean
    benchSeen?: { count: number; since: number; stable: number }
  }
}

/**
 * Time from navigation to the first node, and to the canvas being complete: the first frame after
 * which the number of drawn nodes stays the same for 10 frames (nodes off screen are not drawn).
 */
async function firstRender(page: Page, url: string): Promise<{ firstNode: number; settled: number; drawn: number }> {
  await page.goto(url, { waitUntil: 'commit' })
  const firstNode = await page.waitForFunction(() => (document.querySelector('[data-testid="node"]') ? performance.now() : 0), undefined, { polling: 'raf', timeout: 30_000 })
  const settled = await page.waitForFunction(
    () => {
      const count = document.querySelectorAll('[data-testid="node"]').length
      const seen = window.benchSeen
      if (!seen || seen.count !== count) {
        window.benchSeen = { count, since: performance.now(), stable: 0 }
        return 0
      }
      seen.stable += 1
      return seen.stable >= 10 ? [seen.since, count] : 0
    },
    undefined,
    { polling: 'raf', timeout: 30_000 },
  )
  const [at, drawn] = (await settled.jsonValue()) || [0, 0]
  return { firstNode: Number(await firstNode.jsonValue()), settled: Number(at), drawn: Number(drawn) }
}

interface Frames {
  drawn?: number
  frames: number
  mean: number
  p95: number
  max: number
  over33: number
}

/** Drags the empty pane for ~1.5 s while recording every animation frame. */
async function panFrames(page: Page): Promise<Frames> {
  const pane = await page.locator('.react-flow__pane').boundingBox()
  if (!pane) throw new Error('no pane')
  // A string, so the bundler's helpers (tsx names functions with __name) stay out of the page.
  await page.evaluate(`(() => {
    const frames = []
    window.benchFrames = frames
    window.benchRecording = true
    let last = performance.now()
    requestAnimationFrame(function tick(t) {
      frames.push(t - last)
      last = t
      if (window.benchRecording) requestAnimationFrame(tick)
    })
  })()`)
  const transform = () => page.locator('.react-flow__viewport').getAttribute('style')
  const before = await transform()
  // Start the drag on empty canvas, not on a node (which would move the node instead).
  const start = await page.evaluate(
    `(() => {
      const r = document.querySelector('.react-flow__pane').getBoundingClientRect()
      for (let gy = 0.5; gy < 0.95; gy += 0.05) for (let gx = 0.1; gx < 0.9; gx += 0.05) {
        const x = r.left + r.width * gx, y = r.top + r.height * gy
        if (document.elementFromPoint(x, y)?.classList.contains('react-flow__pane')) return [x, y]
      }
      return [r.left + 5, r.top + r.height - 5]
    })()`,
  )
  const [x = 0, y = 0] = Array.isArray(start) ? start.map(Number) : []
  await page.mouse.move(x, y)
  await page.mouse.down()
  for (let k = 0; k < 90; k++) {
    const dx = Math.sin(k / 9) * 220
    const dy = Math.cos(k / 13) * 160 - 160
    await page.mouse.move(x + dx, y + dy)
    await page.waitForTimeout(16)
  }
  await page.mouse.up()
  if ((await transform()) === before) throw new Error('The pan did not move the canvas.')
  const frames = await page.evaluate(() => {
    window.benchRecording = false
    return (window.benchFrames ?? []).slice(2)
  })
  const sorted = [...frames].sort((a, b) => a - b)
  return {
    frames: frames.length,
    mean: frames.reduce((s, f) => s + f, 0) / Math.max(1, frames.length),
    p95: sorted[Math.floor(sorted.length * 0.95)] ?? 0,
    max: sorted[sorted.length - 1] ?? 0,
    over33: frames.filter((f) => f > 33.4).length,
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0
const ms = (n: number) => `${n.toFixed(1)} ms`

const server = await startServer()
const browser = await launchChromium()
try {
  const graph = generateJourney(NODES)
  const j = Journey.parse(await http(server.url, 'POST', '/api/journeys', { name: `Benchmark: ${NODES} steps`, graph }))
  const url = `${server.url}/journeys/${j.id}`
  const renders: { firstNode: number; settled: number; drawn: number }[] = []
  let full: Frames | null = null
  let fit: Frames | null = null
  for (let r = 0; r < RUNS; r++) {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
    renders.push(await firstRender(page, url))
    if (r === RUNS - 1) {
      await page.waitForTimeout(500)
      full = await panFrames(page)
      // The canvas' own fit view control: every node on screen.
      await page.locator('.react-flow__controls-fitview').click()
      await page.waitForTimeout(500)
      fit = await panFrames(page)
    }
    await page.close()
  }
  const line = (label: string, f: Frames | null) =>
    f ? `  ${label.padEnd(26)} ${String(f.frames).padStart(4)} frames  mean ${ms(f.mean)}  p95 ${ms(f.p95)}  max ${ms(f.max)}  >33 ms: ${f.over33}` : ''
  process.stdout.write(
    [
      '',
      `Canvas benchmark: ${graph.nodes.length} nodes, ${graph.edges.length} edges, Chromium 1280x800, median of ${RUNS} loads`,
      `  first node drawn           ${ms(median(renders.map((r) => r.firstNode)))} after navigation`,
      `  canvas complete            ${ms(median(renders.map((r) => r.settled)))} after navigation, ${renders[0]?.drawn ?? 0} nodes on screen (target < 2000 ms)`,
      line('pan, as opened (100 %)', full),
      line('pan, fitted view', fit),
      '',
    ].join('\n'),
  )
} finally {
  await browser.close()
  await server.stop()
}

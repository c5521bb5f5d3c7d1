/** Driving the canvas as a user does, with the mouse and the keyboard: shared by the browser tests. */
import type { Page } from 'playwright-core'
import { until } from './harness'

export function canvasDriver(page: Page) {
  async function center(testId: string): Promise<{ x: number; y: number }> {
    const box = await page.getByTestId(testId).boundingBox()
    if (!box) throw new Error(`${testId} is not on screen`)
    return { x: box.x + box.width / 2, y: box.y + box.height / 2 }
  }

  /** A handle's centre once two readings 100 ms apart agree. */
  async function settledCenter(testId: string): Promise<{ x: number; y: number }> {
    let previous = await center(testId)
    return until(`${testId} to stop moving`, async () => {
      const now = await center(testId)
      const same = Math.abs(now.x - previous.x) < 0.5 && Math.abs(now.y - previous.y) < 0.5
      previous = now
      return same ? now : undefined
    }, 10_000, 100)
  }

  function nodeEl(id: string) {
    return page.locator(`[data-testid="node"][data-node-id="${id}"]`)
  }

  return {
    center,
    nodeEl,

    /** Drags a palette item onto the canvas at a point relative to the canvas' top left corner. */
    async drop(type: string, x: number, y: number): Promise<string> {
      const before = await page.locator(`[data-node-type="${type}"]`).count()
      await page.getByTestId(`palette-${type}`).dragTo(page.getByTestId('canvas'), { targetPosition: { x, y } })
      const node = page.locator(`[data-node-type="${type}"]`).nth(before)
      await node.waitFor()
      const id = await node.getAttribute('data-node-id')
      if (!id) throw new Error(`the dropped ${type} has no id`)
      return id
    },

    /**
     * Drags from an outlet handle to a node's input handle, as a user connects two steps. Each
     * handle is read once it has stopped moving: a card changes height when the connection before
     * settles its problems, and a handle read before that is no longer under the pointer.
     */
    async connect(from: string, to: string): Promise<void> {
      const edges = page.locator('.react-flow__edge')
      const before = await edges.count()
      // On a loaded machine a drag's first events can be lost before React Flow starts the
      // connection; a user would simply drag again, and so does the driver, once.
      for (let attempt = 0; attempt < 2; attempt++) {
        const a = await settledCenter(from)
        const b = await settledCenter(to)
        await page.mouse.move(a.x, a.y)
        await page.mouse.down()
        await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 6 })
        await page.mouse.move(b.x, b.y, { steps: 6 })
        await page.mouse.up()
        const made = await until('the connection', async () => (await edges.count()) > before, 2000, 100).then(
          () => true,
          () => false,
        )
        if (made) return
        await page.keyboard.press('Escape')
      }
    },

    /** Drags a node by its head so that the head's centre lands on a point relative to the canvas. */
    async move(nodeId: string, x: number, y: number): Promise<void> {
      const head = await nodeEl(nodeId).locator('.jnode-head').boundingBox()
      const area = await page.getByTestId('canvas').boundingBox()
      if (!head || !area) throw new Error(`${nodeId} is not on screen`)
      await page.mouse.move(head.x + head.width / 2, head.y + head.height / 2)
      await page.mouse.down()
      await page.mouse.move(area.x + x, area.y + y, { steps: 8 })
      await page.mouse.up()
    },

    async select(nodeId: string): Promise<void> {
      await nodeEl(nodeId).locator('.jnode-body').click()
      await page.locator(`[data-testid="node-panel"][data-node-id="${nodeId}"]`).waitFor()
    },

    /** Creates a journey from the journeys list and answers its id, with the editor open. */
    async newJourney(base: string, name: string): Promise<string> {
      await page.goto(`${base}/`)
      await page.getByTestId('new-journey').click()
      await page.getByTestId('journey-name-input').fill(name)
      await page.getByTestId('create-journey-submit').click()
      await page.getByTestId('editor').waitFor()
      return (await page.getByTestId('editor').getAttribute('data-journey-id')) ?? ''
    },

    /** Publishes the draft through the publish dialog and waits for the journey to be live. */
    async publish(version: number): Promise<void> {
      await page.getByTestId('publish').click()
      await page.getByTestId('publish-summary').waitFor()
      await page.getByTestId('publish-confirm').click()
      await page.locator(`[data-testid="publish-result"][data-version="${version}"]`).waitFor()
      await page.getByTestId('publish-done').click()
    },
  }
}

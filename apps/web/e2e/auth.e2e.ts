/** With ADMIN_TOKEN set, the canvas asks for the token on the first 401, keeps it, and goes on. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { launchChromium, startServer, type RunningServer } from './harness'

let server: RunningServer
let browser: Browser

beforeAll(async () => {
  server = await startServer({ ADMIN_TOKEN: 'e2e-admin-token' })
  browser = await launchChromium()
})

afterAll(async () => {
  await browser?.close()
  await server?.stop()
})

describe('admin token', () => {
  it('asks for the token, then lists, creates and renames journeys with it', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
    await page.goto(`${server.url}/`)
    await page.getByTestId('token-dialog').waitFor()
    await page.getByTestId('token-input').fill('e2e-admin-token')
    await page.getByTestId('token-input').press('Enter')
    await page.getByTestId('journeys-empty').waitFor()
    expect(await page.evaluate(() => localStorage.getItem('switchyard.adminToken'))).toBe('e2e-admin-token')

    await page.getByTestId('new-journey').click()
    await page.getByTestId('journey-name-input').fill('Behind a token')
    await page.getByTestId('create-journey-submit').click()
    await page.getByTestId('editor').waitFor()
    await page.getByTestId('back-to-list').click()
    await page.getByTestId('rename-journey').click()
    await page.getByTestId('rename-input').fill('Renamed behind a token')
    await page.getByTestId('rename-submit').click()
    await expect.poll(() => page.getByTestId('journey-row').first().textContent()).toContain('Renamed behind a token')
    await page.getByTestId('duplicate-journey').click()
    await expect.poll(() => page.getByTestId('journey-row').count()).toBe(2)
    await page.getByTestId('delete-journey').first().click()
    await page.getByTestId('delete-confirm').click()
    await expect.poll(() => page.getByTestId('journey-row').count()).toBe(1)
  })
})

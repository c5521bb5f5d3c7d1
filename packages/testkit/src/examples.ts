import { readFileSync, readdirSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { JourneyInput } from '@switchyard/schema'

/** The sample journeys kept in the repository (`examples/`): one per category of the seeds, and an A/B split. */
export const EXAMPLES_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../../examples')

export const EXAMPLE_NAMES = [
  'single-action',
  'several-actions',
  'inaction-within-time',
  'inaction',
  'date-time-property',
  'actions-with-user-properties',
  'netcore-cart-rcs',
  'ab-test-split',
] as const
export type ExampleName = (typeof EXAMPLE_NAMES)[number]

/** A sample journey, with `REPLACE_WITH_WEBHOOK_ID` swapped for a real webhook id when given. */
export function loadExample(name: ExampleName, webhookId = 'REPLACE_WITH_WEBHOOK_ID'): JourneyInput {
  const text = readFileSync(join(EXAMPLES_DIR, `${name}.json`), 'utf8').replaceAll('REPLACE_WITH_WEBHOOK_ID', webhookId)
  return JourneyInput.parse(JSON.parse(text))
}

export function exampleFiles(): string[] {
  return readdirSync(EXAMPLES_DIR).filter((f) => f.endsWith('.json'))
}

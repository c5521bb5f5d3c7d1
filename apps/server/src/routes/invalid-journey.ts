import type { Context } from 'hono'
import { z } from 'zod'
import type { ValidationIssue } from '@switchyard/schema'
import { FAILURE_STATUS } from '../failure-status'

export const Issue = z.object({ code: z.string(), nodeId: z.string().optional(), edgeId: z.string().optional(), field: z.string().optional(), message: z.string() })
export const IssuesAnswer = z.object({ issues: z.array(Issue) })

/** `422 journey.invalid` with every problem of the graph: publishing, its preview and simulations answer alike. */
export function invalidJourney(c: Context, issues: ValidationIssue[], doing = 'published'): Response {
  const n = issues.length
  return c.json(
    { error: { code: 'journey.invalid', message: `The journey has ${n} problem${n === 1 ? '' : 's'} to fix before it can be ${doing}.`, details: issues }, issues },
    FAILURE_STATUS['journey.invalid'],
  )
}

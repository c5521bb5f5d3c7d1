import { dict, readPath, type Condition } from '@switchyard/schema'
import type { StoredEvent } from '../records'
import type { UserState } from '../store'
import { holds, type EngineKind } from './kind'

export const conditionEngine: EngineKind<'condition'> = {
  guards: {
    conditionHolds: ({ context }, params) => holds(params.where, context.event, context.user),
  },
  detail: ({ kind, where, run, user }) => (kind === 'branch' ? (where ? { values: conditionValues(where, run.context.event, user) } : null) : undefined),
}

/** The value of every path a condition reads, to show why a branch was taken. */
function conditionValues(c: Condition, event: StoredEvent | null, user: UserState): Record<string, unknown> {
  const out = dict<unknown>()
  const scope = { event, user: { id: user.userId, traits: user.traits } }
  const visit = (x: Condition): void => {
    if ('all' in x) x.all.forEach(visit)
    else if ('any' in x) x.any.forEach(visit)
    else if ('not' in x) visit(x.not)
    else out[x.path] = readPath(scope, x.path) ?? null
  }
  visit(c)
  return out
}

import type { EngineKind } from './kind'

export const triggerEngine: EngineKind<'trigger'> = {
  guards: {},
  detail: ({ kind, event }) => (kind === 'entered' ? (event ? { event: event.name, properties: event.properties } : null) : undefined),
}

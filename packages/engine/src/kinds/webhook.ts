import type { EngineKind } from './kind'

export const webhookEngine: EngineKind<'webhook'> = { guards: {}, detail: () => undefined }

import type { EngineKind } from './kind'

export const actionEngine: EngineKind<'action'> = { guards: {}, detail: () => undefined }

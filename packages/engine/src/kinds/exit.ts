import type { EngineKind } from './kind'

export const exitEngine: EngineKind<'exit'> = { guards: {}, detail: () => undefined }

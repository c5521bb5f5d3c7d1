import { waitingDetail, type EngineKind } from './kind'

export const delayEngine: EngineKind<'delay'> = {
  // Its timer's guard is the wait's `timerIs`.
  guards: {},
  detail: ({ kind, node, run }) => (kind === 'entered' ? waitingDetail(node.data.for ? 'delay' : `date: ${node.data.until?.path ?? ''}`, run) : undefined),
}

import { type Socket, connect } from 'node:net'
import type { AddressGuard } from './address-guard'

export type GuardedSocket =
  | { ok: true; socket: Socket }
  /** refused: the guard said no (permanent). network / timeout: worth a retry. Our words, never the peer's. */
  | { ok: false; kind: 'refused' | 'network' | 'timeout'; error: string }

/**
 * A plain TCP connection for protocols undici does not speak (SMTP): the guard checks the host
 * and the socket dials the address it checked, so a name that resolves elsewhere a moment later
 * cannot redirect it. One deadline covers the lookup and the connect. TLS, when wanted, is
 * started on top by the caller with the original host name as SNI.
 */
export function connectGuarded(guard: AddressGuard, target: { host: string; port: number; timeoutMs: number }): Promise<GuardedSocket> {
  const where = `${target.host}:${target.port}`
  return new Promise((resolve) => {
    let socket: Socket | null = null
    let settled = false
    const finish = (result: GuardedSocket) => {
      if (settled) {
        if (result.ok) result.socket.destroy()
        return
      }
      settled = true
      clearTimeout(timer)
      if (!result.ok) socket?.destroy()
      resolve(result)
    }
    const timer = setTimeout(() => finish({ ok: false, kind: 'timeout', error: `could not connect to ${where} within ${target.timeoutMs} ms` }), target.timeoutMs)
    guard.check(target.host).then(
      (verdict) => {
        if (settled) return
        if (!verdict.ok) {
          finish({ ok: false, kind: verdict.kind === 'refused' ? 'refused' : 'network', error: verdict.error })
          return
        }
        const dialled = connect({ host: verdict.address, port: target.port, family: verdict.family })
        socket = dialled
        dialled.once('connect', () => {
          dialled.removeAllListeners('error')
          finish({ ok: true, socket: dialled })
        })
        dialled.once('error', () => finish({ ok: false, kind: 'network', error: `could not connect to ${where}` }))
      },
      () => finish({ ok: false, kind: 'network', error: `could not connect to ${where}` }),
    )
  })
}

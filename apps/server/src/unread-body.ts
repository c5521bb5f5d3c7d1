import { IncomingMessage } from 'node:http'

/**
 * What is still read, and for how long, of a body the app answered without reading: well past
 * every route's limit (1 MB), so an oversize body still gets its payload.too_large rather than a
 * reset; reading and dropping 16 MB costs a few milliseconds.
 */
export const UNREAD_BODY_LIMIT = 16 * 1024 * 1024
const UNREAD_BODY_WAIT_MS = 2_000

/**
 * Receives the rest of a request body that the app answered without reading (a wrong key, an
 * unknown route, a declared size over the limit), and says whether the connection can be reused.
 *
 * Answering first and draining afterwards (what @hono/node-server does) loses the answer and the
 * next request on the connection whenever the event loop stalls past its 500 ms drain timer: it
 * destroys a socket it has just declared keep-alive. So the answer waits for the body, up to
 * `UNREAD_BODY_LIMIT` bytes and two seconds; past that the answer closes the connection instead.
 * `env` is what @hono/node-server passes to `fetch` (`{ incoming, outgoing }`).
 */
export async function finishReceiving(env: unknown): Promise<'reusable' | 'close'> {
  const incoming = env !== null && typeof env === 'object' && 'incoming' in env && env.incoming instanceof IncomingMessage ? env.incoming : null
  if (incoming === null || incoming.complete || incoming.readableEnded) return 'reusable'
  // Read in part (a stream still listens): the app stopped on purpose, over the limit, so the rest
  // is not worth waiting for. Asking the Request (`bodyUsed`) would make @hono/node-server build one.
  if (incoming.listenerCount('data') > 0 || incoming.destroyed || Number(incoming.headers['content-length'] ?? 0) > UNREAD_BODY_LIMIT) return 'close'
  return new Promise((resolve) => {
    let bytes = 0
    const done = (outcome: 'reusable' | 'close') => {
      clearTimeout(timer)
      incoming.off('data', onData).off('end', onEnd).off('error', onError)
      resolve(outcome)
    }
    const onData = (chunk: Buffer) => {
      bytes += chunk.length
      if (bytes > UNREAD_BODY_LIMIT) done('close')
    }
    const onEnd = () => done('reusable')
    const onError = () => done('close')
    const timer = setTimeout(() => done('close'), UNREAD_BODY_WAIT_MS)
    incoming.on('data', onData).on('end', onEnd).on('error', onError)
    incoming.resume()
  })
}

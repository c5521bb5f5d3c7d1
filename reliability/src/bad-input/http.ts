import { request } from 'node:http'

export interface Answer {
  status: number
  body: string
}

/**
 * One raw HTTP request to 127.0.0.1, so a test controls every byte: the content type, a lying or
 * missing Content-Length, chunked transfer, invalid UTF-8.
 */
export function raw(
  port: number,
  o: { method: string; path: string; headers?: Record<string, string>; body?: string | Buffer; chunks?: (string | Buffer)[] },
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...o.headers }
    if (o.body !== undefined && o.chunks === undefined && headers['content-length'] === undefined) headers['content-length'] = String(Buffer.byteLength(o.body))
    if (o.chunks !== undefined) headers['transfer-encoding'] = 'chunked'
    const req = request({ host: '127.0.0.1', port, method: o.method, path: o.path, headers }, (res) => {
      const parts: Buffer[] = []
      res.on('data', (c: Buffer) => parts.push(c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString('utf8') }))
      res.on('error', reject)
    })
    // The server may answer and close before a long body is written; that answer is what counts.
    req.on('error', (error: NodeJS.ErrnoException) => (error.code === 'EPIPE' || error.code === 'ECONNRESET' ? resolve({ status: -1, body: error.code }) : reject(error)))
    if (o.chunks !== undefined) for (const c of o.chunks) req.write(c)
    else if (o.body !== undefined) req.write(o.body)
    req.end()
  })
}

/** Whether a body is `{ error: { code, message } }` with non-empty strings. */
export function isErrorShape(text: string): boolean {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return false
  }
  if (value === null || typeof value !== 'object' || !('error' in value)) return false
  const error: unknown = value.error
  return (
    error !== null &&
    typeof error === 'object' &&
    'code' in error &&
    'message' in error &&
    typeof error.code === 'string' &&
    error.code !== '' &&
    typeof error.message === 'string' &&
    error.message !== ''
  )
}

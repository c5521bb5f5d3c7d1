// A tiny webhook receiver for trying Switchyard out: it prints every request it gets and answers
// 200. `pnpm receiver` listens on 127.0.0.1:4000 (RECEIVER_PORT changes the port).
import { createServer } from 'node:http'

const port = Number(process.env.RECEIVER_PORT ?? 4000)
const SHOWN_HEADERS = ['content-type', 'authorization', 'webhook-id', 'webhook-timestamp', 'webhook-signature', 'user-agent']
const MAX_SHOWN = 4096

const server = createServer((req, res) => {
  const chunks = []
  req.on('data', (c) => chunks.push(c))
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8')
    const headers = SHOWN_HEADERS.filter((h) => req.headers[h] !== undefined).map((h) => `  ${h}: ${req.headers[h]}`)
    const shown = body.length > MAX_SHOWN ? `${body.slice(0, MAX_SHOWN)}... (${body.length} characters)` : body
    console.log(`${new Date().toISOString()} ${req.method} ${req.url}\n${headers.join('\n')}\n${shown}\n`)
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"received":true}')
  })
})
server.listen(port, '127.0.0.1', () => console.log(`receiver: printing what reaches http://127.0.0.1:${port}/ (Ctrl+C stops it)`))

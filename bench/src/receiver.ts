/** A keep-alive HTTP receiver on 127.0.0.1 for the webhook figure; prints its port, then counts. */
import { createServer } from 'node:http'

let requests = 0
const server = createServer((req, res) => {
  req.resume()
  req.on('end', () => {
    requests++
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end('{"ok":true}')
  })
})
server.keepAliveTimeout = 30_000
server.listen(0, '127.0.0.1', () => {
  const address = server.address()
  process.stdout.write(`${JSON.stringify({ port: address !== null && typeof address === 'object' ? address.port : 0 })}\n`)
})
process.on('SIGTERM', () => {
  process.stdout.write(`${JSON.stringify({ requests })}\n`)
  server.close()
  process.exit(0)
})

import { existsSync, readFileSync, statSync } from 'node:fs'
import { extname, join, normalize, sep } from 'node:path'
import type { Hono } from 'hono'

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
}

/** The canvas: files of the web build, and index.html for any other path the client routes. */
export function mountWeb(app: Hono, dist: string): void {
  const index = join(dist, 'index.html')
  app.get('*', (c) => {
    const path = c.req.path
    if (path.startsWith('/api/') || path.startsWith('/v1/')) return c.notFound()
    const file = normalize(join(dist, decodeURIComponent(path)))
    if (file.startsWith(dist + sep) && existsSync(file) && statSync(file).isFile()) {
      const immutable = path.startsWith('/assets/')
      return c.body(readFileSync(file), 200, {
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
        'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      })
    }
    if (!existsSync(index)) {
      return c.text('The canvas is not built. Run `pnpm start` from the repository root, which builds it first.', 503)
    }
    return c.html(readFileSync(index, 'utf8'))
  })
}

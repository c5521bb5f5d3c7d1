import { z } from 'zod'

export type Method = 'get' | 'post' | 'put' | 'delete'

export interface RouteDoc {
  method: Method
  /** Hono syntax: `/api/journeys/:id`. */
  path: string
  summary: string
  tag: string
  auth: 'admin' | 'writeKey' | 'none'
  body?: z.ZodType
  query?: z.ZodType
  responses: Record<number, { description: string; schema?: z.ZodType }>
}

/** Every route registers its schemas here when it is mounted; /openapi.json is built from them. */
export class RouteRegistry {
  readonly routes: RouteDoc[] = []

  add(doc: RouteDoc): void {
    this.routes.push(doc)
  }

  document(info: { version: string }): Record<string, unknown> {
    const paths: Record<string, Record<string, unknown>> = {}
    for (const r of this.routes) {
      const path = r.path.replace(/:([A-Za-z]+)/g, '{$1}')
      const params = [...r.path.matchAll(/:([A-Za-z]+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }))
      const query = r.query ? queryParams(r.query) : []
      const responses = Object.fromEntries(
        Object.entries(r.responses).map(([status, res]) => [
          status,
          res.schema ? { description: res.description, content: { 'application/json': { schema: jsonSchema(res.schema, 'output') } } } : { description: res.description },
        ]),
      )
      const op: Record<string, unknown> = {
        summary: r.summary,
        tags: [r.tag],
        parameters: [...params, ...query],
        responses: { ...responses, default: { description: 'Error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } } },
      }
      if (r.auth === 'admin') op.security = [{ adminToken: [] }]
      if (r.auth === 'writeKey') op.security = [{ writeKeyBasic: [] }, { writeKeyBearer: [] }]
      if (r.body) op.requestBody = { required: true, content: { 'application/json': { schema: jsonSchema(r.body, 'input') } } }
      paths[path] = { ...(paths[path] ?? {}), [r.method]: op }
    }
    return {
      openapi: '3.1.0',
      info: {
        title: 'Switchyard',
        version: info.version,
        description: 'Journey orchestration: Segment-compatible ingestion (/v1), journeys, inspection and webhooks (/api).',
      },
      paths,
      components: {
        securitySchemes: {
          adminToken: { type: 'http', scheme: 'bearer', description: 'ADMIN_TOKEN, when the server sets one.' },
          writeKeyBasic: { type: 'http', scheme: 'basic', description: 'WRITE_KEY as the user name, empty password (Segment convention).' },
          writeKeyBearer: { type: 'http', scheme: 'bearer', description: 'WRITE_KEY as a bearer token.' },
        },
        schemas: {
          Error: {
            type: 'object',
            required: ['error'],
            properties: {
              error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' }, details: {} } },
            },
          },
        },
      },
    }
  }
}

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): unknown {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any', cycles: 'ref', reused: 'inline' })
  return rest
}

function queryParams(schema: z.ZodType): unknown[] {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' })
  const props = json.properties ?? {}
  return Object.entries(props).map(([name, s]) => ({ name, in: 'query', required: false, schema: s }))
}

import type { WebhookBody, WebhookEncoding } from '@switchyard/schema'
import { type BodySource, activityBody, activityItem } from './activity-item'
import { profilesBody } from './profiles-body'
import { type RenderResult, templateScope } from './template-body'

export type PayloadResult = { ok: true; text: string } | { ok: false; error: string }

export type RenderTemplate = (template: string, scope: Record<string, unknown>) => Promise<RenderResult>

/** The text of one journey delivery's body, before encoding. */
export async function journeyPayload(
  source: BodySource & { body: WebhookBody },
  webhookName: string,
  renderTemplate: RenderTemplate,
): Promise<PayloadResult> {
  const body = source.body
  switch (body.kind) {
    case 'activity':
      return { ok: true, text: JSON.stringify(activityBody(source.context.workspace, [activityItem(source, webhookName)])) }
    case 'profiles':
      return { ok: true, text: JSON.stringify(profilesBody(source)) }
    case 'template': {
      const rendered = await renderTemplate(body.template, templateScope(source))
      return rendered.ok ? { ok: true, text: rendered.output } : { ok: false, error: rendered.error }
    }
    default:
      return assertNever(body)
  }
}

/** Several activity deliveries due together for one endpoint, as one array under the workspace key. */
export function batchPayload(sources: readonly BodySource[], webhookName: string): string {
  const workspace = sources[0]?.context.workspace ?? ''
  return JSON.stringify(activityBody(workspace, sources.map((s) => activityItem(s, webhookName))))
}

/**
 * json: the payload as is. form: `application/x-www-form-urlencoded` with the one key `data`
 * holding the payload, percent-encoded as Netcore sends it (`%20` for spaces, not `+`).
 */
export function encodePayload(encoding: WebhookEncoding, text: string): { contentType: string; body: string } {
  switch (encoding) {
    case 'json':
      return { contentType: 'application/json', body: text }
    case 'form':
      return { contentType: 'application/x-www-form-urlencoded', body: `data=${encodeURIComponent(text)}` }
    default:
      return assertNever(encoding)
  }
}

export function assertNever(value: never): never {
  throw new Error(`Unexpected value: ${JSON.stringify(value)}`)
}

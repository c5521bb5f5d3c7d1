import { fail, ok, type ChannelErrorCode, type Result } from '@switchyard/schema'
import { MESSAGE_ID_HEADER } from '../providers/smtp-provider'
import type { ReceiptStatus } from '../activity/activity'
import type { MessageRef, ProviderReceipt } from './provider-receipt'

export const MAX_DSN_CHARS = 1024 * 1024

interface Part {
  headers: Map<string, string>
  body: string
}

/** Header block -> lower-cased name -> value (first occurrence), with folded lines joined. */
function parseHeaders(block: string): Map<string, string> {
  const headers = new Map<string, string>()
  const unfolded = block.replace(/\r?\n[ \t]+/g, ' ')
  for (const line of unfolded.split(/\r?\n/)) {
    const colon = line.indexOf(':')
    if (colon <= 0) continue
    const name = line.slice(0, colon).trim().toLowerCase()
    if (!headers.has(name)) headers.set(name, line.slice(colon + 1).trim())
  }
  return headers
}

function splitPart(text: string): Part {
  const match = /\r?\n\r?\n/.exec(text)
  if (match === null) return { headers: parseHeaders(text), body: '' }
  return { headers: parseHeaders(text.slice(0, match.index)), body: text.slice(match.index + match[0].length) }
}

function boundaryOf(contentType: string | undefined): string | null {
  if (contentType === undefined) return null
  const m = /boundary\s*=\s*(?:"([^"]+)"|([^;\s]+))/i.exec(contentType)
  return m?.[1] ?? m?.[2] ?? null
}

function mimeType(part: Part): string {
  return (part.headers.get('content-type') ?? 'text/plain').split(';')[0]?.trim().toLowerCase() ?? 'text/plain'
}

function childParts(part: Part): Part[] {
  const boundary = boundaryOf(part.headers.get('content-type'))
  if (boundary === null) return []
  const pieces = part.body.split(`--${boundary}`)
  // The first piece is the preamble; the one starting with "--" the epilogue.
  return pieces.slice(1).filter((p) => !p.startsWith('--')).map((p) => splitPart(p.replace(/^\r?\n/, '')))
}

/** Per-recipient groups of a message/delivery-status body: blank-line separated header blocks. */
function statusGroups(body: string): Map<string, string>[] {
  return body
    .split(/\r?\n\s*\r?\n/)
    .map((block) => parseHeaders(block))
    .filter((h) => h.size > 0)
}

/**
 * An RFC 3464 delivery status notification (multipart/report; report-type=delivery-status) ->
 * receipt. `Action: failed` is a bounce, `delivered` a delivery; `delayed`, `relayed` and
 * `expanded` are no activity. The message is found by our `X-Switchyard-Message-Id` header in the
 * returned headers, else by `Original-Message-ID` or the returned `Message-ID` (the provider id).
 */
export function parseDsn(raw: string, now: number): Result<ProviderReceipt, ChannelErrorCode> {
  if (raw.length > MAX_DSN_CHARS) return fail('receipt.invalid', `A bounce message longer than ${MAX_DSN_CHARS} characters is refused.`)
  const top = splitPart(raw)
  const contentType = top.headers.get('content-type') ?? ''
  if (!/multipart\/report/i.test(contentType)) {
    return fail('receipt.invalid', 'Not a delivery status notification: expected Content-Type multipart/report; report-type=delivery-status.')
  }
  const parts = childParts(top)
  const status = parts.find((p) => mimeType(p) === 'message/delivery-status' || mimeType(p) === 'message/global-delivery-status')
  if (status === undefined) return fail('receipt.invalid', 'The report has no message/delivery-status part.')
  const groups = statusGroups(status.body)
  const recipients = groups.filter((g) => g.has('action'))
  if (recipients.length === 0) return fail('receipt.invalid', 'The delivery status names no recipient Action.')

  const actions = recipients.map((g) => (g.get('action') ?? '').toLowerCase())
  const failedGroup = recipients.find((g) => (g.get('action') ?? '').toLowerCase() === 'failed')
  const mapped: ReceiptStatus | null = actions.includes('failed') ? 'bounced' : actions.includes('delivered') ? 'delivered' : null
  const reported = failedGroup ?? recipients[0]

  const original = parts.find((p) => ['message/rfc822', 'text/rfc822-headers', 'message/global', 'message/global-headers'].includes(mimeType(p)))
  const returned = original === undefined ? null : splitPart(original.body.replace(/^\r?\n/, '')).headers
  const ours = returned?.get(MESSAGE_ID_HEADER.toLowerCase()) ?? top.headers.get(MESSAGE_ID_HEADER.toLowerCase())
  const originalId =
    groups.map((g) => g.get('original-message-id')).find((v) => v !== undefined) ?? top.headers.get('original-message-id') ?? returned?.get('message-id')
  const refs: MessageRef[] = []
  if (ours !== undefined && ours !== '') refs.push({ messageId: ours.trim() })
  if (originalId !== undefined && originalId !== '') refs.push({ providerMessageId: originalId.trim() })

  const detail: Record<string, unknown> = { provider: 'dsn', providerEvent: actions.join(',') }
  const statusCode = reported?.get('status')
  const diagnostic = reported?.get('diagnostic-code')
  const recipient = reported?.get('final-recipient') ?? reported?.get('original-recipient')
  if (statusCode !== undefined) detail.statusCode = statusCode
  if (diagnostic !== undefined) detail.reason = diagnostic.slice(0, 500)
  if (recipient !== undefined) detail.recipient = recipient.replace(/^rfc822;\s*/i, '')
  const date = Date.parse(top.headers.get('date') ?? '')
  return ok({ refs, status: mapped, providerStatus: actions.join(','), timestamp: Number.isNaN(date) ? now : date, detail })
}

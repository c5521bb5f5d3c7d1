import type { z } from 'zod'
import {
  assertNever,
  dict,
  EmailMessage,
  PushMessage,
  RcsMessage,
  SmsMessage,
  WhatsappMessage,
  type Channel,
  type MessageJob,
} from '@switchyard/schema'
import type { RenderOutcome, TemplateRenderer } from './liquid'
import { recipientOf } from './recipient'

/** A message after Liquid, checked against its channel's schema: what a provider sends. */
export type RenderedMessage =
  | { channel: 'email'; to: string | null; fields: z.infer<typeof EmailMessage> }
  | { channel: 'sms'; to: string | null; fields: z.infer<typeof SmsMessage> }
  | { channel: 'app_push'; to: string | null; fields: z.infer<typeof PushMessage> }
  | { channel: 'web_push'; to: string | null; fields: z.infer<typeof PushMessage> }
  | { channel: 'whatsapp'; to: string | null; fields: z.infer<typeof WhatsappMessage> }
  | { channel: 'rcs'; to: string | null; fields: z.infer<typeof RcsMessage> }

export type RenderResult = { ok: true; rendered: RenderedMessage } | { ok: false; reason: string }

/** What a template sees: `user`, `event`, `journey`, `workspace`, `message.id`, `message.channel`. */
export function templateScope(job: MessageJob): Record<string, unknown> {
  const ctx = job.context
  return {
    user: { id: ctx.user.id, traits: ctx.user.traits },
    event:
      ctx.event === null
        ? {}
        : { name: ctx.event.name, properties: ctx.event.properties, timestamp: ctx.event.timestamp, messageId: ctx.event.messageId },
    journey: { id: ctx.journey.id, name: ctx.journey.name, version: ctx.journey.version },
    workspace: ctx.workspace,
    message: { id: job.id, channel: job.channel },
  }
}

const MAX_DEPTH = 4

type Rendered = { ok: true; value: unknown } | { ok: false; reason: string }

/**
 * Renders each string of a message's fields (to MAX_DEPTH) with `leaf`, in order, stopping at the
 * first that fails; null as soon as `leaf` has no answer yet for one (it needs a thread).
 */
function renderFields(value: unknown, path: string, leaf: (text: string) => RenderOutcome | null, depth: number): Rendered | null {
  if (typeof value === 'string') {
    const out = leaf(value)
    if (out === null) return null
    return out.ok ? { ok: true, value: out.text } : { ok: false, reason: `${path}: ${out.reason}` }
  }
  if (depth >= MAX_DEPTH || value === null || typeof value !== 'object') return { ok: true, value }
  if (Array.isArray(value)) {
    const items: unknown[] = []
    for (let i = 0; i < value.length; i++) {
      const r = renderFields(value[i], `${path}.${i}`, leaf, depth + 1)
      if (r === null || !r.ok) return r
      items.push(r.value)
    }
    return { ok: true, value: items }
  }
  const out = dict<unknown>()
  for (const key of Object.keys(value)) {
    const r = renderFields((value as Record<string, unknown>)[key], path === '' ? key : `${path}.${key}`, leaf, depth + 1)
    if (r === null || !r.ok) return r
    out[key] = r.value
  }
  return { ok: true, value: out }
}

function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => (i.path.length > 0 ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ')
}

function check<S extends z.ZodType>(schema: S, value: unknown): { ok: true; fields: z.infer<S> } | { ok: false; reason: string } {
  const parsed = schema.safeParse(value)
  return parsed.success ? { ok: true, fields: parsed.data } : { ok: false, reason: `rendered message is invalid: ${describeIssues(parsed.error)}` }
}

/** Checks already rendered fields against the channel's schema (also used for stored messages). */
export function checkRendered(channel: Channel, to: string | null, fields: unknown): RenderResult {
  switch (channel) {
    case 'email': {
      const c = check(EmailMessage, fields)
      return c.ok ? { ok: true, rendered: { channel, to, fields: c.fields } } : c
    }
    case 'sms': {
      const c = check(SmsMessage, fields)
      return c.ok ? { ok: true, rendered: { channel, to, fields: c.fields } } : c
    }
    case 'app_push':
    case 'web_push': {
      const c = check(PushMessage, fields)
      if (!c.ok) return c
      return channel === 'app_push' ? { ok: true, rendered: { channel, to, fields: c.fields } } : { ok: true, rendered: { channel, to, fields: c.fields } }
    }
    case 'whatsapp': {
      const c = check(WhatsappMessage, fields)
      return c.ok ? { ok: true, rendered: { channel, to, fields: c.fields } } : c
    }
    case 'rcs': {
      const c = check(RcsMessage, fields)
      return c.ok ? { ok: true, rendered: { channel, to, fields: c.fields } } : c
    }
    default:
      return assertNever(channel)
  }
}

/**
 * Renders every string field of `job.message` with Liquid and validates the result with the
 * channel's message schema. A failing or hostile template is a reason, never an exception.
 */
export async function renderMessage(job: MessageJob, renderer: TemplateRenderer): Promise<RenderResult> {
  const scope = templateScope(job)
  // Most messages render at once, without an await per field. Otherwise the walk stops at the
  // first text that needs a thread, which renders it, and walks again with its answer known.
  const threaded = new Map<string, RenderOutcome>()
  let needed = ''
  const leaf = (text: string): RenderOutcome | null => {
    const known = threaded.get(text) ?? renderer.renderNow(text, scope)
    if (known === null) needed = text
    return known
  }
  for (;;) {
    const out = renderFields(job.message, '', leaf, 0)
    if (out !== null) return finishRender(job, out)
    threaded.set(needed, await renderer.render(needed, scope))
  }
}

/** `renderMessage`'s answer at once when no field needs a thread; null when one does. */
export function renderMessageNow(job: MessageJob, renderer: TemplateRenderer): RenderResult | null {
  const scope = templateScope(job)
  const out = renderFields(job.message, '', (text) => renderer.renderNow(text, scope), 0)
  return out === null ? null : finishRender(job, out)
}

function finishRender(job: MessageJob, out: Rendered): RenderResult {
  if (!out.ok) return out
  return checkRendered(job.channel, recipientOf(job.channel, job.context.user.traits), out.value)
}

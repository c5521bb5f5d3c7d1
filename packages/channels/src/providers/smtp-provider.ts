import nodemailer from 'nodemailer'
import type { SmtpConfig } from '@switchyard/schema'
import { errorMessage, type ChannelProvider, type SendResult } from './channel-provider'

/** Header carrying our message id, so a bounce (DSN) that quotes the headers maps back to it. */
export const MESSAGE_ID_HEADER = 'X-Switchyard-Message-Id'

export interface SmtpProviderOptions {
  /** Connection, greeting and socket timeout in ms. */
  timeoutMs?: number
}

function domainOf(from: string): string {
  const match = /@([A-Za-z0-9.-]+)>?\s*$/.exec(from)
  return match?.[1] ?? 'switchyard.local'
}

/** `<our-id@sender-domain>`: the Message-ID a bounce quotes back, derived from our id. */
export function smtpMessageId(messageId: string, from: string): string {
  return `<${messageId.replace(/[^A-Za-z0-9._-]/g, '_')}@${domainOf(from)}>`
}

const RETRYABLE_CODES = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ECONNRESET', 'ECONNREFUSED', 'ETLS', 'EPROTOCOL'])

function classify(err: unknown): SendResult {
  const reason = errorMessage(err)
  if (typeof err === 'object' && err !== null) {
    if ('responseCode' in err && typeof err.responseCode === 'number') {
      // SMTP says it: 4xx is a temporary refusal, 5xx a permanent one.
      return { ok: false, retryable: err.responseCode < 500, reason: `SMTP ${err.responseCode}: ${reason}` }
    }
    if ('code' in err && typeof err.code === 'string') {
      return { ok: false, retryable: RETRYABLE_CODES.has(err.code), reason: `${err.code}: ${reason}` }
    }
  }
  return { ok: false, retryable: true, reason }
}

/** Email over SMTP with nodemailer: one connection per message, closed after it. */
export function createSmtpProvider(config: SmtpConfig, options: SmtpProviderOptions = {}): ChannelProvider {
  const timeout = options.timeoutMs ?? 15_000
  return {
    kind: 'smtp',
    async send(rendered, job) {
      if (rendered.channel !== 'email') return { ok: false, retryable: false, reason: `an SMTP provider cannot send ${rendered.channel}` }
      if (rendered.to === null) return { ok: false, retryable: false, reason: 'user has no email address' }
      const from = rendered.fields.from !== undefined && rendered.fields.from.trim() !== '' ? rendered.fields.from : config.from
      const transport = nodemailer.createTransport({
        host: config.host,
        port: config.port,
        secure: config.secure,
        auth: config.auth === undefined ? undefined : { user: config.auth.user, pass: config.auth.pass ?? '' },
        connectionTimeout: timeout,
        greetingTimeout: timeout,
        socketTimeout: timeout,
      })
      try {
        const info = await transport.sendMail({
          from,
          to: rendered.to,
          subject: rendered.fields.subject,
          ...(rendered.fields.html === true ? { html: rendered.fields.body } : { text: rendered.fields.body }),
          messageId: smtpMessageId(job.id, config.from),
          headers: {
            [MESSAGE_ID_HEADER]: job.id,
            // SendGrid's SMTP relay copies unique_args into every event of its event webhook; it
            // must stay raw JSON, so nodemailer is told not to encode it.
            'X-SMTPAPI': { prepared: true, value: JSON.stringify({ unique_args: { switchyard_message_id: job.id } }) },
          },
        })
        const id: unknown = info.messageId
        return { ok: true, providerMessageId: typeof id === 'string' && id !== '' ? id : smtpMessageId(job.id, config.from) }
      } catch (err) {
        return classify(err)
      } finally {
        transport.close()
      }
    },
  }
}

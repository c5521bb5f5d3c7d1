import nodemailer from 'nodemailer'
import type { SmtpConfig } from '@switchyard/schema'
import { type AddressGuard, connectGuarded } from '@switchyard/webhooks'
import type { ChannelProvider, SendResult } from './channel-provider'

/** Header carrying our message id, so a bounce (DSN) that quotes the headers maps back to it. */
export const MESSAGE_ID_HEADER = 'X-Switchyard-Message-Id'

export interface SmtpProviderOptions {
  /** Every connection is opened through it, to the address it checked. */
  guard: AddressGuard
  /** Connection (lookup included), greeting and socket timeout in ms. */
  timeoutMs?: number
}

/** The guard said no, or the connection could not be made: the reason is ours, never the peer's. */
class ConnectFailure extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message)
  }
}

function domainOf(from: string): string {
  const match = /@([A-Za-z0-9.-]+)>?\s*$/.exec(from)
  return match?.[1] ?? 'switchyard.local'
}

/** `<our-id@sender-domain>`: the Message-ID a bounce quotes back, derived from our id. */
export function smtpMessageId(messageId: string, from: string): string {
  return `<${messageId.replace(/[^A-Za-z0-9._-]/g, '_')}@${domainOf(from)}>`
}

/**
 * Our words for what went wrong, never the server's: an answer's text or a banner would let the
 * test button read whatever listens on a port. A 4xx SMTP answer is temporary, a 5xx permanent;
 * anything that is not an SMTP answer (a refused connection, TLS, a peer that does not speak
 * SMTP) reads the same and is retried.
 */
function classify(err: unknown, where: string): SendResult {
  if (err instanceof ConnectFailure) return { ok: false, retryable: err.retryable, reason: err.message }
  if (typeof err === 'object' && err !== null) {
    if ('code' in err && err.code === 'EAUTH') return { ok: false, retryable: false, reason: `the SMTP server at ${where} refused the credentials` }
    if ('responseCode' in err && typeof err.responseCode === 'number' && err.responseCode >= 400 && err.responseCode < 600) {
      const command = 'command' in err && typeof err.command === 'string' ? ` to ${err.command.replace(/[^A-Z ]/g, '').slice(0, 20)}` : ''
      return { ok: false, retryable: err.responseCode < 500, reason: `SMTP ${err.responseCode}${command}` }
    }
  }
  return { ok: false, retryable: true, reason: `could not talk to an SMTP server at ${where}` }
}

/** Email over SMTP with nodemailer: one connection per message, closed after it. */
export function createSmtpProvider(config: SmtpConfig, options: SmtpProviderOptions): ChannelProvider {
  const timeout = options.timeoutMs ?? 15_000
  const where = `${config.host}:${config.port}`
  const unreachable = new ConnectFailure(`could not talk to an SMTP server at ${where}`, true)
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
        // nodemailer would resolve and dial the host itself: the guard does both instead, and
        // nodemailer speaks SMTP (and TLS, with the host name as SNI) over the socket it dialled.
        getSocket: (_options: unknown, callback: (err: Error | null, socketOptions: object) => void) => {
          connectGuarded(options.guard, { host: config.host, port: config.port, timeoutMs: timeout }).then(
            // A refusal is the guard's own sentence; a port that is closed, silent or open reads the same.
            (r) => (r.ok ? callback(null, { connection: r.socket }) : callback(r.kind === 'refused' ? new ConnectFailure(r.error, false) : unreachable, {})),
            () => callback(unreachable, {}),
          )
        },
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
        return classify(err, where)
      } finally {
        transport.close()
      }
    },
  }
}

import { z } from 'zod'
import { Channel, HttpConfig, SmtpConfig, versionedRecord, type ProviderInput, type ProviderView } from '@switchyard/schema'
import type { SecretBox } from '@switchyard/secrets'

interface ProviderMeta {
  id: string
  name: string
  channel: Channel
  isDefault: boolean
  receiptSecret: string | null
  createdAt: number
  updatedAt: number
}

/** A configured provider with its secrets opened: lives in memory only, never in a view or a log. */
export type Provider =
  | (ProviderMeta & { kind: 'smtp'; config: SmtpConfig })
  | (ProviderMeta & { kind: 'http'; config: HttpConfig })
  | (ProviderMeta & { kind: 'sandbox'; config: Record<string, never> })

/** Everything secret about a provider, sealed as one value in `channel_providers.secrets`. */
const ProviderSecrets = z.object({
  smtpPass: z.string().optional(),
  httpPassword: z.string().optional(),
  httpToken: z.string().optional(),
  headers: z.record(z.string(), z.string()).optional(),
  receiptSecret: z.string().optional(),
})
export type ProviderSecrets = z.infer<typeof ProviderSecrets>

/** The secrets as one JSON value before sealing; rows from before versioning hold the bare object (v1). */
const StoredSecrets = versionedRecord({ name: 'provider secrets', version: 1, schema: ProviderSecrets })

const ProviderRow = z.object({
  id: z.string(),
  name: z.string(),
  channel: Channel,
  kind: z.enum(['smtp', 'http', 'sandbox']),
  is_default: z.number(),
  config: z.string(),
  secrets: z.string().nullable(),
  created_at: z.number(),
  updated_at: z.number(),
})
type ProviderRow = z.infer<typeof ProviderRow>

/** `channel_providers.config` per kind, without secrets; rows from before versioning hold the bare config (v1). */
const StoredSmtp = versionedRecord({ name: 'smtp provider config', version: 1, schema: SmtpConfig })
const StoredHttp = versionedRecord({ name: 'http provider config', version: 1, schema: HttpConfig })
const StoredSandbox = versionedRecord({ name: 'sandbox provider config', version: 1, schema: z.object({}) })

/** The stored config (encoded) and the secrets to seal apart from it. */
export function split(input: ProviderInput, previous: Provider | null): { config: string; secrets: ProviderSecrets } {
  const secrets: ProviderSecrets = {}
  const receiptSecret = input.receiptSecret === undefined ? previous?.receiptSecret ?? undefined : input.receiptSecret ?? undefined
  if (receiptSecret !== undefined) secrets.receiptSecret = receiptSecret
  switch (input.kind) {
    case 'smtp': {
      const { auth, ...rest } = input.config
      const old = previous?.kind === 'smtp' ? previous.config.auth?.pass : undefined
      const pass = auth?.pass ?? old
      if (auth !== undefined && pass !== undefined) secrets.smtpPass = pass
      return { config: StoredSmtp.encode({ ...rest, auth: auth === undefined ? undefined : { user: auth.user } }), secrets }
    }
    case 'http': {
      const { auth, headers, ...rest } = input.config
      const prev = previous?.kind === 'http' ? previous.config : undefined
      const keptHeaders = headers ?? prev?.headers
      if (keptHeaders !== undefined) secrets.headers = keptHeaders
      if (auth?.type === 'basic') {
        const password = auth.password ?? (prev?.auth?.type === 'basic' ? prev.auth.password : undefined)
        if (password !== undefined) secrets.httpPassword = password
        return { config: StoredHttp.encode({ ...rest, auth: { type: 'basic', username: auth.username } }), secrets }
      }
      if (auth?.type === 'bearer') {
        const token = auth.token ?? (prev?.auth?.type === 'bearer' ? prev.auth.token : undefined)
        if (token !== undefined) secrets.httpToken = token
        return { config: StoredHttp.encode({ ...rest, auth: { type: 'bearer' } }), secrets }
      }
      return { config: StoredHttp.encode(rest), secrets }
    }
    case 'sandbox':
      return { config: StoredSandbox.encode({}), secrets }
  }
}

function merge(row: ProviderRow, secrets: ProviderSecrets): Provider {
  const meta: ProviderMeta = {
    id: row.id,
    name: row.name,
    channel: row.channel,
    isDefault: row.is_default === 1,
    receiptSecret: secrets.receiptSecret ?? null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }
  switch (row.kind) {
    case 'smtp': {
      const config = StoredSmtp.decode(row.config)
      const auth = config.auth === undefined ? undefined : { user: config.auth.user, pass: secrets.smtpPass }
      return { ...meta, kind: 'smtp', config: { ...config, auth } }
    }
    case 'http': {
      const config = StoredHttp.decode(row.config)
      const auth =
        config.auth?.type === 'basic'
          ? { type: 'basic' as const, username: config.auth.username, password: secrets.httpPassword }
          : config.auth?.type === 'bearer'
            ? { type: 'bearer' as const, token: secrets.httpToken }
            : undefined
      return { ...meta, kind: 'http', config: { ...config, auth, headers: secrets.headers } }
    }
    case 'sandbox':
      StoredSandbox.decode(row.config)
      return { ...meta, kind: 'sandbox', config: {} }
  }
}

export function toProviderView(p: Provider): ProviderView {
  const base = {
    id: p.id,
    name: p.name,
    channel: p.channel,
    default: p.isDefault,
    hasReceiptSecret: p.receiptSecret !== null,
    createdAt: new Date(p.createdAt).toISOString(),
    updatedAt: new Date(p.updatedAt).toISOString(),
  }
  switch (p.kind) {
    case 'smtp': {
      const { host, port, secure, from, auth } = p.config
      return {
        ...base,
        kind: 'smtp',
        config: { host, port, secure, from, auth: auth === undefined ? null : { user: auth.user, hasPassword: auth.pass !== undefined } },
      }
    }
    case 'http': {
      const { url, method, auth, headers, body, messageIdPath, timeoutMs } = p.config
      return {
        ...base,
        kind: 'http',
        config: {
          url,
          method,
          auth:
            auth === undefined
              ? null
              : auth.type === 'basic'
                ? { type: 'basic', username: auth.username, hasPassword: auth.password !== undefined }
                : { type: 'bearer', hasToken: auth.token !== undefined },
          headerNames: Object.keys(headers ?? {}),
          body,
          messageIdPath: messageIdPath ?? null,
          timeoutMs,
        },
      }
    }
    case 'sandbox':
      return { ...base, kind: 'sandbox', config: {} }
  }
}

export interface ProviderStore {
  list(): Promise<Provider[]>
  get(id: string): Promise<Provider | null>
  defaultFor(channel: Channel): Promise<Provider | null>
  create(input: ProviderInput): Promise<Provider>
  /** Replaces the provider; secrets left out of `input` keep their stored values. Null when there is none. */
  update(id: string, input: ProviderInput): Promise<Provider | null>
  remove(id: string): Promise<boolean>
}

/** A provider's row as written: config without secrets, the secrets sealed as one value. */
export interface ProviderWrite {
  id: string
  name: string
  channel: Channel
  kind: ProviderInput['kind']
  is_default: 0 | 1
  config: string
  secrets: string | null
  updated_at: number
}

/** Reads rows (opening their secrets) and makes rows to write (sealing them), for either backend. */
export function providerRows(box: SecretBox) {
  const seal = (secrets: ProviderSecrets): string | null => (Object.keys(secrets).length === 0 ? null : box.seal(StoredSecrets.encode(secrets)))
  return {
    read(row: unknown): Provider {
      const parsed = ProviderRow.parse(row)
      const secrets = parsed.secrets === null ? {} : StoredSecrets.decode(box.open(parsed.secrets))
      return merge(parsed, secrets)
    },
    /**
     * The row `input` makes. An update keeps the default unless it moves the provider to another
     * channel or turns it off; `previous` also supplies the secrets `input` leaves out.
     */
    write(id: string, input: ProviderInput, previous: Provider | null, at: number): ProviderWrite {
      const { config, secrets } = split(input, previous)
      const keepDefault = previous !== null && previous.isDefault && previous.channel === input.channel && input.default !== false
      return { id, name: input.name, channel: input.channel, kind: input.kind, is_default: input.default === true || keepDefault ? 1 : 0, config, secrets: seal(secrets), updated_at: at }
    },
  }
}

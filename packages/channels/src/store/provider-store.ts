import { randomUUID } from 'node:crypto'
import type { Database } from 'better-sqlite3'
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
type ProviderSecrets = z.infer<typeof ProviderSecrets>

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
function split(input: ProviderInput, previous: Provider | null): { config: string; secrets: ProviderSecrets } {
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
  list(): Provider[]
  get(id: string): Provider | null
  defaultFor(channel: Channel): Provider | null
  create(input: ProviderInput): Provider
  /** Replaces the provider; secrets left out of `input` keep their stored values. */
  update(id: string, input: ProviderInput): Provider | null
  remove(id: string): boolean
}

export function createProviderStore(db: Database, box: SecretBox, now: () => number): ProviderStore {
  const read = (row: unknown): Provider => {
    const parsed = ProviderRow.parse(row)
    const secrets = parsed.secrets === null ? {} : StoredSecrets.decode(box.open(parsed.secrets))
    return merge(parsed, secrets)
  }
  const seal = (secrets: ProviderSecrets): string | null =>
    Object.keys(secrets).length === 0 ? null : box.seal(StoredSecrets.encode(secrets))

  const selectAll = db.prepare('SELECT * FROM channel_providers ORDER BY created_at, id')
  const selectOne = db.prepare('SELECT * FROM channel_providers WHERE id = ?')
  const selectDefault = db.prepare('SELECT * FROM channel_providers WHERE channel = ? AND is_default = 1 LIMIT 1')
  const clearDefault = db.prepare('UPDATE channel_providers SET is_default = 0 WHERE channel = ? AND id <> ?')
  const insert = db.prepare(
    `INSERT INTO channel_providers (id, name, channel, kind, is_default, config, secrets, created_at, updated_at)
     VALUES (@id, @name, @channel, @kind, @is_default, @config, @secrets, @created_at, @updated_at)`,
  )
  const replace = db.prepare(
    `UPDATE channel_providers SET name = @name, channel = @channel, kind = @kind, is_default = @is_default,
       config = @config, secrets = @secrets, updated_at = @updated_at WHERE id = @id`,
  )
  const del = db.prepare('DELETE FROM channel_providers WHERE id = ?')
  const countDefaults = db.prepare('SELECT COUNT(*) AS n FROM channel_providers WHERE channel = ? AND is_default = 1').pluck()
  const oldest = db.prepare('SELECT id FROM channel_providers WHERE channel = ? ORDER BY created_at, id LIMIT 1').pluck()
  const setDefault = db.prepare('UPDATE channel_providers SET is_default = 1 WHERE id = ?')

  // A channel with providers always has exactly one default, so a message never falls back to the
  // sandbox while a real provider is configured.
  const ensureDefault = (channel: Channel): void => {
    if (countDefaults.get(channel) !== 0) return
    const id = oldest.get(channel)
    if (typeof id === 'string') setDefault.run(id)
  }

  const getRow = (id: string): Provider | null => {
    const row = selectOne.get(id)
    return row === undefined ? null : read(row)
  }

  return {
    list: () => selectAll.all().map(read),
    get: getRow,
    defaultFor(channel) {
      const row = selectDefault.get(channel)
      return row === undefined ? null : read(row)
    },
    create(input) {
      const id = `prv_${randomUUID()}`
      const at = now()
      const { config, secrets } = split(input, null)
      db.transaction(() => {
        insert.run({
          id,
          name: input.name,
          channel: input.channel,
          kind: input.kind,
          is_default: input.default === true ? 1 : 0,
          config,
          secrets: seal(secrets),
          created_at: at,
          updated_at: at,
        })
        if (input.default === true) clearDefault.run(input.channel, id)
        ensureDefault(input.channel)
      }).immediate()
      const created = getRow(id)
      if (created === null) throw new Error(`Provider ${id} vanished after insert.`)
      return created
    },
    update(id, input) {
      return db.transaction(() => {
        const previous = getRow(id)
        if (previous === null) return null
        const { config, secrets } = split(input, previous)
        const keepDefault = previous.isDefault && previous.channel === input.channel && input.default !== false
        replace.run({
          id,
          name: input.name,
          channel: input.channel,
          kind: input.kind,
          is_default: input.default === true || keepDefault ? 1 : 0,
          config,
          secrets: seal(secrets),
          updated_at: now(),
        })
        if (input.default === true) clearDefault.run(input.channel, id)
        ensureDefault(input.channel)
        ensureDefault(previous.channel)
        return getRow(id)
      }).immediate()
    },
    remove(id) {
      return db.transaction(() => {
        const previous = getRow(id)
        if (previous === null) return false
        del.run(id)
        ensureDefault(previous.channel)
        return true
      }).immediate()
    },
  }
}

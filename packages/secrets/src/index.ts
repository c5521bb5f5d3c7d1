import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'

/**
 * Seals stored secrets (webhook passwords, provider keys) with AES-256-GCM. A sealed value is
 * `v1:<iv>:<tag>:<ciphertext>` in base64url, so the format can change with a new prefix.
 */
export interface SecretBox {
  seal(plain: string): string
  open(sealed: string): string
  isSealed(value: string): boolean
}

const PREFIX = 'v1:'

export function createSecretBox(secretKey: string): SecretBox {
  if (secretKey.length < 16) throw new Error('SECRET_KEY must be at least 16 characters long.')
  // Any string of enough length works as a key: it is hashed to the 32 bytes AES-256 needs.
  const key = createHash('sha256').update(`switchyard:${secretKey}`).digest()
  return {
    seal(plain) {
      const iv = randomBytes(12)
      const cipher = createCipheriv('aes-256-gcm', key, iv)
      const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()])
      const tag = cipher.getAuthTag()
      return `${PREFIX}${iv.toString('base64url')}:${tag.toString('base64url')}:${data.toString('base64url')}`
    },
    open(sealed) {
      if (!sealed.startsWith(PREFIX)) throw new Error('Not a sealed secret.')
      const [iv, tag, data] = sealed.slice(PREFIX.length).split(':')
      if (iv === undefined || tag === undefined || data === undefined) throw new Error('Malformed sealed secret.')
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'))
      decipher.setAuthTag(Buffer.from(tag, 'base64url'))
      return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8')
    },
    isSealed(value) {
      return value.startsWith(PREFIX)
    },
  }
}

/**
 * The key from `SECRET_KEY`, or one generated on first start into `<dataDir>/secret.key`
 * (mode 0600) and read back on later starts.
 */
export function loadSecretKey(envValue: string | undefined, keyFile: string): string {
  if (envValue !== undefined && envValue !== '') return envValue
  if (existsSync(keyFile)) return readFileSync(keyFile, 'utf8').trim()
  mkdirSync(dirname(keyFile), { recursive: true })
  const generated = randomBytes(32).toString('base64url')
  try {
    // `wx`: of processes starting together on one data directory, one writes the key and the others read it.
    writeFileSync(keyFile, `${generated}\n`, { mode: 0o600, flag: 'wx' })
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return readFileSync(keyFile, 'utf8').trim()
    throw error
  }
  return generated
}

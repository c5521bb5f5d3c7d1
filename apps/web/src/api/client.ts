import { ErrorBody } from '@switchyard/schema'
import type { z } from 'zod'
import { create } from 'zustand'

const TOKEN_KEY = 'switchyard.adminToken'

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly body: unknown,
  ) {
    super(message)
  }
}

interface AuthState {
  /** Set while a request waits for the admin token the server asked for. */
  asking: boolean
  resolve: (() => void) | null
}

/** The admin token prompt: a request answered 401 waits here until the user gives a token. */
export const useAuth = create<AuthState>(() => ({ asking: false, resolve: null }))

export function readToken(): string | null {
  try {
    return localStorage.getItem(TOKEN_KEY)
  } catch {
    return null
  }
}

export function saveToken(token: string): void {
  localStorage.setItem(TOKEN_KEY, token)
  const { resolve } = useAuth.getState()
  useAuth.setState({ asking: false, resolve: null })
  resolve?.()
}

function askForToken(): Promise<void> {
  const pending = useAuth.getState()
  if (pending.asking && pending.resolve) {
    const previous = pending.resolve
    return new Promise((res) => useAuth.setState({ resolve: () => (previous(), res()) }))
  }
  return new Promise((res) => useAuth.setState({ asking: true, resolve: res }))
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE'
  body?: unknown
  signal?: AbortSignal
}

async function send(path: string, opts: RequestOptions): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json' }
  if (opts.body !== undefined) headers['content-type'] = 'application/json'
  const token = readToken()
  if (token && path.startsWith('/api')) headers.authorization = `Bearer ${token}`
  const init: RequestInit = { method: opts.method ?? 'GET', headers }
  if (opts.body !== undefined) init.body = JSON.stringify(opts.body)
  if (opts.signal) init.signal = opts.signal
  return fetch(path, init)
}

async function readJson(res: Response): Promise<unknown> {
  const text = await res.text()
  if (text === '') return null
  try {
    const parsed: unknown = JSON.parse(text)
    return parsed
  } catch {
    return text
  }
}

/** Calls the API and parses the answer with `schema`; any non-2xx becomes an ApiError with the server's code. */
export async function request<S extends z.ZodType>(path: string, schema: S, opts: RequestOptions = {}): Promise<z.infer<S>> {
  let res = await send(path, opts)
  if (res.status === 401 && path.startsWith('/api')) {
    await askForToken()
    res = await send(path, opts)
  }
  const body = await readJson(res)
  if (!res.ok) {
    const err = ErrorBody.safeParse(body)
    if (err.success) throw new ApiError(res.status, err.data.error.code, err.data.error.message, body)
    throw new ApiError(res.status, `http.${res.status}`, `The server answered ${res.status} ${res.statusText}.`, body)
  }
  const parsed = schema.safeParse(body)
  if (!parsed.success) {
    throw new ApiError(res.status, 'client.unexpected_answer', `Unexpected answer from ${path}: ${parsed.error.issues[0]?.message ?? 'invalid'}`, body)
  }
  return parsed.data
}

export function errorMessage(e: unknown): string {
  if (e instanceof ApiError) return e.message
  if (e instanceof Error) return e.message
  return String(e)
}

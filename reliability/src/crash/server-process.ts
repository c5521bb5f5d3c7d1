import { type ChildProcess, spawn } from 'node:child_process'
import { createWriteStream, type WriteStream } from 'node:fs'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'

const REPO = fileURLToPath(new URL('../../../', import.meta.url))
const MAIN = fileURLToPath(new URL('../../../apps/server/src/main.ts', import.meta.url))

export interface Death {
  at: number
  /** `random` when the supervisor sent SIGKILL, else the crash point that fired. */
  cause: string
}

/** A free port on 127.0.0.1, kept for every restart so clients need not learn a new address. */
export async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  if (address === null || typeof address === 'string') throw new Error('no port')
  return address.port
}

/** The real server (`apps/server/src/main.ts`) as a child process that can be killed and restarted. */
export class ServerProcess {
  readonly url: string
  readonly deaths: Death[] = []
  private child: ChildProcess | null = null
  private exited: Promise<void> = Promise.resolve()
  private crashPoint: string | null = null
  private readonly log: WriteStream

  constructor(
    private readonly o: { port: number; databaseUrl: string; logPath: string; receiverCidr: string; env?: Record<string, string> },
  ) {
    this.url = `http://127.0.0.1:${o.port}`
    this.log = createWriteStream(o.logPath, { flags: 'a' })
  }

  /** The running process's pid, or null. */
  get pid(): number | null {
    return this.child?.pid ?? null
  }

  get alive(): boolean {
    return this.child !== null
  }

  /** Starts the server with `crashPoints` armed (or none) and resolves once `/healthz` answers. */
  async start(crashPoints: string | null): Promise<void> {
    if (this.child) throw new Error('already running')
    this.log.write(`\n--- start ${new Date().toISOString()} crash points: ${crashPoints ?? 'none'}\n`)
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
      cwd: REPO,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        PORT: String(this.o.port),
        HOST: '127.0.0.1',
        DATABASE_URL: this.o.databaseUrl,
        ...this.o.env,
        ALLOW_PRIVATE_TARGETS: this.o.receiverCidr,
        ...(crashPoints === null ? {} : { SWITCHYARD_CRASH_POINTS: crashPoints }),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    this.child = child
    this.crashPoint = null
    child.stdout?.pipe(this.log, { end: false })
    child.stderr?.on('data', (chunk: Buffer) => {
      const text = chunk.toString()
      this.log.write(text)
      const fired = /switchyard-crash-point (\S+)/.exec(text)
      if (fired?.[1] !== undefined) this.crashPoint = fired[1]
    })
    this.exited = new Promise((resolve) => {
      child.on('close', (code, signal) => {
        if (this.child === child) this.child = null
        if (signal === 'SIGKILL') this.deaths.push({ at: Date.now(), cause: this.crashPoint ?? 'random' })
        else this.log.write(`--- exit code ${code} signal ${signal}\n`)
        resolve()
      })
    })
    const deadline = Date.now() + 30_000
    while (Date.now() < deadline) {
      if (!this.child) return // died during start (an armed crash point); the caller sees !alive
      try {
        const res = await fetch(`${this.url}/healthz`, { signal: AbortSignal.timeout(1000) })
        if (res.ok) return
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 25))
    }
    throw new Error('server did not start within 30 s; see the log')
  }

  /** SIGKILL, then waits for the process to be gone. */
  async kill(): Promise<void> {
    const child = this.child
    if (!child) return
    child.kill('SIGKILL')
    await this.exited
  }

  /** SIGTERM: the graceful stop, for the end of a run. */
  async stop(): Promise<void> {
    const child = this.child
    if (!child) return
    child.kill('SIGTERM')
    await this.exited
  }

  /** Resolves when the process exits by itself, or after `ms`. */
  async waitExit(ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined
    await Promise.race([this.exited, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))])
    clearTimeout(timer)
  }

  close(): void {
    this.log.end()
  }
}

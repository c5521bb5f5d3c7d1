import { writeSync } from 'node:fs'

/**
 * Named crash points for the reliability harness. Armed only by `SWITCHYARD_CRASH_POINTS`, e.g.
 * `after-journal-insert:0.01,timer-batch-middle@3`: `name:p` kills the process with SIGKILL with
 * probability p on each pass, `name@n` on the n-th pass. Unset, a point costs one branch.
 */
export const CRASH_POINTS = [
  'after-journal-insert',
  'after-commit-before-ack',
  'after-outbox-commit-before-send',
  'relay-batch-before-settle',
  'webhook-before-send',
  'webhook-after-send-before-mark',
  'timer-batch-middle',
] as const
export type CrashPointName = (typeof CRASH_POINTS)[number]

type Arming = { kind: 'chance'; p: number } | { kind: 'nth'; n: number }

export function parseCrashPoints(text: string | undefined): Map<string, Arming> {
  const armed = new Map<string, Arming>()
  for (const part of (text ?? '').split(',')) {
    const spec = part.trim()
    const nth = /^([\w-]+)@(\d+)$/.exec(spec)
    const chance = /^([\w-]+):([\d.]+)$/.exec(spec)
    if (nth?.[1] !== undefined && nth[2] !== undefined) armed.set(nth[1], { kind: 'nth', n: Number(nth[2]) })
    else if (chance?.[1] !== undefined && chance[2] !== undefined) armed.set(chance[1], { kind: 'chance', p: Number(chance[2]) })
  }
  return armed
}

const armed = parseCrashPoints(process.env.SWITCHYARD_CRASH_POINTS)
const passes = new Map<string, number>()

/** Dies here, at once and without cleanup, when the environment armed this point. */
export function crashPoint(name: CrashPointName): void {
  if (armed.size === 0) return
  const arming = armed.get(name)
  if (arming === undefined) return
  const pass = (passes.get(name) ?? 0) + 1
  passes.set(name, pass)
  if (arming.kind === 'nth' ? pass === arming.n : Math.random() < arming.p) {
    // Synchronous, so the supervisor learns which point fired before the process is gone.
    writeSync(2, `\nswitchyard-crash-point ${name}\n`)
    process.kill(process.pid, 'SIGKILL')
  }
}

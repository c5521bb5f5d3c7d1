import { performance } from 'node:perf_hooks'
import { compileJourney } from '@switchyard/compiler'
import { validateGraph, type DraftGraph } from '@switchyard/schema'
import { percentile, round, sortNumbers } from './util'

/**
 * A valid graph of `size` nodes: a trigger, then blocks of an RCS message and a wait for its
 * click within a day, whose matched outlet leads to the next block and whose timeout exits.
 */
export function largeGraph(size: number): DraftGraph {
  const nodes: DraftGraph['nodes'] = [{ id: 'trigger', type: 'trigger', position: { x: 0, y: 0 }, data: { event: 'add_to_cart' } }]
  const edges: DraftGraph['edges'] = []
  let previous = 'trigger'
  let outlet = 'next'
  let b = 0
  while (nodes.length + 4 <= size) {
    const a = `a${b}`
    const w = `w${b}`
    const x = `x${b}`
    nodes.push(
      { id: a, type: 'action', position: { x: 0, y: b * 300 + 100 }, data: { channel: 'rcs', message: { text: `Step ${b}, {{ user.traits.FIRSTNAME }}` } } },
      { id: w, type: 'waitForEvent', position: { x: 0, y: b * 300 + 200 }, data: { activity: { status: 'clicked' }, within: { amount: 1, unit: 'days' } } },
      { id: x, type: 'exit', position: { x: 200, y: b * 300 + 200 }, data: {} },
    )
    edges.push(
      { id: `${previous}-${outlet}-${a}`, source: previous, target: a, sourceHandle: outlet },
      { id: `${a}-next-${w}`, source: a, target: w, sourceHandle: 'next' },
      { id: `${w}-timeout-${x}`, source: w, target: x, sourceHandle: 'timeout' },
    )
    previous = w
    outlet = 'matched'
    b++
  }
  // Fill up with messages in a row, then the exit.
  for (let k = 0; nodes.length < size; k++) {
    const last = nodes.length === size - 1
    const id = last ? 'end' : `t${k}`
    nodes.push(last ? { id, type: 'exit', position: { x: 0, y: b * 300 + 100 + k * 100 }, data: {} } : { id, type: 'action', position: { x: 0, y: b * 300 + 100 + k * 100 }, data: { channel: 'sms', message: { text: 'Thanks' } } })
    edges.push({ id: `${previous}-${outlet}-${id}`, source: previous, target: id, sourceHandle: outlet })
    previous = id
    outlet = 'next'
  }
  return { nodes, edges }
}

export interface CompileResult {
  nodes: number
  coldMs: number
  p50Ms: number
  p95Ms: number
}

/** (8) validateGraph + compileJourney on a fresh JSON copy each time, as a publish does. */
export function validateAndCompile(size: number, runs = 30): CompileResult {
  const text = JSON.stringify(largeGraph(size))
  const once = () => {
    const input: unknown = JSON.parse(text)
    const t = performance.now()
    const result = validateGraph(input)
    if (!result.ok) throw new Error(`compile: generated graph invalid: ${JSON.stringify(result.issues.slice(0, 3))}`)
    compileJourney(result.graph)
    return performance.now() - t
  }
  const cold = once()
  const times = sortNumbers(Array.from({ length: runs }, once))
  return { nodes: JSON.parse(text).nodes.length, coldMs: round(cold, 1), p50Ms: round(percentile(times, 50), 1), p95Ms: round(percentile(times, 95), 1) }
}

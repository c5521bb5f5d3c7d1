import { describe, expect, it } from 'vitest'
import { initialTransition, transition } from 'xstate'
import { compileJourney, type MachineEvent } from '@switchyard/compiler'
import { validateGraph } from '@switchyard/schema'
import { EXAMPLE_NAMES, loadExample } from '@switchyard/testkit'
import { messageIdFor } from './ids'
import { createJourneyMachine, JourneyStepper, planInitial } from './machines'
import type { RunContext } from './records'

const user = { id: 'ann', traits: { country: 'Canada', FIRSTNAME: 'Ann' } }

function input(event: string): RunContext {
  return {
    runId: 'run_1',
    journeyId: 'j',
    version: 1,
    userId: 'ann',
    event: { name: event, properties: { cabin: 'business', international: true, purchasedAt: '2026-01-01T00:00:00Z' }, messageId: 'm0', timestamp: '2026-01-01T00:00:00Z' },
    message: null,
    control: false,
    user,
  }
}

/** Events a run of these journeys may see: matching ones, near misses, timers. */
function events(messageId: string): MachineEvent[] {
  const track = (name: string, properties: Record<string, unknown> = {}): MachineEvent => ({ type: 'track', name, properties, messageId: `e-${name}`, timestamp: '2026-01-01T00:01:00Z' })
  return [
    track('Unrelated'),
    track('rcs.clicked', { messageId: 'msg_other' }),
    track('rcs.delivered', { messageId }),
    track('Notification Viewed'),
    track('Flight Booked'),
    track('rcs.clicked', { messageId }),
    { type: 'timer', nodeId: 'nope' },
    { type: 'timer', nodeId: 'w' },
    { type: 'timer', nodeId: 'wait' },
    { type: 'timer', nodeId: 'd' },
  ]
}

describe('JourneyStepper', () => {
  for (const name of EXAMPLE_NAMES) {
    it(`agrees with xstate's transition() step by step on ${name}`, () => {
      const example = loadExample(name, 'wh')
      const result = validateGraph(example.graph)
      if (!result.ok) throw new Error('invalid example')
      const compiled = compileJourney(result.graph)
      const machine = createJourneyMachine(compiled.machine)
      const stepper = new JourneyStepper(machine, compiled.machine)
      const start = input(compiled.trigger.event)
      const [a0, aa0] = initialTransition(machine, start)
      const [b0, ba0] = stepper.initial(start)
      expect(b0.value).toEqual(a0.value)
      expect(b0.status).toEqual(a0.status)
      expect(b0.context).toEqual(a0.context)
      expect(ba0.map((x) => [x.type, x.params])).toEqual(aa0.map((x) => [x.type, x.params]))
      const messageId = a0.context.message?.id ?? 'none'
      // Each event from the same starting snapshot, then as a sequence.
      let a = a0
      let b = b0
      for (const event of events(messageId)) {
        const [a1, aa] = transition(machine, a, event)
        const [b1, ba] = stepper.transition(b, event)
        expect([event, b1.value, b1.status]).toEqual([event, a1.value, a1.status])
        expect(b1.context).toEqual(a1.context)
        expect(ba.map((x) => [x.type, x.params])).toEqual(aa.map((x) => [x.type, x.params]))
        a = a1
        b = b1
      }
    })
  }

  it('plans the first macrostep of a journey that starts without guards, and answers each run as xstate does', () => {
    const compiledOf = (name: (typeof EXAMPLE_NAMES)[number]) => {
      const result = validateGraph(loadExample(name, 'wh').graph)
      if (!result.ok) throw new Error('invalid example')
      return compileJourney(result.graph)
    }
    // A start that waits after a message is planned (its message id is each run's own); one that
    // ends at once, or passes a condition or a split first, is left to xstate.
    const netcore = compiledOf('netcore-cart-rcs')
    expect(planInitial(netcore.machine)).toEqual({ value: 'wait', messages: [{ nodeId: 'rcs', channel: 'rcs' }] })
    expect(planInitial(compiledOf('single-action').machine)).toBeNull()
    expect(planInitial(compiledOf('ab-test-split').machine)).toBeNull()
    expect(planInitial(compiledOf('actions-with-user-properties').machine)).toBeNull()

    const machine = createJourneyMachine(netcore.machine)
    const planned = new JourneyStepper(machine, netcore.machine)
    const xstateOnly = new JourneyStepper(machine, netcore.machine, false)
    for (const [runId, control] of [['run_0mx90c1k2000a1b2c3d4e5', false], ['run_0mx90c1k2001a1b2c3d4e5', true], ['run_other', false]] as const) {
      const start = { ...input(netcore.trigger.event), runId, control }
      const [a, aa] = xstateOnly.initial(start)
      const [b, ba] = planned.initial(start)
      expect([b.value, b.status]).toEqual([a.value, a.status])
      expect(b.context).toEqual(a.context)
      expect(b.context.message?.id).toBe(messageIdFor(runId, 'rcs'))
      expect(ba.map((x) => [x.type, x.params])).toEqual(aa.map((x) => [x.type, x.params]))
    }
  })
})

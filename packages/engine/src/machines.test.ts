import { describe, expect, it } from 'vitest'
import { initialTransition, transition } from 'xstate'
import { compileJourney, type MachineEvent } from '@switchyard/compiler'
import { validateGraph } from '@switchyard/schema'
import { EXAMPLE_NAMES, loadExample } from '@switchyard/testkit'
import { createJourneyMachine, JourneyStepper } from './machines'
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
})

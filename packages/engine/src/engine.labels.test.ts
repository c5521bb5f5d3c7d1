import { describe, expect, it } from 'vitest'
import { action, edge, exit, graph, hours, journeyInput, trigger, waitActivity } from '@switchyard/testkit'
import { openTestEngine, publish, send, track } from '../test/harness'

describe('step names', () => {
  it('names each history item and each node of the stats by the step’s label, or by kind and number', async () => {
    const t = await openTestEngine()
    const mail = action('msg_k3p9x', 'email', { subject: 'Hi', body: 'Hello' })
    mail.data = { ...mail.data, label: 'Welcome email' }
    const g = graph(
      [trigger('trg_ih7fr', 'Signed Up'), mail, waitActivity('wait_a1', 'opened', hours(1)), exit('exit_1'), exit('exit_2')],
      [edge('trg_ih7fr', 'next', 'msg_k3p9x'), edge('msg_k3p9x', 'next', 'wait_a1'), edge('wait_a1', 'matched', 'exit_1'), edge('wait_a1', 'timeout', 'exit_2')],
    )
    const id = await publish(t.engine, journeyInput('Names', g))
    await send(t.engine, track('ann', 'Signed Up'))
    const [run] = await t.engine.userRuns(id, 'ann')
    expect(run?.history.map((h) => [h.nodeId, h.nodeLabel])).toEqual([
      ['trg_ih7fr', 'Trigger'],
      ['msg_k3p9x', 'Welcome email'],
      ['wait_a1', 'Wait for event'],
    ])
    t.clock.advance(3_600_001)
    await t.engine.runUntilIdle()
    const [done] = await t.engine.userRuns(id, 'ann')
    expect(done?.history.at(-1)).toMatchObject({ nodeId: 'exit_2', nodeLabel: 'Exit 2' })
    const stats = await t.engine.stats(id)
    expect(stats.nodes.msg_k3p9x?.label).toBe('Welcome email')
    expect(stats.nodes.exit_2?.label).toBe('Exit 2')
  })
})

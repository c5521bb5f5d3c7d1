/// <reference types="node" />
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { ISSUE_CODES } from './issues'
import type { IssueCode, ValidationIssue } from './issues'
import { validateGraph } from './validate'
import type { ValidateOptions } from './validate'

// Builders for raw (unvalidated) graphs, as the canvas saves them.
type RawNode = { id: string; type: string; position?: unknown; data?: unknown }
type RawEdge = { id: string; source: string; target: string; sourceHandle?: string | null }

const trigger = (id = 't', data: unknown = { event: 'Added to cart' }): RawNode => ({ id, type: 'trigger', position: { x: 0, y: 0 }, data })
const step = (id: string, type: string, data: unknown = {}): RawNode => ({ id, type, position: { x: 0, y: 0 }, data })
const email = (id: string): RawNode => step(id, 'action', { channel: 'email', message: { subject: 'Your cart', body: 'Come back' } })
const sms = (id: string): RawNode => step(id, 'action', { channel: 'sms', message: { text: 'Come back' } })
const waitFor = (id: string, status: string): RawNode => step(id, 'waitForEvent', { activity: { status }, within: { amount: 1, unit: 'days' } })
const waitEvent = (id: string, within: unknown = { amount: 30, unit: 'minutes' }): RawNode => step(id, 'waitForEvent', { event: 'Booked', within })
const delayFor = (id: string, amount: number, unit = 'hours'): RawNode => step(id, 'delay', { for: { amount, unit } })
const cond = (id: string, where: unknown): RawNode => step(id, 'condition', { where })
const exit = (id: string): RawNode => step(id, 'exit')
const split = (id: string, percents: number[], extra: Record<string, unknown> = {}): RawNode =>
  step(id, 'split', { branches: percents.map((percent, i) => ({ id: String.fromCharCode(97 + i), percent })), ...extra })
const edge = (source: string, target: string, sourceHandle: string | null = 'next', id = `${source}-${sourceHandle}-${target}`): RawEdge => ({
  id,
  source,
  target,
  sourceHandle,
})
const graph = (nodes: unknown[], edges: unknown[] = []) => ({ nodes, edges })

/** t -> <node> -> x, for checks on one node's data. */
function around(node: RawNode): { nodes: unknown[]; edges: unknown[] } {
  const data = node.data as { branches?: { id?: string }[] } | undefined
  const outlets =
    node.type === 'condition'
      ? ['yes', 'no']
      : node.type === 'waitForEvent'
        ? ['matched', 'timeout']
        : node.type === 'split'
          ? [...new Set((data?.branches ?? []).map((b) => b.id ?? ''))]
          : ['next']
  return graph([trigger(), node, exit('x')], [edge('t', node.id), ...outlets.map((o) => edge(node.id, 'x', o))])
}

function issuesOf(input: unknown, options?: ValidateOptions): ValidationIssue[] {
  const result = validateGraph(input, options)
  return result.ok ? [] : result.issues
}

interface Case {
  when: string
  input: () => unknown
  options?: ValidateOptions
  expect: { nodeId?: string; edgeId?: string; field?: string }
}

/** One minimal journey per issue code; `satisfies` keeps the table complete as codes are added. */
const CASES = {
  'graph.malformed': {
    when: 'the input is not a graph of nodes and edges',
    input: () => ({ nodes: 'not a list' }),
    expect: {},
  },
  'graph.cycle': {
    when: 'a connection leads back to an earlier step',
    input: () =>
      graph(
        [trigger(), delayFor('d1', 1), delayFor('d2', 1)],
        [edge('t', 'd1'), edge('d1', 'd2'), edge('d2', 'd1', 'next', 'back')],
      ),
    expect: { edgeId: 'back', nodeId: 'd2' },
  },
  'trigger.missing': {
    when: 'the journey has no trigger',
    input: () => graph([exit('x')]),
    expect: {},
  },
  'trigger.multiple': {
    when: 'the journey has two triggers',
    input: () => graph([trigger('t1'), trigger('t2'), exit('x')], [edge('t1', 'x'), edge('t2', 'x')]),
    expect: { nodeId: 't2' },
  },
  'node.duplicate_id': {
    when: 'two steps share an id',
    input: () => graph([trigger(), exit('x'), exit('x')], [edge('t', 'x')]),
    expect: { nodeId: 'x' },
  },
  'node.reserved_id': {
    when: 'a step is given an id that cannot be a key of a JSON object',
    input: () => graph([trigger(), exit('__proto__')], [edge('t', '__proto__')]),
    expect: { nodeId: '__proto__' },
  },
  'node.invalid_id': {
    when: 'a step id holds a NUL character, which PostgreSQL text cannot store',
    input: () => graph([trigger(), exit('x\u0000')], [edge('t', 'x\u0000')]),
    expect: { nodeId: 'x\u0000' },
  },
  'node.unknown_type': {
    when: 'a step is of an unknown kind',
    input: () => graph([trigger(), step('s', 'sendFax')], [edge('t', 's')]),
    expect: { nodeId: 's' },
  },
  'node.invalid_data': {
    when: 'a step’s data does not fit its kind',
    input: () => around(waitEvent('w', { amount: 'thirty', unit: 'minutes' })),
    expect: { nodeId: 'w', field: 'data.within.amount' },
  },
  'node.unreachable': {
    when: 'no path from the trigger leads to a step',
    input: () => graph([trigger(), exit('x'), exit('lost')], [edge('t', 'x')]),
    expect: { nodeId: 'lost' },
  },
  'edge.duplicate_id': {
    when: 'two connections share an id',
    input: () => graph([trigger(), delayFor('d', 1), exit('x')], [edge('t', 'd', 'next', 'e'), edge('d', 'x', 'next', 'e')]),
    expect: { edgeId: 'e' },
  },
  'edge.missing_source': {
    when: 'a connection starts from a step that does not exist',
    input: () => graph([trigger(), exit('x')], [edge('t', 'x'), edge('ghost', 'x', 'next', 'e')]),
    expect: { edgeId: 'e' },
  },
  'edge.missing_target': {
    when: 'a connection leads to a step that does not exist',
    input: () => graph([trigger()], [edge('t', 'ghost', 'next', 'e')]),
    expect: { edgeId: 'e' },
  },
  'edge.unknown_outlet': {
    when: 'a connection leaves by an outlet its step does not have',
    input: () => graph([trigger(), exit('x')], [edge('t', 'x', 'yes', 'e')]),
    expect: { edgeId: 'e', nodeId: 't' },
  },
  'edge.outlet_reused': {
    when: 'two connections leave the same outlet',
    input: () => graph([trigger(), exit('x1'), exit('x2')], [edge('t', 'x1', 'next', 'e1'), edge('t', 'x2', 'next', 'e2')]),
    expect: { edgeId: 'e2', nodeId: 't' },
  },
  'edge.self_loop': {
    when: 'a connection leads a step to itself',
    input: () => graph([trigger(), delayFor('d', 1)], [edge('t', 'd'), edge('d', 'd', 'next', 'loop')]),
    expect: { edgeId: 'loop', nodeId: 'd' },
  },
  'edge.into_trigger': {
    when: 'a connection leads into the trigger',
    input: () => graph([trigger(), delayFor('d', 1)], [edge('t', 'd'), edge('d', 't', 'next', 'e')]),
    expect: { edgeId: 'e', nodeId: 't' },
  },
  'outlet.unconnected': {
    when: 'a wait’s timeout outlet leads nowhere',
    input: () => graph([trigger(), waitEvent('w'), exit('x')], [edge('t', 'w'), edge('w', 'x', 'matched')]),
    expect: { nodeId: 'w' },
  },
  'action.invalid_message': {
    when: 'an email has no subject',
    input: () => around(step('a', 'action', { channel: 'email', message: { body: 'Hello' } })),
    expect: { nodeId: 'a', field: 'data.message.subject' },
  },
  'wait.status_not_in_channel': {
    when: 'a wait listens for a status the preceding message’s channel never reports',
    input: () =>
      graph(
        [trigger(), sms('a'), waitFor('w', 'opened'), exit('x1'), exit('x2')],
        [edge('t', 'a'), edge('a', 'w'), edge('w', 'x1', 'matched'), edge('w', 'x2', 'timeout')],
      ),
    expect: { nodeId: 'w', field: 'data.activity.status' },
  },
  'wait.no_preceding_action': {
    when: 'an activity wait can be reached without a message before it',
    input: () =>
      graph([trigger(), waitFor('w', 'clicked'), exit('x1'), exit('x2')], [edge('t', 'w'), edge('w', 'x1', 'matched'), edge('w', 'x2', 'timeout')]),
    expect: { nodeId: 'w' },
  },
  'duration.out_of_range': {
    when: 'a delay lasts longer than a year',
    input: () => around(delayFor('d', 53, 'weeks')),
    expect: { nodeId: 'd', field: 'data.for' },
  },
  'condition.unknown_operator': {
    when: 'a rule uses an operator that does not exist',
    input: () => graph([trigger('t', { event: 'e', where: { path: 'user.traits.country', op: 'like', value: 'CA' } }), exit('x')], [edge('t', 'x')]),
    expect: { nodeId: 't', field: 'data.where.op' },
  },
  'condition.unknown_path_root': {
    when: 'a rule reads something other than the event or the user',
    input: () =>
      around(cond('c', { all: [{ path: 'user.traits.country', op: 'eq', value: 'CA' }, { path: 'account.plan', op: 'eq', value: 'pro' }] })),
    expect: { nodeId: 'c', field: 'data.where.all.1.path' },
  },
  'condition.malformed': {
    when: 'an “in” rule has no list of values',
    input: () => around(cond('c', { path: 'user.traits.country', op: 'in', value: 'CA' })),
    expect: { nodeId: 'c', field: 'data.where.value' },
  },
  'delay.invalid_path': {
    when: 'a delay waits for a date that is neither in the event nor in the user',
    input: () => around(step('d', 'delay', { until: { path: 'purchasedAt' } })),
    expect: { nodeId: 'd', field: 'data.until.path' },
  },
  'webhook.unknown': {
    when: 'a webhook step names a webhook that is not configured',
    input: () => around(step('h', 'webhook', { webhookId: 'deleted-hook' })),
    options: { webhookIds: new Set(['crm']) },
    expect: { nodeId: 'h', field: 'data.webhookId' },
  },
  'provider.unknown': {
    when: 'a message names a provider that is not configured',
    input: () => around(step('m', 'action', { channel: 'sms', message: { text: 'Hi' }, providerId: 'prv_gone' })),
    options: { providerIds: new Set(['prv_live']) },
    expect: { nodeId: 'm', field: 'data.providerId' },
  },
  'template.invalid': {
    when: 'a message field is Liquid that does not parse',
    input: () => around(step('m', 'action', { channel: 'sms', message: { text: 'Hi {{ user.traits.name' } })),
    options: { checkTemplate: (t) => (t.split('{{').length === t.split('}}').length ? null : 'output "{{ user.traits.name" not closed') },
    expect: { nodeId: 'm', field: 'data.message.text' },
  },
  'split.branch_count': {
    when: 'a split has one branch',
    input: () => around(split('s', [100])),
    expect: { nodeId: 's', field: 'data.branches' },
  },
  'split.duplicate_branch': {
    when: 'two branches of a split share an id',
    input: () => around(step('s', 'split', { branches: [{ id: 'a', percent: 50 }, { id: 'a', percent: 50 }] })),
    expect: { nodeId: 's', field: 'data.branches' },
  },
  'split.percent_sum': {
    when: 'the branches of a split add up to 90%',
    input: () => around(split('s', [40, 50])),
    expect: { nodeId: 's', field: 'data.branches' },
  },
  'split.winner_without_goal': {
    when: 'a split picks a winner but the journey has no goal',
    input: () => around(split('s', [50, 50], { winner: { after: { amount: 7, unit: 'days' }, metric: 'goal' } })),
    options: { settings: { reentry: 'afterExit' } },
    expect: { nodeId: 's', field: 'data.winner' },
  },
} satisfies Record<IssueCode, Case>

describe('validateGraph: split', () => {
  it('accepts 2 to 10 branches adding up to 100% with every branch connected, and gives them as outlets', () => {
    const result = validateGraph(around(split('s', [20, 30, 50])))
    expect(result.ok).toBe(true)
    expect(result.ok && result.graph.edges.filter((e) => e.source === 's').map((e) => e.sourceHandle)).toEqual(['a', 'b', 'c'])
  })

  it('reports each branch left unconnected, and a connection from a branch it does not have', () => {
    const g = graph([trigger(), split('s', [50, 50]), exit('x')], [edge('t', 's'), edge('s', 'x', 'a'), edge('s', 'x', 'z')])
    const labelled = graph([trigger(), step('s', 'split', { branches: [{ id: 'a', percent: 50 }, { id: 'b', label: 'Push', percent: 50 }] }), exit('x')], [edge('t', 's'), edge('s', 'x', 'a')])
    expect(issuesOf(labelled)[0]?.message).toBe('Split has nothing connected to its “Push” outlet: connect it to the step for users in that branch.')
    const issues = issuesOf(g)
    expect(issues.map((i) => [i.code, i.nodeId])).toEqual([
      ['edge.unknown_outlet', 's'],
      ['outlet.unconnected', 's'],
    ])
    expect(issues[1]?.message).toBe('Split has nothing connected to its “b” outlet: connect it to the step for users in that branch.')
  })

  it('accepts a winner rule when the journey has a goal, and checks its time', () => {
    const winner = { after: { amount: 7, unit: 'days' }, metric: 'goal' }
    const settings = { goal: { event: 'Purchased', within: { amount: 7, unit: 'days' } } }
    expect(issuesOf(around(split('s', [50, 50], { winner })), { settings })).toEqual([])
    const late = issuesOf(around(split('s', [50, 50], { winner: { ...winner, after: { amount: 2, unit: 'weeks' }, metric: 'goal' } })), { settings })
    expect(late).toEqual([])
    const tooLong = issuesOf(around(split('s', [50, 50], { winner: { after: { amount: 400, unit: 'days' }, metric: 'goal' } })), { settings })
    expect(tooLong.map((i) => [i.code, i.field])).toEqual([['duration.out_of_range', 'data.winner.after']])
  })

  it('keeps percents to hundredths and says what they add up to', () => {
    expect(issuesOf(around(split('s', [33.33, 33.33, 33.34])))).toEqual([])
    const [issue] = issuesOf(around(split('s', [33.3, 33.3, 33.3])))
    expect(issue?.message).toBe('In Split, the branches add up to 99.9%: make them add up to 100%.')
  })
})

describe('validateGraph: settings', () => {
  it('reports goal windows and frequency cap periods outside 1 second to 1 year', () => {
    const settings = { goal: { event: 'Purchased', within: { amount: 400, unit: 'days' } }, frequencyCaps: [{ channel: 'sms', max: 1, per: { amount: 0.2, unit: 'seconds' } }, { channel: 'email', max: 1, per: { amount: 800, unit: 'days' } }] }
    const issues = issuesOf(graph([trigger(), exit('x')], [edge('t', 'x')]), { settings })
    expect(issues.map((i) => [i.code, i.field])).toEqual([
      ['duration.out_of_range', 'settings.goal.within'],
      ['duration.out_of_range', 'settings.frequencyCaps.0.per'],
      ['duration.out_of_range', 'settings.frequencyCaps.1.per'],
    ])
    expect(issues[0]?.message).toBe('The goal’s conversion window of 400 days is too long: choose between 1 second and 1 year.')
    expect(issuesOf(graph([trigger(), exit('x')], [edge('t', 'x')]), { settings: { goal: { event: 'P', within: { amount: 7, unit: 'days' } } } })).toEqual([])
  })
})

describe('validateGraph: one journey per issue code', () => {
  for (const code of ISSUE_CODES) {
    const c: Case = CASES[code]
    it(`reports ${code} when ${c.when}`, () => {
      const issues = issuesOf(c.input(), c.options)
      const found = issues.find((i) => i.code === code)
      expect(found, JSON.stringify(issues, null, 2)).toBeDefined()
      expect(found).toMatchObject(c.expect)
      // Sentences for people, not zod's defaults.
      for (const i of issues) {
        expect(i.message).toMatch(/[.!]$/)
        expect(i.message).not.toMatch(/Invalid input|Invalid option|expected .* received/)
      }
    })
  }

  it('covers every issue code with a journey that produces it', () => {
    const seen = new Set<IssueCode>()
    for (const code of ISSUE_CODES) {
      const c: Case = CASES[code]
      for (const issue of issuesOf(c.input(), c.options)) seen.add(issue.code)
    }
    expect(ISSUE_CODES.filter((code) => !seen.has(code))).toEqual([])
  })
})

describe('validateGraph: the example journeys', () => {
  const dir = path.resolve(__dirname, '../../../examples')
  const files = readdirSync(dir).filter((f) => f.endsWith('.json'))

  it('finds the example journeys', () => {
    expect(files.length).toBeGreaterThanOrEqual(6)
  })

  for (const file of files) {
    it(`accepts ${file} and returns its typed graph`, () => {
      const journey: unknown = JSON.parse(readFileSync(path.join(dir, file), 'utf8'))
      const raw = typeof journey === 'object' && journey !== null && 'graph' in journey ? journey.graph : undefined
      const result = validateGraph(raw, { webhookIds: new Set(['REPLACE_WITH_WEBHOOK_ID']) })
      expect(result.ok ? [] : result.issues).toEqual([])
      if (!result.ok) return
      expect(result.graph.nodes.filter((n) => n.type === 'trigger')).toHaveLength(1)
      expect(result.graph.edges.length).toBeGreaterThan(0)
    })
  }
})

describe('validateGraph: results', () => {
  it('returns every problem at once', () => {
    const input = graph(
      [
        trigger('t', { event: '' }),
        step('a', 'action', { channel: 'sms', message: {} }),
        waitFor('w', 'opened'),
        delayFor('d', 0),
        exit('x'),
        exit('orphan'),
      ],
      [edge('t', 'a'), edge('a', 'w'), edge('w', 'd', 'matched'), edge('d', 'x'), edge('x', 'a', 'next', 'after-exit')],
    )
    const issues = issuesOf(input)
    const summary = issues.map((i) => `${i.code} ${i.nodeId ?? i.edgeId ?? ''}`)
    expect(summary).toEqual(
      expect.arrayContaining([
        'node.invalid_data t',
        'action.invalid_message a',
        'duration.out_of_range d',
        'edge.unknown_outlet x',
        'outlet.unconnected w',
        'node.unreachable orphan',
        'wait.status_not_in_channel w',
        'graph.cycle x',
      ]),
    )
    expect(issues.find((i) => i.code === 'node.invalid_data')?.field).toBe('data.event')
  })

  it('returns the typed graph with defaults applied and canvas-only fields dropped', () => {
    const input = graph(
      [
        { id: 't', type: 'trigger', data: { event: 'Signed up' }, selected: true, measured: { width: 10, height: 10 } },
        { id: 'x', type: 'exit' },
      ],
      [{ id: 'e', source: 't', target: 'x', sourceHandle: 'next', animated: true }],
    )
    const result = validateGraph(input)
    expect(result).toEqual({
      ok: true,
      issues: [],
      graph: {
        nodes: [
          { id: 't', type: 'trigger', position: { x: 0, y: 0 }, data: { event: 'Signed up' } },
          { id: 'x', type: 'exit', position: { x: 0, y: 0 }, data: {} },
        ],
        edges: [{ id: 'e', source: 't', target: 'x', sourceHandle: 'next' }],
      },
    })
  })

  it('returns conditions as typed values equal to what was drawn', () => {
    const where = { all: [{ path: 'user.traits.country', op: 'in', value: ['CA', 'US'] }, { not: { path: 'user.traits.email', op: 'exists' } }] }
    const result = validateGraph(around(cond('c', where)))
    expect(result.ok).toBe(true)
    if (!result.ok) return
    const node = result.graph.nodes.find((n) => n.id === 'c')
    expect(node?.type === 'condition' ? node.data.where : undefined).toEqual(where)
  })

  it('leaves the input untouched', () => {
    const input = graph(
      [trigger('t', { event: 'e', where: { path: 'user.traits.country', op: 'eq', value: 'CA' } }), email('a'), exit('x')],
      [edge('t', 'a'), edge('a', 'x')],
    )
    const before = JSON.stringify(input)
    deepFreeze(input)
    expect(validateGraph(input).ok).toBe(true)
    expect(JSON.stringify(input)).toBe(before)
  })

  it('accepts a journey whose optional next outlets are left open', () => {
    expect(issuesOf(graph([trigger(), email('a')], [edge('t', 'a')]))).toEqual([])
  })

  it('says which outlet an unconnected required outlet is, in words a marketer reads', () => {
    const issues = issuesOf(graph([trigger(), waitEvent('w'), exit('x')], [edge('t', 'w'), edge('w', 'x', 'matched')]))
    expect(issues).toEqual([
      {
        code: 'outlet.unconnected',
        nodeId: 'w',
        message: 'Wait for event has nothing connected to its timeout outlet: connect it to the step users should take when they don’t act in time.',
      },
    ])
  })

  it('reports a missing outlet name on a connection as an unknown outlet', () => {
    const issues = issuesOf(graph([trigger(), exit('x')], [edge('t', 'x', null, 'e')]))
    expect(issues.map((i) => [i.code, i.edgeId])).toEqual([
      ['edge.unknown_outlet', 'e'],
      ['outlet.unconnected', undefined],
    ])
  })

  it('reports each extra trigger once, and not as unreachable', () => {
    const issues = issuesOf(graph([trigger('t1'), trigger('t2'), trigger('t3'), exit('x')], [edge('t1', 'x'), edge('t2', 'x'), edge('t3', 'x')]))
    expect(issues.map((i) => `${i.code} ${i.nodeId}`)).toEqual(['trigger.multiple t2', 'trigger.multiple t3'])
  })

  it('reports a cycle once, on the connection that closes it', () => {
    const issues = issuesOf(
      graph(
        [trigger(), delayFor('d1', 1), delayFor('d2', 1), delayFor('d3', 1)],
        [edge('t', 'd1'), edge('d1', 'd2'), edge('d2', 'd3'), edge('d3', 'd1', 'next', 'closing')],
      ),
    )
    expect(issues.map((i) => `${i.code} ${i.edgeId}`)).toEqual(['graph.cycle closing'])
  })

  it('flags an empty webhook id as invalid data, not as an unknown webhook', () => {
    const issues = issuesOf(around(step('h', 'webhook', { webhookId: '' })), { webhookIds: new Set(['crm']) })
    expect(issues.map((i) => [i.code, i.field])).toEqual([['node.invalid_data', 'data.webhookId']])
  })

  it('asks to choose between activity and event when a wait has both or neither', () => {
    const both = issuesOf(around(step('w', 'waitForEvent', { event: 'e', activity: { status: 'clicked' }, within: { amount: 1, unit: 'days' } })))
    const neither = issuesOf(around(step('w', 'waitForEvent', { within: { amount: 1, unit: 'days' } })))
    expect(both.filter((i) => i.code === 'node.invalid_data')).toHaveLength(1)
    expect(neither.filter((i) => i.code === 'node.invalid_data')).toHaveLength(1)
    expect(neither[0]?.message).toContain('choose what to wait for')
  })

  it('allows delay offsets before the date, up to a year', () => {
    const until = (offset: unknown) => around(step('d', 'delay', { until: { path: 'user.traits.birthday', offset } }))
    expect(issuesOf(until({ amount: -2, unit: 'days' }))).toEqual([])
    expect(issuesOf(until({ amount: 0, unit: 'days' }))).toEqual([])
    expect(issuesOf(until({ amount: -53, unit: 'weeks' })).map((i) => [i.code, i.field])).toEqual([['duration.out_of_range', 'data.until.offset']])
  })

  it('treats `exists` as taking no value (or false, for absence) and other operators as needing one', () => {
    const rule = (r: unknown) => issuesOf(around(cond('c', r))).map((i) => i.code)
    expect(rule({ path: 'user.traits.email', op: 'exists' })).toEqual([])
    expect(rule({ path: 'user.traits.email', op: 'exists', value: false })).toEqual([])
    expect(rule({ path: 'user.traits.email', op: 'exists', value: 'yes' })).toEqual(['condition.malformed'])
    expect(rule({ path: 'user.traits.age', op: 'gt' })).toEqual(['condition.malformed'])
    expect(rule({ path: 'user.traits.country', op: 'in', value: ['CA', 'US'] })).toEqual([])
    expect(rule({ path: 'user.', op: 'eq', value: 1 })).toEqual(['condition.malformed'])
    expect(rule({ all: [], any: [] })).toEqual(['condition.malformed'])
    expect(rule({ not: 'x' })).toEqual(['condition.malformed'])
  })

  it('reports a missing condition rule as invalid data', () => {
    const issues = issuesOf(around(step('c', 'condition', {})))
    expect(issues.map((i) => [i.code, i.field])).toContainEqual(['node.invalid_data', 'data.where'])
  })
})

describe('validateGraph: nearest preceding message of an activity wait', () => {
  // t -> c ?yes-> sms -> w ; c ?no-> <no message or email> -> w
  function split(noBranch: RawNode | null, status: string) {
    const nodes = [trigger(), cond('c', { path: 'user.traits.vip', op: 'eq', value: true }), sms('s'), waitFor('w', status), exit('x1'), exit('x2')]
    const edges = [edge('t', 'c'), edge('c', 's', 'yes'), edge('s', 'w'), edge('w', 'x1', 'matched'), edge('w', 'x2', 'timeout')]
    if (noBranch === null) edges.push(edge('c', 'w', 'no'))
    else edges.push(edge('c', noBranch.id, 'no'), edge(noBranch.id, 'w'))
    nodes.push(...(noBranch === null ? [] : [noBranch]))
    return graph(nodes, edges)
  }

  it('accepts a status every preceding channel reports', () => {
    expect(issuesOf(split(email('e'), 'clicked'))).toEqual([])
  })

  it('looks past delays and webhooks to the message before them', () => {
    expect(issuesOf(split(delayFor('d', 2), 'clicked')).map((i) => i.code)).toEqual(['wait.no_preceding_action'])
    const viaDelay = graph(
      [trigger(), email('a'), delayFor('d', 1), waitFor('w', 'opened'), exit('x1'), exit('x2')],
      [edge('t', 'a'), edge('a', 'd'), edge('d', 'w'), edge('w', 'x1', 'matched'), edge('w', 'x2', 'timeout')],
    )
    expect(issuesOf(viaDelay)).toEqual([])
  })

  it('reports a status one of the possible preceding channels never reports', () => {
    const issues = issuesOf(split(email('e'), 'opened'))
    expect(issues).toHaveLength(1)
    expect(issues[0]).toMatchObject({ code: 'wait.status_not_in_channel', nodeId: 'w' })
    expect(issues[0]?.message).toContain('SMS')
    expect(issues[0]?.message).not.toContain('Email messages')
  })

  it('reports a path that reaches the wait without any message', () => {
    expect(issuesOf(split(null, 'clicked')).map((i) => `${i.code} ${i.nodeId}`)).toEqual(['wait.no_preceding_action w'])
  })

  it('uses the latest message when several precede the wait', () => {
    const input = graph(
      [trigger(), sms('s'), email('e'), waitFor('w', 'opened'), exit('x1'), exit('x2')],
      [edge('t', 's'), edge('s', 'e'), edge('e', 'w'), edge('w', 'x1', 'matched'), edge('w', 'x2', 'timeout')],
    )
    expect(issuesOf(input)).toEqual([])
  })
})

describe('validateGraph: hostile and huge input', () => {
  it('never throws, whatever it is given', () => {
    const inputs: unknown[] = [
      null,
      undefined,
      'graph',
      42,
      [],
      {},
      { nodes: [], edges: {} },
      { nodes: [null, 1, 'x', [], { id: 5 }, { id: '' }], edges: [null, { id: 'e' }, { id: 'f', source: 1, target: {} }] },
      JSON.parse('{"nodes":[{"id":"__proto__","type":"constructor","data":{"__proto__":{"polluted":1}}},{"id":"t","type":"trigger","data":{"event":"e","where":{"__proto__":{"all":[]}}}}],"edges":[{"id":"toString","source":"__proto__","target":"hasOwnProperty","sourceHandle":"__proto__"}]}'),
      graph([trigger('t', 'not an object'), step('a', 'action', { channel: 'fax', message: 'hi' }), step('w', 'waitForEvent', null)]),
      graph([step('d', 'delay', { until: { path: 5, offset: { amount: Infinity, unit: 'days' } } })]),
      graph([{ id: 't', type: 'trigger', position: { x: 'left' }, data: { event: 'e' } }]),
    ]
    for (const input of inputs) {
      const result = validateGraph(input)
      expect(result.ok).toBe(false)
      if (!result.ok) expect(result.issues.length).toBeGreaterThan(0)
    }
    expect(Reflect.get({}, 'polluted')).toBeUndefined()
  })

  it('refuses a journey larger than a draft may be, before looking inside it', () => {
    const issues = issuesOf(graph(new Array<unknown>(20_001).fill(null)))
    expect(issues.map((i) => i.code)).toEqual(['graph.malformed'])
  })

  it('refuses a condition nested deeper than 32 levels without overflowing the stack', () => {
    let where: unknown = { path: 'user.traits.a', op: 'eq', value: 1 }
    for (let i = 0; i < 100_000; i++) where = { not: where }
    const issues = issuesOf(graph([trigger('t', { event: 'e', where }), exit('x')], [edge('t', 'x')]))
    expect(issues.map((i) => [i.code, i.nodeId])).toEqual([['condition.malformed', 't']])
  })

  it('accepts a condition nested 32 levels deep', () => {
    let where: unknown = { path: 'user.traits.a', op: 'eq', value: 1 }
    for (let i = 0; i < 31; i++) where = { all: [where] }
    expect(issuesOf(graph([trigger('t', { event: 'e', where }), exit('x')], [edge('t', 'x')]))).toEqual([])
  })

  it('validates a 10,000-step chain and a 10,000-step loop without recursion', () => {
    const n = 10_000
    const nodes: RawNode[] = [trigger()]
    const edges: RawEdge[] = [edge('t', 'd0')]
    for (let i = 0; i < n; i++) {
      nodes.push(delayFor(`d${i}`, 1))
      if (i + 1 < n) edges.push(edge(`d${i}`, `d${i + 1}`))
    }
    expect(validateGraph(graph(nodes, edges)).ok).toBe(true)
    edges.push(edge(`d${n - 1}`, 'd0', 'next', 'closing'))
    expect(issuesOf(graph(nodes, edges)).map((i) => `${i.code} ${i.edgeId}`)).toEqual(['graph.cycle closing'])
  })

  it('validates a 1,000-step journey with nested conditions and finds nothing wrong', () => {
    const nodes: RawNode[] = [trigger(), exit('end')]
    const edges: RawEdge[] = []
    let from = edge('t', 'a0')
    for (let i = 0; i < 250; i++) {
      const where = { any: [{ path: 'user.traits.plan', op: 'eq', value: 'pro' }, { path: 'event.properties.total', op: 'gt', value: 50 }] }
      nodes.push(email(`a${i}`), waitFor(`w${i}`, 'clicked'), cond(`c${i}`, where), exit(`x${i}`))
      edges.push(from, edge(`a${i}`, `w${i}`), edge(`w${i}`, `c${i}`, 'matched'), edge(`w${i}`, `x${i}`, 'timeout'), edge(`c${i}`, `x${i}`, 'no'))
      from = edge(`c${i}`, i === 249 ? 'end' : `a${i + 1}`, 'yes')
    }
    edges.push(from)
    const input = graph(nodes, edges)
    // Its speed is measured by `pnpm bench` (1,000-node validate + compile), not here.
    expect(issuesOf(input)).toEqual([])
    expect(nodes).toHaveLength(1002)
  })
})

function deepFreeze(value: unknown): void {
  if (typeof value !== 'object' || value === null) return
  Object.freeze(value)
  for (const v of Object.values(value)) deepFreeze(v)
}

describe('validateGraph: step names', () => {
  it('names steps by their label, or by kind and number, never by id', () => {
    const g = graph(
      [trigger(), step('w1', 'waitForEvent', { event: 'Booked', within: { amount: 1, unit: 'days' }, label: 'Booked a demo?' }), waitEvent('w2'), exit('x')],
      [edge('t', 'w1'), edge('w1', 'w2', 'matched'), edge('w2', 'x', 'matched')],
    )
    expect(issuesOf(g).map((i) => i.message)).toEqual([
      'Wait for event “Booked a demo?” has nothing connected to its timeout outlet: connect it to the step users should take when they don’t act in time.',
      'Wait for event 2 has nothing connected to its timeout outlet: connect it to the step users should take when they don’t act in time.',
    ])
  })

  it('refuses a name longer than 80 characters or empty', () => {
    const long = issuesOf(around(step('d', 'delay', { for: { amount: 1, unit: 'hours' }, label: 'x'.repeat(81) })))
    expect(long.map((i) => [i.code, i.field, i.message])).toEqual([['node.invalid_data', 'data.label', 'In Delay, the step’s name is 81 characters long: keep it to 80.']])
    expect(issuesOf(around(step('d', 'delay', { for: { amount: 1, unit: 'hours' }, label: ' ' }))).map((i) => i.field)).toEqual(['data.label'])
    expect(issuesOf(around(step('d', 'delay', { for: { amount: 1, unit: 'hours' }, label: 'Cool off' })))).toEqual([])
  })
})

import { z } from 'zod'
import { Journey, JourneyStats, UserJourneyView, type DraftGraph } from '@switchyard/schema'
import { TEMPLATES } from '../src/pages/templates'
import { http, until } from './harness'

const Created = z.object({ id: z.string() })

/** Creates a webhook pointing at `url`; null when the server has no webhooks API yet. */
export async function createWebhook(base: string, name: string, url: string): Promise<string | null> {
  try {
    const w = Created.parse(await http(base, 'POST', '/api/webhooks', { name, url, encoding: 'form', timeoutMs: 3000 }))
    return w.id
  } catch (e) {
    if (e instanceof Error && / -> 404 /.test(e.message)) return null
    throw e
  }
}

function cartGraph(webhookId: string | null): DraftGraph {
  const t = TEMPLATES[1]
  if (!t) throw new Error('The cart template is missing.')
  const nodes = t.graph.nodes.map((n) => (n.id === 'hook' ? { ...n, data: { ...n.data, webhookId: webhookId ?? '' } } : n))
  if (webhookId) return { nodes, edges: t.graph.edges }
  // Without a webhooks API, the click path ends at once.
  return {
    nodes: nodes.filter((n) => n.id !== 'hook'),
    edges: t.graph.edges.filter((e) => e.source !== 'hook').map((e) => (e.target === 'hook' ? { ...e, id: 'wait-matched-done', target: 'done' } : e)),
  }
}

export async function latestMessageId(base: string, journeyId: string, userId: string): Promise<string> {
  return until(`a message id for ${userId}`, async () => {
    const view = UserJourneyView.parse(await http(base, 'GET', `/api/journeys/${journeyId}/users/${encodeURIComponent(userId)}`))
    const item = view.runs[0]?.history.find((h) => h.kind === 'message' && h.messageId)
    return item?.messageId ?? undefined
  })
}

/** A small live workspace: a published cart journey with users on each path, and two drafts. */
export async function seedDemo(base: string, receiverUrl: string): Promise<{ journeyId: string; clicked: string; waiting: string }> {
  const webhookId = await createWebhook(base, 'Call centre (CRM)', receiverUrl)
  if (webhookId) await http(base, 'POST', `/api/webhooks/${webhookId}/test`)
  await createWebhook(base, 'Data warehouse', receiverUrl.replace('/hook', '/dwh'))
  const welcome = TEMPLATES[2]
  if (welcome) await http(base, 'POST', '/api/journeys', { name: 'Welcome series', graph: welcome.graph, settings: { reentry: 'never' } })
  await http(base, 'POST', '/api/journeys', { name: 'Price drop alert', graph: { nodes: [], edges: [] } })
  const j = Journey.parse(await http(base, 'POST', '/api/journeys', { name: 'Cart abandoners: RCS nudge', graph: cartGraph(webhookId), settings: { reentry: 'afterExit' } }))
  await http(base, 'POST', `/api/journeys/${j.id}/publish`)
  const people = [
    ['asha', 'Asha', 'Pune'],
    ['ben', 'Ben', 'Leeds'],
    ['chen', 'Chen', 'Taipei'],
    ['dana', 'Dana', 'Austin'],
    ['emil', 'Emil', 'Oslo'],
  ] as const
  for (const [id, name, city] of people) {
    await http(base, 'POST', '/v1/identify', { userId: id, traits: { FIRSTNAME: name, CITY: city, EMAIL: `${id}@example.com` } })
    await http(base, 'POST', '/v1/track', { userId: id, event: 'add_to_cart', properties: { product: 'Trail shoes', price: 89.9 } })
  }
  for (const id of ['asha', 'chen']) {
    const messageId = await latestMessageId(base, j.id, id)
    await http(base, 'POST', '/v1/track', { userId: id, event: 'rcs.clicked', properties: { messageId } })
  }
  await until('the clicks to be applied', async () => {
    const view = UserJourneyView.parse(await http(base, 'GET', `/api/journeys/${j.id}/users/asha`))
    return view.runs[0]?.status === 'completed'
  })
  return { journeyId: j.id, clicked: 'asha', waiting: 'ben' }
}

/** Where the split demo sends users: a message per branch, then out. */
function splitGraph(): DraftGraph {
  const arms = [
    { id: 'email', label: 'Email', percent: 40, send: { channel: 'email', message: { subject: 'Your cart is waiting', body: 'Come back and finish your order.' } } },
    { id: 'sms', label: 'SMS', percent: 30, send: { channel: 'sms', message: { text: 'Your cart is waiting: 10% off today' } } },
    { id: 'push', label: 'Push', percent: 30, send: { channel: 'app_push', message: { title: 'Still thinking it over?', body: 'Your cart is saved.' } } },
  ]
  const branches = arms.map(({ id, label, percent }) => ({ id, label, percent }))
  return {
    nodes: [
      { id: 'cart', type: 'trigger', position: { x: 300, y: 0 }, data: { event: 'Cart Abandoned' } },
      { id: 'ab', type: 'split', position: { x: 300, y: 150 }, data: { branches, winner: { after: { amount: 15, unit: 'seconds' }, metric: 'goal' } } },
      ...arms.map((b, i) => ({ id: b.id, type: 'action', position: { x: i * 300, y: 420 }, data: b.send })),
      ...branches.map((b, i) => ({ id: `${b.id}-done`, type: 'exit', position: { x: i * 300, y: 580 }, data: {} })),
    ],
    edges: [
      { id: 'cart-next-ab', source: 'cart', target: 'ab', sourceHandle: 'next' },
      ...branches.map((b) => ({ id: `ab-${b.id}-${b.id}`, source: 'ab', target: b.id, sourceHandle: b.id })),
      ...branches.map((b) => ({ id: `${b.id}-next-done`, source: b.id, target: `${b.id}-done`, sourceHandle: 'next' })),
    ],
  }
}

/**
 * A live A/B/C test: users through a three-way split, some of them ordering (the journey's goal),
 * and, once the rule's 15 seconds have passed, the winner chosen by the next arrival.
 */
export async function seedSplit(base: string): Promise<{ journeyId: string; nodeId: string }> {
  const settings = { reentry: 'afterExit', goal: { event: 'Order Completed', within: { amount: 3, unit: 'days' } } }
  const j = Journey.parse(await http(base, 'POST', '/api/journeys', { name: 'Cart recovery A/B/C', graph: splitGraph(), settings }))
  await http(base, 'POST', `/api/journeys/${j.id}/publish`)
  const publishedAt = Date.now()
  const users = Array.from({ length: 48 }, (_, i) => `shopper-${i}`)
  for (const userId of users) await http(base, 'POST', '/v1/track', { userId, event: 'Cart Abandoned' })
  for (const [i, userId] of users.entries()) if (i % 3 === 0 || i % 7 === 0) await http(base, 'POST', '/v1/track', { userId, event: 'Order Completed' })
  await until('the winner rule to be due', async () => Date.now() - publishedAt > 16_000, 30_000, 500)
  return until('a winner', async () => {
    await http(base, 'POST', '/v1/track', { userId: `late-${Date.now()}`, event: 'Cart Abandoned' })
    const stats = JourneyStats.parse(await http(base, 'GET', `/api/journeys/${j.id}/stats`))
    return stats.nodes.ab?.winner !== undefined ? { journeyId: j.id, nodeId: 'ab' } : undefined
  }, 20_000, 1000)
}

/**
 * A long straight journey: a trigger, `steps - 2` messages and delays in turn, an exit; step 250
 * is named "Final reminder". For the large-journey test, the benchmark and the screenshots.
 */
export function chainGraph(steps: number): DraftGraph {
  const at = (i: number) => ({ x: 0, y: i * 200 })
  const nodes: DraftGraph['nodes'] = [{ id: 'start', type: 'trigger', position: at(0), data: { event: 'signup' } }]
  const edges: DraftGraph['edges'] = []
  for (let i = 1; i < steps - 1; i++) {
    const data = i % 2 === 0 ? { for: { amount: 1, unit: 'days' } } : { channel: 'email', message: { subject: `Day ${i}: tips to get started`, body: 'Hi' } }
    nodes.push({ id: `n${i}`, type: i % 2 === 0 ? 'delay' : 'action', position: at(i), data: i === 250 ? { ...data, label: 'Final reminder' } : data })
    edges.push({ id: `e${i}`, source: i === 1 ? 'start' : `n${i - 1}`, target: `n${i}`, sourceHandle: 'next' })
  }
  nodes.push({ id: 'end', type: 'exit', position: at(steps - 1), data: {} })
  edges.push({ id: 'e-end', source: `n${steps - 2}`, target: 'end', sourceHandle: 'next' })
  return { nodes, edges }
}

import { z } from 'zod'
import { Journey, UserJourneyView, type DraftGraph } from '@switchyard/schema'
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

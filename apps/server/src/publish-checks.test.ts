import { describe, expect, it } from 'vitest'
import { action, edge, exit, graph, journeyInput, trigger, webhook } from '@switchyard/testkit'
import { http, liveServers } from '../test/live'

const servers = liveServers()

describe('publish', () => {
  it('reports everything that would only fail once live: settings durations, Liquid, unknown webhooks and providers', async () => {
    const url = (await servers.start()).url
    const hook = (await http(url, 'POST', '/api/webhooks', { name: 'CRM', url: 'http://127.0.0.1:9/crm' })).json
    const g = graph(
      [
        trigger('t', 'Signed Up'),
        { ...action('sms', 'sms', { text: 'Hi {{ user.traits.name ' }), data: { channel: 'sms', message: { text: 'Hi {{ user.traits.name ' }, providerId: 'prv_gone' } },
        webhook('gone', 'wh_deleted'),
        webhook('tpl', hook.id, { body: { kind: 'template', template: '{{ user.id | no_such_filter }}' } }),
        exit('x'),
      ],
      [edge('t', 'next', 'sms'), edge('sms', 'next', 'gone'), edge('gone', 'next', 'tpl'), edge('tpl', 'next', 'x')],
    )
    const settings = {
      goal: { event: 'Purchased', within: { amount: 400, unit: 'days' as const } },
      frequencyCaps: [{ channel: 'sms' as const, max: 2, per: { amount: 800, unit: 'days' as const } }],
    }
    const { id } = (await http(url, 'POST', '/api/journeys', journeyInput('Checks', g, settings))).json
    const published = await http(url, 'POST', `/api/journeys/${id}/publish`)
    expect(published.status).toBe(422)
    const found = published.json.issues.map((i: { code: string; nodeId?: string; field?: string }) => [i.code, i.nodeId ?? null, i.field ?? null])
    expect(found).toEqual(
      expect.arrayContaining([
        ['duration.out_of_range', null, 'settings.goal.within'],
        ['duration.out_of_range', null, 'settings.frequencyCaps.0.per'],
        ['template.invalid', 'sms', 'data.message.text'],
        ['provider.unknown', 'sms', 'data.providerId'],
        ['webhook.unknown', 'gone', 'data.webhookId'],
        ['template.invalid', 'tpl', 'data.body.template'],
      ]),
    )
    expect(found).toHaveLength(6)
    for (const issue of published.json.issues) expect(issue.message).toMatch(/[.!]$/)
    // The draft's own answer lists the same problems as the canvas shows them.
    expect((await http(url, 'GET', `/api/journeys/${id}`)).json.issues).toHaveLength(6)
    expect((await http(url, 'GET', `/api/journeys/${id}/versions`)).json.versions).toEqual([])
  })

  it('publishes the same journey once each problem is fixed', async () => {
    const url = (await servers.start()).url
    const hook = (await http(url, 'POST', '/api/webhooks', { name: 'CRM', url: 'http://127.0.0.1:9/crm' })).json
    const g = graph(
      [trigger('t', 'Signed Up'), action('sms', 'sms', { text: 'Hi {{ user.traits.name | default: "there" }}' }), webhook('tpl', hook.id, { body: { kind: 'template', template: '{{ user.id | upcase }}' } }), exit('x')],
      [edge('t', 'next', 'sms'), edge('sms', 'next', 'tpl'), edge('tpl', 'next', 'x')],
    )
    const settings = { goal: { event: 'Purchased', within: { amount: 7, unit: 'days' as const } }, frequencyCaps: [{ channel: 'sms' as const, max: 2, per: { amount: 1, unit: 'days' as const } }] }
    const { id } = (await http(url, 'POST', '/api/journeys', journeyInput('Fine', g, settings))).json
    expect((await http(url, 'POST', `/api/journeys/${id}/publish`)).status).toBe(200)
  })
})

import { z } from 'zod'
import { isRecord, own, quote } from '../validate-read'
import { checkTemplates, parseData, plainFacts, report } from './check'
import { fixedOutlets, nodeSchema, type NodeKindSpec } from './kind'

export const WEBHOOK_BODY_KINDS = ['activity', 'profiles', 'template'] as const
export const WebhookBody = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('activity') }),
  z.object({ kind: z.literal('profiles') }),
  z.object({ kind: z.literal('template'), template: z.string().max(65_536) }),
])
export type WebhookBody = z.infer<typeof WebhookBody>

export const WebhookData = z.object({
  webhookId: z.string().min(1, 'Choose a configured webhook.'),
  /** Attribute paths whose values go into the payload, e.g. `user.traits.EMAIL`. */
  params: z.array(z.string()).optional(),
  customParams: z.record(z.string(), z.string()).optional(),
  body: WebhookBody.optional(),
})
export type WebhookData = z.infer<typeof WebhookData>
export const WebhookNode = nodeSchema('webhook', WebhookData)
export type WebhookNode = z.infer<typeof WebhookNode>

export const webhookKind: NodeKindSpec<'webhook', WebhookNode> = {
  type: 'webhook',
  node: WebhookNode,
  label: 'Webhook',
  description: 'Posts the user and the event to a configured endpoint.',
  ...fixedOutlets({ next: 'the step that comes next' }, []),
  check(ctx, data, position) {
    const parsed = parseData(ctx, WebhookData, data, [])
    const webhookId = own(data, 'webhookId')
    if (ctx.webhookIds !== undefined && typeof webhookId === 'string' && webhookId !== '' && !ctx.webhookIds.has(webhookId)) {
      report(ctx, 'webhook.unknown', `the webhook ${quote(webhookId)} is not configured (it may have been deleted): choose one of the configured webhooks.`, 'data.webhookId')
    }
    const body = own(data, 'body')
    if (isRecord(body)) checkTemplates(ctx, { template: own(body, 'template') }, 'data.body', 'webhook')
    return plainFacts(parsed && { id: ctx.id, type: 'webhook', position, data: parsed })
  },
}

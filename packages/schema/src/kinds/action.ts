import { z } from 'zod'
import { Channel, CHANNEL_LABELS, MESSAGE_SCHEMAS } from '../channels'
import { isRecord, listOr, own, quote } from '../validate-read'
import { explainZodIssues, fieldPath } from '../validate-zod'
import { checkTemplates, parseData, report } from './check'
import { fixedOutlets, nodeSchema, type NodeKindSpec } from './kind'

export const ActionData = z.object({
  channel: Channel,
  /** The channel's fields (subject/body/title/text...); checked per channel by validateGraph. */
  message: z.record(z.string(), z.unknown()).default({}),
  /** A configured channel provider; the channel's default provider when absent. */
  providerId: z.string().optional(),
})
export type ActionData = z.infer<typeof ActionData>
export const ActionNode = nodeSchema('action', ActionData)
export type ActionNode = z.infer<typeof ActionNode>

export const actionKind: NodeKindSpec<'action', ActionNode> = {
  type: 'action',
  node: ActionNode,
  label: 'Message',
  description: 'Sends a message on a channel: email, SMS, push, WhatsApp or RCS.',
  ...fixedOutlets({ next: 'the step that comes next' }, []),
  check(ctx, data, position) {
    const channel = Channel.safeParse(own(data, 'channel'))
    if (!channel.success) {
      const labels = Object.values(CHANNEL_LABELS)
      report(ctx, 'node.invalid_data', `choose the channel to send the message on: ${listOr(labels)}.`, 'data.channel')
    }
    const parsed = parseData(ctx, ActionData, data, [], ['channel'])
    const rawMessage = own(data, 'message') ?? {}
    if (channel.success && isRecord(rawMessage)) {
      const result = MESSAGE_SCHEMAS[channel.data].safeParse(rawMessage)
      if (!result.success) {
        for (const p of explainZodIssues(result.error.issues, rawMessage)) {
          report(ctx, 'action.invalid_message', `the ${CHANNEL_LABELS[channel.data]} message is not ready to send: ${p.message}`, fieldPath('data.message', p.path))
        }
      }
    }
    const providerId = own(data, 'providerId')
    if (ctx.providerIds !== undefined && typeof providerId === 'string' && providerId !== '' && !ctx.providerIds.has(providerId)) {
      report(ctx, 'provider.unknown', `the provider ${quote(providerId)} is not configured (it may have been deleted): choose a configured provider or the channel's default.`, 'data.providerId')
    }
    if (isRecord(rawMessage)) checkTemplates(ctx, rawMessage, 'data.message', 'message')
    const node: ActionNode | null = parsed && { id: ctx.id, type: 'action', position, data: parsed }
    return { node, channel: channel.success ? channel.data : null, activityStatus: null }
  },
}

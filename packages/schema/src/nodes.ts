import { z } from 'zod'
import { ActivityStatus, Channel } from './channels'
import { Condition } from './condition'
import { Duration } from './duration'

export const NODE_TYPES = ['trigger', 'action', 'waitForEvent', 'webhook', 'delay', 'condition', 'exit'] as const
export const NodeType = z.enum(NODE_TYPES)
export type NodeType = z.infer<typeof NodeType>

export const OUTLETS = ['next', 'matched', 'timeout', 'yes', 'no'] as const
export const Outlet = z.enum(OUTLETS)
export type Outlet = z.infer<typeof Outlet>

export const EventName = z.string().trim().min(1, 'Give the name of the event.').max(200)

export const TriggerData = z.object({ event: EventName, where: Condition.optional() })
export type TriggerData = z.infer<typeof TriggerData>

export const ActionData = z.object({
  channel: Channel,
  /** The channel's fields (subject/body/title/text...); checked per channel by validateGraph. */
  message: z.record(z.string(), z.unknown()).default({}),
  /** A configured channel provider; the channel's default provider when absent. */
  providerId: z.string().optional(),
})
export type ActionData = z.infer<typeof ActionData>

export const WaitForEventData = z.union([
  z.object({ activity: z.object({ status: ActivityStatus }), event: z.undefined().optional(), where: Condition.optional(), within: Duration }),
  z.object({ event: EventName, activity: z.undefined().optional(), where: Condition.optional(), within: Duration }),
])
export type WaitForEventData = z.infer<typeof WaitForEventData>

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

export const DelayUntil = z.object({ path: z.string(), offset: Duration.optional() })
export const DelayData = z.union([
  z.object({ for: Duration, until: z.undefined().optional() }),
  z.object({ until: DelayUntil, for: z.undefined().optional() }),
])
export type DelayData = z.infer<typeof DelayData>

export const ConditionData = z.object({ where: Condition })
export type ConditionData = z.infer<typeof ConditionData>

export const ExitData = z.object({}).passthrough()
export type ExitData = z.infer<typeof ExitData>

const Position = z.object({ x: z.number(), y: z.number() })

function node<T extends NodeType, D extends z.ZodType>(type: T, data: D) {
  return z.object({ id: z.string().min(1), type: z.literal(type), position: Position, data })
}

export const TriggerNode = node('trigger', TriggerData)
export type TriggerNode = z.infer<typeof TriggerNode>
export const ActionNode = node('action', ActionData)
export type ActionNode = z.infer<typeof ActionNode>
export const WaitForEventNode = node('waitForEvent', WaitForEventData)
export type WaitForEventNode = z.infer<typeof WaitForEventNode>
export const WebhookNode = node('webhook', WebhookData)
export type WebhookNode = z.infer<typeof WebhookNode>
export const DelayNode = node('delay', DelayData)
export type DelayNode = z.infer<typeof DelayNode>
export const ConditionNode = node('condition', ConditionData)
export type ConditionNode = z.infer<typeof ConditionNode>
export const ExitNode = node('exit', ExitData)
export type ExitNode = z.infer<typeof ExitNode>

export const JourneyNode = z.discriminatedUnion('type', [
  TriggerNode,
  ActionNode,
  WaitForEventNode,
  WebhookNode,
  DelayNode,
  ConditionNode,
  ExitNode,
])
export type JourneyNode = z.infer<typeof JourneyNode>

export interface NodeKindSpec {
  /** Every outlet the node has, in display order. */
  outlets: readonly Outlet[]
  /** Outlets that must be connected for the journey to publish. */
  required: readonly Outlet[]
  label: string
  description: string
  data: z.ZodType
}

/** One registry for every node kind: adding a kind fails to compile until it is described here. */
export const NODE_KINDS = {
  trigger: {
    outlets: ['next'],
    required: ['next'],
    label: 'Trigger',
    description: 'Starts the journey when a user performs an event.',
    data: TriggerData,
  },
  action: {
    outlets: ['next'],
    required: [],
    label: 'Message',
    description: 'Sends a message on a channel: email, SMS, push, WhatsApp or RCS.',
    data: ActionData,
  },
  waitForEvent: {
    outlets: ['matched', 'timeout'],
    required: ['matched', 'timeout'],
    label: 'Wait for event',
    description: 'Waits for the user to act on the message, or for an event, within a time.',
    data: WaitForEventData,
  },
  webhook: {
    outlets: ['next'],
    required: [],
    label: 'Webhook',
    description: 'Posts the user and the event to a configured endpoint.',
    data: WebhookData,
  },
  delay: {
    outlets: ['next'],
    required: [],
    label: 'Delay',
    description: 'Waits for a time, or until a date in the event or the user profile.',
    data: DelayData,
  },
  condition: {
    outlets: ['yes', 'no'],
    required: ['yes', 'no'],
    label: 'Condition',
    description: 'Splits users by their properties or the event.',
    data: ConditionData,
  },
  exit: { outlets: [], required: [], label: 'Exit', description: 'Ends the journey for the user.', data: ExitData },
} as const satisfies Record<NodeType, NodeKindSpec>

export function outletsOf(type: NodeType): readonly Outlet[] {
  return NODE_KINDS[type].outlets
}

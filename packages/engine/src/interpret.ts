import type { JourneyAction, JourneyActionType } from '@switchyard/compiler'

const ACTION_TYPES = new Set<string>([
  'enter',
  'record',
  'rememberEvent',
  'rememberMessage',
  'sendMessage',
  'scheduleTimer',
  'cancelTimer',
  'enqueueWebhook',
] satisfies JourneyActionType[])

/**
 * The actions a machine config names are exactly those the compiler wrote (JourneyAction), with
 * the params it wrote; XState hands them back untyped, so they are recognised here by name.
 */
function isJourneyAction(a: { type: string; params?: unknown }): a is JourneyAction {
  return ACTION_TYPES.has(a.type)
}

export function toJourneyActions(raw: readonly { type: string; params?: unknown }[]): JourneyAction[] {
  return raw.filter(isJourneyAction)
}

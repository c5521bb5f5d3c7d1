import { z } from 'zod'

/** The channels an `action` node can send through, and the activity each reports back. */
export const CHANNEL_STATUSES = {
  email: ['delivered', 'opened', 'clicked', 'bounced'],
  sms: ['delivered', 'clicked'],
  app_push: ['delivered', 'clicked'],
  web_push: ['delivered', 'clicked'],
  whatsapp: ['delivered', 'opened', 'clicked', 'failed'],
  rcs: ['delivered', 'opened', 'clicked', 'failed'],
} as const satisfies Record<string, readonly string[]>

export const CHANNELS = ['email', 'sms', 'app_push', 'web_push', 'whatsapp', 'rcs'] as const satisfies readonly (keyof typeof CHANNEL_STATUSES)[]
export const Channel = z.enum(CHANNELS)
export type Channel = z.infer<typeof Channel>

/** Every status any channel can report, plus `sent`, which the engine records itself. */
export const ACTIVITY_STATUSES = ['sent', 'delivered', 'opened', 'clicked', 'bounced', 'failed'] as const
export const ActivityStatus = z.enum(ACTIVITY_STATUSES)
export type ActivityStatus = z.infer<typeof ActivityStatus>

export const CHANNEL_LABELS = {
  email: 'Email',
  sms: 'SMS',
  app_push: 'App push (APN)',
  web_push: 'Web push (BPN)',
  whatsapp: 'WhatsApp',
  rcs: 'RCS',
} as const satisfies Record<Channel, string>

/** The statuses a wait may listen for after a message on this channel (`sent` included). */
export function statusesOf(channel: Channel): readonly ActivityStatus[] {
  return ['sent', ...CHANNEL_STATUSES[channel]]
}

export function isStatusOf(channel: Channel, status: string): boolean {
  return statusesOf(channel).some((s) => s === status)
}

/** `rcs.clicked` -> `{ channel: 'rcs', status: 'clicked' }`; anything else -> null. */
export function parseActivityEventName(name: string): { channel: Channel; status: ActivityStatus } | null {
  const dot = name.indexOf('.')
  if (dot < 0) return null
  const channel = Channel.safeParse(name.slice(0, dot))
  const status = ActivityStatus.safeParse(name.slice(dot + 1))
  if (!channel.success || !status.success) return null
  if (!isStatusOf(channel.data, status.data)) return null
  return { channel: channel.data, status: status.data }
}

export function activityEventName(channel: Channel, status: ActivityStatus): string {
  return `${channel}.${status}`
}

/** The fields of a message per channel; every string field is a Liquid template. */
export const EmailMessage = z.object({
  subject: z.string().min(1, 'An email needs a subject.'),
  body: z.string().min(1, 'An email needs a body.'),
  from: z.string().optional(),
  html: z.boolean().optional(),
})
export const SmsMessage = z.object({ text: z.string().min(1, 'An SMS needs a text.') })
export const PushMessage = z.object({
  title: z.string().min(1, 'A push notification needs a title.'),
  body: z.string().min(1, 'A push notification needs a body.'),
  url: z.string().optional(),
  imageUrl: z.string().optional(),
})
export const WhatsappMessage = z.object({ text: z.string().min(1, 'A WhatsApp message needs a text.'), template: z.string().optional() })
export const RcsMessage = z.object({ text: z.string().min(1, 'An RCS message needs a text.'), imageUrl: z.string().optional() })

export const MESSAGE_SCHEMAS = {
  email: EmailMessage,
  sms: SmsMessage,
  app_push: PushMessage,
  web_push: PushMessage,
  whatsapp: WhatsappMessage,
  rcs: RcsMessage,
} as const satisfies Record<Channel, z.ZodType>

import type { DraftGraph } from '@switchyard/schema'

export interface Template {
  name: string
  description: string
  graph: DraftGraph
}

/** Starting points in the create dialog; the blank one first. */
export const TEMPLATES: readonly Template[] = [
  { name: 'Blank canvas', description: 'Start from nothing and drag steps from the palette.', graph: { nodes: [], edges: [] } },
  {
    name: 'Cart abandoners',
    description: 'RCS nudge after add to cart; call the CRM when they click, exit otherwise.',
    graph: {
      nodes: [
        { id: 'trigger', type: 'trigger', position: { x: 160, y: 0 }, data: { event: 'add_to_cart' } },
        { id: 'rcs', type: 'action', position: { x: 160, y: 220 }, data: { channel: 'rcs', message: { text: '{{ user.traits.FIRSTNAME }}, your cart is waiting' } } },
        { id: 'wait', type: 'waitForEvent', position: { x: 160, y: 440 }, data: { activity: { status: 'clicked' }, within: { amount: 15, unit: 'minutes' } } },
        { id: 'hook', type: 'webhook', position: { x: 0, y: 750 }, data: { webhookId: '', params: ['user.traits.EMAIL'], customParams: { Action: 'RCS Click' } } },
        { id: 'done', type: 'exit', position: { x: 0, y: 990 }, data: {} },
        { id: 'no-click', type: 'exit', position: { x: 330, y: 750 }, data: {} },
      ],
      edges: [
        { id: 'trigger-next-rcs', source: 'trigger', target: 'rcs', sourceHandle: 'next' },
        { id: 'rcs-next-wait', source: 'rcs', target: 'wait', sourceHandle: 'next' },
        { id: 'wait-matched-hook', source: 'wait', target: 'hook', sourceHandle: 'matched' },
        { id: 'wait-timeout-no-click', source: 'wait', target: 'no-click', sourceHandle: 'timeout' },
        { id: 'hook-next-done', source: 'hook', target: 'done', sourceHandle: 'next' },
      ],
    },
  },
  {
    name: 'Welcome series',
    description: 'Email on sign-up, wait a day, then a push to users who have not ordered.',
    graph: {
      nodes: [
        { id: 'signup', type: 'trigger', position: { x: 160, y: 0 }, data: { event: 'signed_up' } },
        { id: 'welcome', type: 'action', position: { x: 160, y: 220 }, data: { channel: 'email', message: { subject: 'Welcome, {{ user.traits.FIRSTNAME }}', body: 'Glad to have you.' } } },
        { id: 'day', type: 'delay', position: { x: 160, y: 440 }, data: { for: { amount: 1, unit: 'days' } } },
        { id: 'ordered', type: 'condition', position: { x: 160, y: 660 }, data: { where: { path: 'user.traits.orders', op: 'gt', value: 0 } } },
        { id: 'push', type: 'action', position: { x: 330, y: 940 }, data: { channel: 'app_push', message: { title: 'Your first order', body: '10% off today' } } },
        { id: 'end', type: 'exit', position: { x: 0, y: 940 }, data: {} },
        { id: 'end2', type: 'exit', position: { x: 330, y: 1170 }, data: {} },
      ],
      edges: [
        { id: 'signup-next-welcome', source: 'signup', target: 'welcome', sourceHandle: 'next' },
        { id: 'welcome-next-day', source: 'welcome', target: 'day', sourceHandle: 'next' },
        { id: 'day-next-ordered', source: 'day', target: 'ordered', sourceHandle: 'next' },
        { id: 'ordered-yes-end', source: 'ordered', target: 'end', sourceHandle: 'yes' },
        { id: 'ordered-no-push', source: 'ordered', target: 'push', sourceHandle: 'no' },
        { id: 'push-next-end2', source: 'push', target: 'end2', sourceHandle: 'next' },
      ],
    },
  },
]

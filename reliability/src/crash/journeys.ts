import type { JourneyInput } from '@switchyard/schema'
import { condition, delayFor, edge, exit, graph, journeyInput, seconds, trigger, waitEvent, webhook } from '@switchyard/testkit'

/**
 * The journeys the crash harness runs. Every user's outcome is fixed by the order of their own
 * events, never by how fast the server was: a reply travels in the same request as its trigger,
 * and an event that arrives during a delay is ignored whatever the timing.
 */
export function crashJourneys(webhookId: string): JourneyInput[] {
  const onboarding = journeyInput(
    'Onboarding',
    graph(
      [
        trigger('signup', 'signup'),
        webhook('welcome', webhookId),
        condition('isPro', { path: 'user.traits.plan', op: 'eq', value: 'pro' }),
        waitEvent('proWait', 'purchase', seconds(2)),
        waitEvent('freeWait', 'purchase', seconds(8)),
        webhook('bought', webhookId),
        webhook('nudge', webhookId),
        exit('gone'),
      ],
      [
        edge('signup', 'next', 'welcome'),
        edge('welcome', 'next', 'isPro'),
        edge('isPro', 'yes', 'proWait'),
        edge('isPro', 'no', 'freeWait'),
        edge('proWait', 'matched', 'bought'),
        edge('proWait', 'timeout', 'nudge'),
        edge('freeWait', 'matched', 'bought'),
        edge('freeWait', 'timeout', 'gone'),
      ],
    ),
  )
  const cart = journeyInput(
    'Cart',
    graph(
      [
        trigger('cart', 'add_to_cart'),
        delayFor('pause', seconds(1)),
        webhook('reminder', webhookId),
        waitEvent('checkoutWait', 'checkout', seconds(5)),
        exit('paid'),
        webhook('lost', webhookId),
      ],
      [
        edge('cart', 'next', 'pause'),
        edge('pause', 'next', 'reminder'),
        edge('reminder', 'next', 'checkoutWait'),
        edge('checkoutWait', 'matched', 'paid'),
        edge('checkoutWait', 'timeout', 'lost'),
      ],
    ),
  )
  return [onboarding, cart]
}

/** Longer than any chain of waits above (1 s delay + 5 s wait; 8 s wait), with room to spare. */
export const LONGEST_PATH_MS = 12_000

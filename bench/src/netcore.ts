import type { IngestedEvent } from '@switchyard/schema'
import { loadExample } from '@switchyard/testkit'

export const WEBHOOK_ID = 'whk_bench'

/** The Netcore sample journey (add_to_cart -> RCS -> wait for click within 15 min -> webhook). */
export function netcoreJourney() {
  return loadExample('netcore-cart-rcs', WEBHOOK_ID)
}

export const userIdOf = (i: number) => `user-${i}`

/**
 * The workload of one user on the Netcore journey, in four phases: a profile, the cart event
 * that starts the run, the provider's `rcs.sent` report, and the click that matches the wait.
 * The click needs the message id the engine gave, so phase 4 is built after phase 2 is applied.
 */
export function identifyEvent(i: number, at: number): IngestedEvent {
  return { messageId: `idf-${i}`, type: 'identify', userId: userIdOf(i), traits: { EMAIL: `u${i}@example.com`, CITY: 'Pune', FIRSTNAME: `U${i}` }, timestamp: at, receivedAt: at }
}

export function cartEvent(i: number, at: number): IngestedEvent {
  return { messageId: `cart-${i}`, type: 'track', userId: userIdOf(i), event: 'add_to_cart', properties: { sku: `sku-${i % 500}`, price: 499 }, timestamp: at, receivedAt: at }
}

export function sentEvent(i: number, messageId: string, at: number): IngestedEvent {
  return { messageId: `sent:${messageId}`, type: 'track', userId: userIdOf(i), event: 'rcs.sent', properties: { messageId }, timestamp: at, receivedAt: at }
}

export function clickEvent(i: number, messageId: string, at: number): IngestedEvent {
  return { messageId: `click-${i}`, type: 'track', userId: userIdOf(i), event: 'rcs.clicked', properties: { messageId }, timestamp: at, receivedAt: at }
}

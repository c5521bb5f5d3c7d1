import { z } from 'zod'
import { noNul } from './events'

/**
 * What every node kind shares. The kinds themselves, one module each, and their registry live in
 * `kinds/`.
 */

/**
 * An outlet, the `sourceHandle` of an edge: a fixed name for most kinds (`next`, `matched`,
 * `timeout`, `yes`, `no`), a branch id for a split. Which outlets a node has is its kind's say
 * (`outletsOf`), checked by validateGraph.
 */
export const Outlet = z.string().min(1)
export type Outlet = z.infer<typeof Outlet>

export const EventName = z.string().trim().min(1, 'Give the name of the event.').max(200).refine(noNul, 'An event name must not contain a NUL character (\\u0000): no event with one is accepted.')

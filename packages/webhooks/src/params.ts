import { dict, type DeliveryContext } from '@switchyard/schema'

/** What attribute paths and templates see: `user.traits.EMAIL`, `event.properties.x`, `journey.name`. */
export function contextScope(context: DeliveryContext): Record<string, unknown> {
  return {
    user: context.user,
    event: context.event,
    journey: context.journey,
    message: context.message,
    workspace: context.workspace,
  }
}

export function resolvePath(root: unknown, path: string): unknown {
  let current = root
  for (const segment of path.split('.')) {
    if (current === null || typeof current !== 'object' || Array.isArray(current)) return undefined
    if (!Object.hasOwn(current, segment)) return undefined
    current = Object.getOwnPropertyDescriptor(current, segment)?.value
  }
  return current
}

/**
 * The chosen attribute paths as Netcore's `att_params`: keyed by the last segment
 * (`user.traits.EMAIL` -> `EMAIL`), by the whole path when two would share a key; a missing value
 * is null, as Netcore sends it.
 */
export function resolveParams(paths: readonly string[], context: DeliveryContext): Record<string, unknown> {
  const scope = contextScope(context)
  const out = dict<unknown>()
  const lastSegments = paths.map((p) => p.split('.').pop() ?? p)
  paths.forEach((path, i) => {
    const short = lastSegments[i] ?? path
    const key = lastSegments.filter((s) => s === short).length > 1 ? path : short
    const value = resolvePath(scope, path)
    out[key] = value === undefined ? null : value
  })
  return out
}

/** Whether a journey with `enteredCount` users may take no more (no cap: never reached). */
export function targetingCapReached(enteredCount: number, cap: number | undefined | null): boolean {
  if (cap === undefined || cap === null) return false
  return enteredCount >= cap
}

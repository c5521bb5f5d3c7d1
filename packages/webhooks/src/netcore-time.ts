/** Netcore's `timestamp`: UTC, to the second, without a zone: `2022-12-02T15:48:05`. */
export function netcoreTimestamp(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19)
}

/** Netcore's `ts`: the same instant as the number yyMMddHHmmss, e.g. 221202154805. */
export function netcoreTs(ms: number): number {
  const d = new Date(ms)
  const two = (n: number) => String(n).padStart(2, '0')
  return Number(
    `${two(d.getUTCFullYear() % 100)}${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}${two(d.getUTCHours())}${two(d.getUTCMinutes())}${two(d.getUTCSeconds())}`,
  )
}

/** Partitions a database is created with unless told otherwise (`PARTITIONS`). */
export const DEFAULT_PARTITIONS = 64

const encoder = new TextEncoder()

/**
 * The partition a user's rows belong to: FNV-1a (32 bit) of the user id's UTF-8 bytes, modulo
 * the number of partitions. Stable across processes, versions and platforms: it is written into
 * rows, so it must never change for a database that has them.
 */
export function partitionOf(userId: string, partitions: number): number {
  let hash = 0x811c9dc5
  for (const byte of encoder.encode(userId)) {
    hash ^= byte
    hash = Math.imul(hash, 0x01000193) >>> 0
  }
  return hash % partitions
}

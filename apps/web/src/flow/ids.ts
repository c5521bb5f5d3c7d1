const ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789'

/** A short id, unique enough within one journey and easy to read in logs and timelines. */
export function shortId(length = 6): string {
  const bytes = new Uint8Array(length)
  crypto.getRandomValues(bytes)
  let out = ''
  for (const b of bytes) out += ALPHABET[b % ALPHABET.length]
  return out
}

/** A node id of the given kind's prefix that is not in `taken`. */
export function newNodeId(prefix: string, taken: ReadonlySet<string>): string {
  for (;;) {
    const id = `${prefix}_${shortId(5)}`
    if (!taken.has(id)) return id
  }
}

/** `wait-matched-hook`, the readable form the examples use, suffixed when already taken. */
export function newEdgeId(source: string, handle: string, target: string, taken: ReadonlySet<string>): string {
  const base = `${source}-${handle}-${target}`
  if (!taken.has(base)) return base
  for (let i = 2; ; i++) if (!taken.has(`${base}-${i}`)) return `${base}-${i}`
}

import { z } from 'zod'

/** RFC 9110 token: the characters a header name may hold. */
export const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/

/**
 * What a header value may hold, as Node's HTTP client checks it: tab, visible ASCII, space and
 * Latin-1. A line break or NUL would let a value smuggle another header; a control character or a
 * character past U+00FF makes every request fail. Refused when configured, not at each send.
 */
export const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/

export const headerValueProblem = (what: string) => `${what} holds a line break, a control character or a character past U+00FF, which no HTTP header can carry.`

/** A configured header value (a provider's header, a bearer token). */
export const HeaderValue = (what: string, max: number) => z.string().max(max).regex(HEADER_VALUE, headerValueProblem(what))

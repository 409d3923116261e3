import { setOwn } from './parse-php-query.js'

/**
 * U+0000 inside a parameter becomes U+FFFD, in keys and values alike. PostgreSQL text cannot hold NUL (it
 * answers with an error where SQLite stores the byte), no client sends NUL on purpose, and one rule for both
 * stores keeps their answers identical. See docs/compatibility.md.
 */
export function scrubNul<T>(value: T): T {
  return scrub(value) as T
}

/** Whether raw request text can carry a NUL at all: a raw byte, `%00`, or the JSON escape `\u0000`. */
export function mayCarryNul(raw: string): boolean {
  return raw.includes('\u0000') || raw.includes('%00') || raw.includes('\\u0000')
}

function scrub(value: unknown): unknown {
  if (typeof value === 'string')
    return value.includes('\u0000') ? value.replaceAll('\u0000', '\uFFFD') : value
  if (Array.isArray(value)) return value.map(scrub)
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [key, inner] of Object.entries(value)) setOwn(out, scrub(key) as string, scrub(inner))
    return out
  }
  return value
}

import { z } from 'zod'

/**
 * Lenient wire scalars. Once a value is form-encoded every scalar reaches the server as a string
 * (research/client-contract.md §3): numbers as "351", booleans as "1"/"0"/"true"/"True", null as "".
 * These schemas accept what a real portal accepts and hand handlers proper types.
 */

/** An integer given as a number or a numeric string (`351`, `"351"`, `" 351 "`). */
export const wireInt = z.preprocess((value) => {
  if (typeof value === 'string' && /^\s*[+-]?\d+\s*$/.test(value)) return Number(value.trim())
  return value
}, z.number().int())

/**
 * A boolean the way PHP code reads request values: `Y`/`N`, `1`/`0`, `true`/`false` (any case), real
 * booleans. Anything else is not a boolean.
 */
export const wireBool = z.preprocess((value) => {
  const parsed = parseWireBool(value)
  return parsed === undefined ? value : parsed
}, z.boolean())

export function parseWireBool(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value
  if (typeof value === 'number') return value !== 0
  if (typeof value !== 'string') return undefined
  switch (value.trim().toLowerCase()) {
    case 'y':
    case '1':
    case 'true':
      return true
    case 'n':
    case '0':
    case 'false':
    case '':
      return false
    default:
      return undefined
  }
}

/**
 * PHP truthiness, as `if ($value)` reads it: `0`, `'0'`, `''`, `null`, `[]` and false are false and
 * everything else — the string "false" and "N" included — is true. batch's `halt` is read this way
 * (server-behaviour.md §3 item 73).
 */
export function phpTruthy(value: unknown): boolean {
  if (value === undefined || value === null || value === false) return false
  if (value === 0 || value === '' || value === '0') return false
  if (Array.isArray(value)) return value.length > 0
  if (typeof value === 'object') return Object.keys(value).length > 0
  return true
}

/** A string given as a string or a number. */
export const wireString = z.preprocess(
  (value) => (typeof value === 'number' ? String(value) : value),
  z.string(),
)

/** A PHP array given as a JSON object, a JSON array, or `[]` for an empty object (phpsdk sends `filter: []`). */
export const wireRecord = z.preprocess(
  (value) => {
    if (Array.isArray(value)) return Object.fromEntries(value.map((v, i) => [String(i), v]))
    if (value === '' || value === null) return {}
    return value
  },
  z.record(z.string(), z.unknown()),
)

import { setOwn } from '../../protocol/params/parse-php-query.js'

/**
 * `$result[key][path…]` references between batch commands (settings/how-to-call-rest-api/batch.md;
 * research/server-behaviour.md §3 item 73).
 *
 * A command's parameters may name what an earlier command of the same batch produced: `$result[key]…` (its
 * result), `$next[key]`, `$total[key]`, `$time[key][…]` (its time block) and `$error[key][…]` (its
 * `{error, error_description}`). Bitrix substitutes them in the parameter *values* after the command's query
 * has been URL-decoded and parsed, which is why jssdk's `%24result%5Ba%5D%5BID%5D` works as well as pysdk's
 * raw `$result[req_0][49][ID]`:
 *
 * - a value that is exactly one reference gets the referenced value itself, whatever its type: an array
 *   (`ID=$result[get_user][UF_DEPARTMENT]`), an object, a number or null;
 * - a reference embedded in a longer string is replaced only when it points at a scalar, written the way PHP
 *   converts it to a string (true → "1", false → "");
 * - a reference that cannot be resolved (an unknown or later command, a missing key, an index past the end of
 *   a short list page, or a path through a scalar) is left in place as literal text. Real Bitrix's behaviour
 *   here is not verified (research/client-contract.md §6); leaving the text is what the client-contract
 *   emulator did, and pysdk's `call_list_fast` — which references `[49]` of pages that can be short — still
 *   read every row. It never fails the batch: the command then sees the literal string, as any other value.
 */
export interface BatchResults {
  readonly result: ReadonlyMap<string, unknown>
  readonly next: ReadonlyMap<string, unknown>
  readonly total: ReadonlyMap<string, unknown>
  readonly time: ReadonlyMap<string, unknown>
  readonly error: ReadonlyMap<string, unknown>
}

type ReferenceKind = keyof BatchResults

/** `$kind[seg][seg]…`; a segment is any text without brackets. Case-sensitive, as the docs write it. */
const REFERENCE = /\$(result|next|total|time|error)((?:\[[^[\]]+\])+)/g
const SEGMENT = /\[([^[\]]+)\]/g
/** a PHP list index: what `$array["49"]` finds in a list (no sign, no leading zero) */
const LIST_INDEX = /^(?:0|[1-9][0-9]*)$/

type Lookup = { found: true; value: unknown } | { found: false }
const NOT_FOUND: Lookup = { found: false }

/** Returns `params` with every reference in its values (at any depth) resolved against `results`. */
export function resolveReferences(
  params: Record<string, unknown>,
  results: BatchResults,
): Record<string, unknown> {
  return resolveRecord(params, results)
}

function resolveRecord(record: Record<string, unknown>, results: BatchResults): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(record)) setOwn(out, key, resolveValue(value, results))
  return out
}

function resolveValue(value: unknown, results: BatchResults): unknown {
  if (typeof value === 'string') return value.includes('$') ? resolveString(value, results) : value
  if (Array.isArray(value)) return value.map((item) => resolveValue(item, results))
  if (typeof value === 'object' && value !== null) {
    return resolveRecord(value as Record<string, unknown>, results)
  }
  return value
}

/** Resolves the references in one parameter value (exported for the unit tests). */
export function resolveString(value: string, results: BatchResults): unknown {
  const matches = [...value.matchAll(REFERENCE)]
  if (matches.length === 0) return value
  const first = matches[0]
  if (matches.length === 1 && first !== undefined && first[0] === value) {
    const lookup = lookupReference(first[1] as ReferenceKind, first[2] ?? '', results)
    // The raw value is handed to the next command: copy it so that command cannot alter the earlier result.
    return lookup.found ? structuredClone(lookup.value) : value
  }
  return value.replace(REFERENCE, (text: string, kind: string, path: string) => {
    const lookup = lookupReference(kind as ReferenceKind, path, results)
    if (!lookup.found) return text
    const scalar = phpScalarString(lookup.value)
    return scalar ?? text
  })
}

function lookupReference(kind: ReferenceKind, path: string, results: BatchResults): Lookup {
  const segments = [...path.matchAll(SEGMENT)].map((match) => match[1] ?? '')
  const commandKey = segments[0]
  if (commandKey === undefined || !results[kind].has(commandKey)) return NOT_FOUND
  let current: unknown = results[kind].get(commandKey)
  for (const segment of segments.slice(1)) {
    const lookup = step(current, segment)
    if (!lookup.found) return NOT_FOUND
    current = lookup.value
  }
  return { found: true, value: current }
}

/** One `[segment]`: a list index into an array, an own key of an object; scalars have no children. */
function step(container: unknown, segment: string): Lookup {
  if (Array.isArray(container)) {
    if (!LIST_INDEX.test(segment)) return NOT_FOUND
    const index = Number(segment)
    return index < container.length ? { found: true, value: container[index] as unknown } : NOT_FOUND
  }
  if (typeof container === 'object' && container !== null && Object.hasOwn(container, segment)) {
    return { found: true, value: (container as Record<string, unknown>)[segment] }
  }
  return NOT_FOUND
}

/** PHP's string conversion of a scalar; undefined for what PHP's `is_scalar` rejects (arrays, null). */
function phpScalarString(value: unknown): string | undefined {
  if (typeof value === 'string') return value
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : undefined
  if (typeof value === 'boolean') return value ? '1' : ''
  return undefined
}
